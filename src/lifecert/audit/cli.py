"""`lifecert audit seal|checkpoint|verify`: chain pending rows, export a signed head, and walk
the chain naming every edited or deleted row."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from lifecert.core.db import session_scope

audit_app = typer.Typer(help="The audit trail (append-only, hash-chained)", no_args_is_help=True)
console = Console()


@audit_app.command("seal")
def seal() -> None:
    """Chain every appended row now (the ``audit.seal`` job does it every minute)."""
    from lifecert.audit.chain import seal_pending

    with session_scope() as session:
        count = seal_pending(session)
    console.print(f"sealed {count} entries")


@audit_app.command("checkpoint")
def checkpoint(
    directory: Path = typer.Argument(..., help="where to write the signed file"),
) -> None:
    """Seal, then write the chain's head as a signed JSON file to keep outside the database."""
    from lifecert.audit.chain import export_checkpoint, seal_pending

    with session_scope() as session:
        seal_pending(session)
        path = export_checkpoint(session, directory)
    console.print(str(path))


@audit_app.command("verify")
def verify(
    checkpoint: list[Path] = typer.Option([], help="signed checkpoint files to check as well"),
    seal_first: bool = typer.Option(True, "--seal/--no-seal", help="seal pending rows first"),
) -> None:
    """Check every entry's hash and link; exit code 1 names the first bad sequence number."""
    from sqlalchemy import func, select

    from lifecert.audit.chain import seal_pending, verify_chain, verify_checkpoint
    from lifecert.audit.models import AuditEntry

    if seal_first:
        with session_scope() as session:
            seal_pending(session)
    with session_scope() as session:
        problems = verify_chain(session)
        for path in checkpoint:
            problems.extend(verify_checkpoint(session, path))
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
