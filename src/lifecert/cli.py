"""The `lifecert` command line (Typer)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from lifecert.cli_support import finish_import
from lifecert.cli_support import import_actor as _import_actor
from lifecert.core import migrate
from lifecert.core.db import get_engine, session_scope
from lifecert.core.roles import Role
from lifecert.core.settings import get_settings

app = typer.Typer(help="LifeCert: proof-of-life certification platform", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts (also the admin recovery path)", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
import_app = typer.Typer(help="Bulk imports (roster rows, reference photos)", no_args_is_help=True)
app.add_typer(import_app, name="import")
console = Console()


@app.callback()
def _refuse_unsafe_settings() -> None:
    """Every command starts by reading the settings: unsafe production values stop it here,
    one clear line each, instead of a traceback."""
    from pydantic import ValidationError

    from lifecert.partners import events

    events.install()  # commands that change standing write the partners' outbox too
    try:
        get_settings()
    except ValidationError as exc:
        console.print("[red]LifeCert will not start with these settings:[/red]")
        for error in exc.errors():
            text = str(error["msg"]).removeprefix("Value error, ")
            text = text.removeprefix("unsafe production settings: ")
            for problem in text.split("; "):
                console.print(f"  - {problem}")
        raise typer.Exit(2) from None


def _mount_face_cli() -> None:
    try:
        from lifecert.face_engine.cli import app as face_app
    except ImportError:  # the face engine's CLI is optional in stripped-down deployments
        return
    app.add_typer(face_app, name="face", help="Analyse, compare and liveness-check faces")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(url=get_settings().effective_database_url, revision=revision)
    console.print(f"[green]database at {revision}[/green]")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" empties the database)."""
    migrate.downgrade(url=get_settings().effective_database_url, revision=revision)


@db_app.command("current")
def db_current() -> None:
    with get_engine().connect() as conn:
        console.print(f"current: {migrate.current_revision(conn)}  head: {migrate.head_revision()}")


@app.command()
def demo(
    retirees: Annotated[int, typer.Option(help="How many retirees to generate")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data)")] = 2026,
) -> None:
    """Build the demo city: regions, staff of every role, retirees."""
    from lifecert.demo import DemoSize, build_demo, demo_exists

    migrate.upgrade(url=get_settings().effective_database_url)
    size = DemoSize.for_retirees(retirees)
    with session_scope() as session:
        if demo_exists(session):
            console.print("[yellow]demo data already present; nothing done[/yellow]")
            return
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("retirees", total=size.retirees)
            build_demo(
                session,
                size=size,
                seed=seed,
                progress=lambda done: bar.update(task, completed=done),
            )
    console.print(f"[green]demo city built: {size}[/green]")


@app.command("demo-roster")
def demo_roster(
    out: Path,
    retirees: Annotated[int, typer.Option(help="Rows to write")] = 1000,
    seed: int = 99,
) -> None:
    """Write a roster CSV for the demo city's communities (to try the import)."""
    from sqlalchemy import select

    from lifecert.core.csv_export import SafeWriter
    from lifecert.demo import roster_csv_lines
    from lifecert.organisation.models import Region, RegionLevel

    with session_scope() as session:
        communities = list(
            session.scalars(
                select(Region).where(Region.level == RegionLevel.COMMUNITY).order_by(Region.id)
            )
        )
        if not communities:
            console.print("[red]no communities: run `lifecert demo` first[/red]")
            raise typer.Exit(1)
        with out.open("w", newline="", encoding="utf-8") as fh:
            SafeWriter(fh).writerows(roster_csv_lines(communities, retirees, seed))
    console.print(f"wrote {retirees} rows to {out}")


