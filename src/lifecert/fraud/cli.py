"""`lifecert index rebuild`, `lifecert fraud sweep|rules` and `lifecert import deaths FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifecert.core.db import session_scope

index_app = typer.Typer(help="The 1:N face index (FAISS)", no_args_is_help=True)
fraud_app = typer.Typer(help="Fraud detection jobs, run now", no_args_is_help=True)
console = Console()


@index_app.command("rebuild")
def rebuild() -> None:
    """Rebuild every model's face index from the (decrypted) templates and save it."""
    from lifecert.fraud.service import rebuild_all_indexes

    with session_scope() as session:
        counts = rebuild_all_indexes(session)
    for model_id, n in counts.items():
        console.print(f"{model_id}: {n} templates indexed")
    if not counts:
        console.print("no templates: nothing to index")


@fraud_app.command("sweep")
def sweep() -> None:
    """Search every template against all others (the nightly duplicate sweep)."""
    from lifecert.fraud.service import sweep_duplicates

    with session_scope() as session:
        console.print(sweep_duplicates(session))


@fraud_app.command("rules")
def rules() -> None:
    """Run the shared phone / shared pension account rules."""
    from lifecert.fraud.rules import run_shared_contact_rules

    with session_scope() as session:
        console.print(run_shared_contact_rules(session))


def import_deaths(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Import with this staff member's scope")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write the error report (CSV) here")] = None,
) -> None:
    """Import death registrations (CSV/XLSX): payment held until an officer other than the
    importer approves each death (/deaths or /api/v1/deaths); bad rows reported."""
    from lifecert.cli_support import finish_import, import_actor
    from lifecert.fraud.deaths import run_death_import, start_death_import
    from lifecert.retirees.imports import error_report_csv

    with session_scope() as session:
        actor = import_actor(session, as_user)
        job = start_death_import(
            session, actor=actor, filename=file.name, data=file.read_bytes(), run_now=False
        )
        session.commit()
        job = run_death_import(session, job_id=job.id)
        csv_report = error_report_csv(session, actor=actor, job_id=job.id)
    summary = (
        f"{job.processed} rows, {job.created} deaths recorded (payment on hold until approved), "
        f"{job.unchanged} already known, {job.rejected} rejected"
    )
    finish_import(job, summary=summary, csv_report=csv_report, file=file, report=report)


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    from lifecert.audit.cli import audit_app

    app.add_typer(index_app, name="index")
    app.add_typer(fraud_app, name="fraud")
    app.add_typer(audit_app, name="audit")
    import_app.command("deaths")(import_deaths)
