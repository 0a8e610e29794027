"""`lifecert audit verify`: walk the hash chain and name every edited or deleted row."""

from __future__ import annotations

import typer
from rich.console import Console

from lifecert.core.db import session_scope

audit_app = typer.Typer(help="The audit trail (append-only, hash-chained)", no_args_is_help=True)
console = Console()


@audit_app.command("verify")
def verify() -> None:
    """Check every entry's hash and link; exit code 1 names the first bad sequence number."""
    from sqlalchemy import func, select

    from lifecert.audit.models import AuditEntry
    from lifecert.audit.service import verify_chain

    with session_scope() as session:
        problems = verify_chain(session)
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    if not problems:
        console.print(f"[green]audit trail intact: {total} entries[/green]")
        return
    console.print(f"[red]audit trail damaged: first bad entry is seq {problems[0].seq}[/red]")
    for problem in problems:
        console.print(f"  {problem}")
    raise typer.Exit(1)


@audit_app.command("archive")
def archive() -> None:
    """Export entries older than LIFECERT_RETENTION__AUDIT_LOG_DAYS to a signed archive."""
    from lifecert.audit.archive import archive_old_entries

    with session_scope() as session:
        made = archive_old_entries(session)
    if made is None:
        console.print("nothing older than the retention period to archive")
        return
    console.print(
        f"archived seq {made.first_seq}..{made.last_seq} ({made.count} entries) "
        f"to {made.blob_key}, signature {made.signature[:16]}…"
    )