def _print_welcome(host: str, port: int) -> None:
    import segno

    from lifecert.certification.access import issue_invitation
    from lifecert.demo import DEMO_PASSWORD, demo_phone_retiree, walkthrough

    base = f"http://{host}:{port}"
    table = Table(title="LifeCert demo logins (password for all: " + DEMO_PASSWORD + ")")
    table.add_column("username")
    table.add_column("role")
    for username, role in [
        ("admin", "platform admin (demo clock)"),
        ("bureau", "bureau officer (city)"),
        ("district", "bureau officer (district)"),
        ("worker", "community worker"),
        ("worker2", "community worker"),
        ("provider", "home-care provider (manager)"),
        ("carer11", "caregiver (visit phone page)"),
        ("academy", "senior university (admin)"),
        ("academy_teacher", "senior university teacher"),
        ("merchant", "marketplace merchant"),
    ]:
        table.add_row(username, role)
    console.print(table)
    console.print(
        f"Staff login:  {base}/login\nAPI docs:     {base}/api/docs\n"
        f"Health:       {base}/api/health\nMetrics:      {base}/metrics"
    )
    with session_scope() as session:
        retiree = demo_phone_retiree(session)
        # One check, a few days: the same single-use invitation a notice would carry.
        token = (
            issue_invitation(session, actor=None, retiree_id=retiree.id) if retiree else None
        )
        link = f"{base}/m/i/{token}" if token else f"{base}/m"
        lines = walkthrough(base, retiree, link)
    console.print("\n[bold]Walkthrough[/bold]", highlight=False)
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    console.print(f"\nPhone link: {link}", highlight=False, markup=False, soft_wrap=True)
    segno.make(link, error="l").terminal(compact=True)
    console.print(
        "(A phone on your network cannot open 127.0.0.1: start with --host 0.0.0.0 and use"
        " this machine's address.)",
        highlight=False,
    )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    with_demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Build demo data if empty; run the scheduler and the demo clock"
        ),
    ] = False,
    workers: int = 1,
) -> None:
    """Start the web server (in dev, migrations run first)."""
    import os

    import uvicorn

    settings = get_settings()
    if settings.is_dev:
        migrate.upgrade(url=settings.effective_database_url)
    if with_demo:
        demo()
        _print_welcome(host, port)
        if settings.queue.inline and settings.is_dev:
            # The embedded mode: periodic jobs in this process, and the admins' demo clock.
            os.environ.setdefault("LIFECERT_DEMO__SCHEDULER", "true")
            os.environ.setdefault("LIFECERT_DEMO__CLOCK", "true")
            # The live engine (nginx-rtmp) started and supervised by the app, calling it back.
            os.environ.setdefault("LIFECERT_LIVE__ENGINE", "true")
            os.environ.setdefault("LIFECERT_LIVE__CALLBACK_URL", f"http://{host}:{port}")
            get_settings.cache_clear()
            workers = 1  # one scheduler
    uvicorn.run(
        "lifecert.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@app.command()
def worker(concurrency: int = 2, queues: str = "celery") -> None:
    """Start a background worker (needs LIFECERT_QUEUE__INLINE=false and a broker)."""
    from lifecert.core.queue import get_celery

    get_celery().worker_main(
        ["worker", f"--concurrency={concurrency}", "-Q", queues, "--loglevel=INFO"]
    )


@app.command()
def beat() -> None:
    """Start the periodic-job scheduler (one per deployment)."""
    from lifecert.core.queue import get_celery

    get_celery().start(["beat", "--loglevel=INFO"])


@staff_app.command("create")
def staff_create(
    username: str,
    full_name: str,
    role: Role,
    password: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a staff account (regions are assigned in the admin pages or API)."""
    from lifecert.organisation.service import create_staff

    secret = password or getpass.getpass("Password: ")
    with session_scope() as session:
        if role not in (Role.PLATFORM_ADMIN, Role.PROVIDER_STAFF, Role.ACADEMY_STAFF):
            console.print("[red]regional roles need regions; create them in the admin pages[/red]")
            raise typer.Exit(2)
        create_staff(session, username=username, password=secret, full_name=full_name, role=role)
    console.print(f"[green]created {username}[/green]")


@staff_app.command("set-password")
def staff_set_password(
    username: str, password: Annotated[str | None, typer.Option()] = None
) -> None:
    """Reset a password and end the account's sessions (e.g. a lost admin password)."""
    from lifecert.organisation.service import get_staff_by_username, set_password

    secret = password or getpass.getpass("New password: ")
    with session_scope() as session:
        staff = get_staff_by_username(session, username=username)
        if staff is None:
            console.print(f"[red]no staff member called {username}[/red]")
            raise typer.Exit(1)
        set_password(session, staff=staff, password=secret)
    console.print("[green]password changed; old sessions ended[/green]")


@import_app.command("roster")
def import_roster(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Import with this staff member's scope")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write the error report (CSV) here")] = None,
) -> None:
    """Import retirees from CSV or XLSX: upsert by ID number, bad rows listed in a report."""
    from lifecert.retirees.imports import error_report_csv, run_roster_import, start_roster_import

    total = _count_lines(file)
    with session_scope() as session, Progress(console=console) as bar:
        actor = _import_actor(session, as_user)
        job = start_roster_import(
            session, actor=actor, filename=file.name, data=file.read_bytes(), run_now=False
        )
        session.commit()
        task = bar.add_task("rows", total=total)
        job = run_roster_import(
            session, job_id=job.id, progress=lambda j: bar.update(task, completed=j.processed)
        )
        csv_report = error_report_csv(session, actor=actor, job_id=job.id)
    summary = (
        f"{job.processed} rows, {job.created} new, {job.updated} updated, "
        f"{job.unchanged} unchanged, {job.rejected} rejected"
    )
    finish_import(job, summary=summary, csv_report=csv_report, file=file, report=report)


@import_app.command("photos")
def import_photos_cmd(
    source: Annotated[Path, typer.Argument(exists=True, help="A folder or .zip of photos")],
    consent_collected: Annotated[
        bool, typer.Option(help="Signed consent forms were collected for these people")
    ] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Staff member whose scope applies")
    ] = None,
) -> None:
    """Enroll ID photos named by ID number; each refused photo is listed with its reason."""
    from lifecert.core.i18n import gettext
    from lifecert.enrollment.photo_import import import_photos, iter_photos

    total = sum(1 for _ in iter_photos(source)) if source.is_dir() else None
    with session_scope() as session, Progress(console=console) as bar:
        actor = _import_actor(session, as_user)
        task = bar.add_task("photos", total=total)
        result = import_photos(
            session,
            actor=actor,
            source=source,
            consent_collected=consent_collected,
            progress=lambda n: bar.update(task, completed=n),
        )
    console.print(
        f"enrolled {result.enrolled}, sent to review {result.sent_to_review}, "
        f"refused {len(result.problems) - result.sent_to_review}"
    )
    for p in result.problems:
        params = dict(p.params)
        console.print(f"  {p.column}: {gettext(p.problem, **params)} {gettext(p.fix, **params)}")


keys_app = typer.Typer(help="Data encryption keys", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt everything with LIFECERT_DATA_KEY (old keys in LIFECERT_PREVIOUS_DATA_KEYS)."""
    from lifecert.enrollment.privacy import rotate_keys
    from lifecert.fraud.index import reset_indexes

    with session_scope() as session:
        counts = rotate_keys(session)
    reset_indexes(delete_files=True)  # the 1:N index file is a cache: rebuilt with the new key
    console.print(f"re-encrypted: {counts}")
    if counts["unreadable"]:
        console.print(f"[red]{counts['unreadable']} files use a key that is not configured[/red]")
        raise typer.Exit(1)


def _count_lines(file: Path) -> int | None:
    if file.suffix.lower() not in (".csv", ".txt"):
        return None
    with file.open("rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)


_mount_face_cli()


def _mount_fraud_cli() -> None:
    from lifecert.fraud.cli import register

    register(app, import_app)  # index rebuild, fraud sweep|rules, audit verify, import deaths


_mount_fraud_cli()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
