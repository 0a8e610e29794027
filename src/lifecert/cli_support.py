"""Helpers shared by the command modules of the domains (``retirees`` roster import, ``fraud``
death import): below every CLI module, so a domain's commands never import ``lifecert.cli``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.retirees.models import ImportJob

console = Console()


def import_actor(session: Session, username: str | None) -> Actor:
    """The actor an import runs as: a named staff member, or the platform admin at the shell."""
    from lifecert.organisation.service import actor_for, get_staff_by_username

    if username is None:  # the operator at the server's shell acts as platform admin
        return Actor(staff_id=0, username="cli", role=Role.PLATFORM_ADMIN, region_paths=())
    staff = get_staff_by_username(session, username=username)
    if staff is None:
        console.print(f"[red]no staff member called {username}[/red]")
        raise typer.Exit(1)
    return actor_for(staff)


def finish_import(
    job: ImportJob, *, summary: str, csv_report: str, file: Path, report: Path | None
) -> None:
    """Print an import's outcome, write its error report beside the file, exit 1 if it failed."""
    console.print(f"{job.status.value}: {summary}")
    if job.error:
        console.print(f"[red]{job.error}[/red]")
    if job.rejected:
        target = report or file.with_name(file.stem + ".errors.csv")
        target.write_text(csv_report, encoding="utf-8-sig")
        console.print(f"error report: {target}")
    if job.status.value != "done":
        raise typer.Exit(1)
