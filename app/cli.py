"""The `plenary` command: serve, migrate, demo data, roles and tokens."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app import migrate
from app.config import ConfigurationError, Settings, get_settings
from app.db import Database
from app.storage import Storage

cli = typer.Typer(help="Plenary: civil-society consultation portal.", no_args_is_help=True)
db_cli = typer.Typer(help="Database migrations.", no_args_is_help=True)
token_cli = typer.Typer(help="Personal access tokens for the JSON API.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(token_cli, name="token")
storage_cli = typer.Typer(help="Uploaded and generated files.", no_args_is_help=True)
cli.add_typer(storage_cli, name="storage")
i18n_cli = typer.Typer(help="Interface translations (app/locale).", no_args_is_help=True)
cli.add_typer(i18n_cli, name="i18n")


def _settings() -> Settings:
    return get_settings()


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    """One committed transaction for a command, like a request's."""
    database = Database(settings.resolved_database_url)
    try:
        with database.sessionmaker() as session, session.begin():
            yield session
    finally:
        database.dispose()


def _upgrade(settings: Settings, revision: str = "head") -> None:
    database = Database(settings.resolved_database_url)
    try:
        migrate.upgrade(database.engine, revision)
    finally:
        database.dispose()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Load demo data and allow demo sign-in.")] = False,
    workers: Annotated[int, typer.Option(help="Web worker processes.")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Migrate the database, then serve the portal with uvicorn."""
    import uvicorn

    if demo:
        os.environ["PLENARY_DEMO"] = "true"
        get_settings.cache_clear()
    settings = _settings()
    try:
        settings.check_safe_to_run()
    except ConfigurationError as exc:
        typer.echo(f"Refusing to start: {exc}", err=True)
        raise typer.Exit(2) from exc
    if migrate_first:
        _upgrade(settings)
    if demo:
        _load_demo(settings)
        typer.echo(f"Demo data loaded. Open {settings.base_url} and use 'Sign in'.")
    uvicorn.run(
        "app.main:create_serving_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations (to the latest by default)."""
    _upgrade(_settings(), revision)
    typer.echo(f"Database upgraded to {revision}.")


def _load_demo(settings: Settings) -> None:
    from app import demo

    with _transaction(settings) as session:
        demo.load(session, settings)


@cli.command("demo")
def demo_data() -> None:
    """Load the demo data (idempotent: running it twice changes nothing)."""
    settings = _settings()
    _upgrade(settings)
    _load_demo(settings)
    typer.echo("Demo data loaded.")


@token_cli.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="E-mail of a user who has signed in.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "CLI token",
) -> None:
    """Create a personal access token; it is printed once and never stored in clear."""
    from app.accounts import service as accounts
    from app.errors import AppError

    try:
        with _transaction(_settings()) as session:
            user = accounts.user_by_email(session, email)
            _token, raw = accounts.create_token(session, user, name)
    except AppError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    typer.echo(raw)


@cli.command()
def grant(
    email: Annotated[str, typer.Argument(help="E-mail of a user who has signed in.")],
    role: Annotated[str, typer.Argument(help="admin, organiser or moderator.")],
    process: Annotated[
        str | None, typer.Option(help="Process slug (organiser, moderator).")
    ] = None,
) -> None:
    """Give a user a role: platform admin, or organiser/moderator of one process."""
    from app.accounts import service as accounts
    from app.consultations import service as consultations
    from app.consultations.models import ProcessRole
    from app.consultations.schemas import GrantCreate
    from app.errors import AppError, FormError

    if role not in ("admin", *ProcessRole):
        typer.echo(f"Unknown role {role!r}: use admin, organiser or moderator.", err=True)
        raise typer.Exit(2)
    if role != "admin" and not process:
        typer.echo(f"The {role} role needs --process SLUG.", err=True)
        raise typer.Exit(2)
    try:
        with _transaction(_settings()) as session:
            user = accounts.user_by_email(session, email)
            if role == "admin":
                accounts.set_admin(session, None, user, True)
            else:
                target = consultations.get_process_page(session, process or "")
                data = GrantCreate(email=email, role=ProcessRole(role))
                consultations.grant_role(session, None, target, data)
    except FormError as exc:
        typer.echo("; ".join(exc.fields.values()) or exc.message, err=True)
        raise typer.Exit(1) from exc
    except AppError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    where = f" of {process}" if role != "admin" else ""
    typer.echo(f"{email} is now {role}{where}.")


@cli.command()
def worker(
    once: Annotated[
        bool, typer.Option(help="Run the periodic tasks and the due jobs, then exit.")
    ] = False,
    poll: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 2.0,
) -> None:
    """Run background jobs (e-mail, conversions, dossier builds) outside the web process."""
    import signal

    import app.main  # noqa: F401 - imports every domain, so every job handler is registered
    from app.jobs import worker as jobs_worker

    settings = _settings()
    database = Database(settings.resolved_database_url)
    try:
        if once:  # e.g. from cron: the periodic tasks too (reminders), then what they queued
            periodic = jobs_worker.run_periodic(database.sessionmaker)
            done = jobs_worker.run_until_idle(database.sessionmaker, settings)
            typer.echo(f"Ran {periodic} periodic task(s) and {done} job(s).")
            return
        thread = jobs_worker.WorkerThread(database.sessionmaker, settings, poll_s=poll)
        thread.start()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        typer.echo("Worker running; Ctrl-C to stop.")
        stop.wait()
        thread.stop()
    finally:
        database.dispose()


def _age_hours(storage: Storage, key: str) -> float:
    if key.startswith("tmp/"):  # partial uploads are reported only once they are stale
        return float("inf")
    with storage.local_path(key) as path:
        return (time.time() - path.stat().st_mtime) / 3600


@storage_cli.command("check")
def storage_check(
    delete_orphans: Annotated[
        bool, typer.Option(help="Delete orphan files older than --min-age-hours.")
    ] = False,
    min_age_hours: Annotated[
        float, typer.Option(help="Leave younger orphans alone (an upload may be committing).")
    ] = 1.0,
) -> None:
    """Compare stored files with the database: orphan files and missing files (exit 1 if any)."""
    from app.dossiers import service as dossiers
    from app.storage import get_storage
    from app.storage import storage_check as check
    from app.submissions import repository as submissions

    settings = _settings()
    with _transaction(settings) as session:  # before listing the files
        referenced = submissions.referenced_file_keys(session)
        referenced |= dossiers.referenced_file_keys(session)
    storage = get_storage(settings)
    result = check(storage, referenced)
    for key in result.missing_files:
        typer.echo(f"missing: {key}")
    remaining = 0
    for key in result.orphan_files:
        old_enough = delete_orphans and _age_hours(storage, key) >= min_age_hours
        if old_enough and storage.delete(key):
            typer.echo(f"deleted orphan: {key}")
            continue
        typer.echo(f"orphan: {key}")
        remaining += 1
    typer.echo(
        f"{len(referenced)} file(s) referenced, {len(result.missing_files)} missing, "
        f"{remaining} orphan(s)."
    )
    if result.missing_files or remaining:
        raise typer.Exit(1)


@i18n_cli.command("extract")
def i18n_extract() -> None:
    """Write every wrapped interface string to app/locale/messages.pot."""
    from app import i18n_catalog

    catalog = i18n_catalog.extract()
    typer.echo(f"{len(catalog)} message(s) in {i18n_catalog.TEMPLATE}")


@i18n_cli.command("update")
def i18n_update() -> None:
    """Extract, then merge new and changed strings into each language's messages.po."""
    from app import i18n_catalog

    for locale, missing in i18n_catalog.update().items():
        typer.echo(f"{locale}: {len(missing)} string(s) to translate")
        for msgid in missing:
            typer.echo(f"  {msgid!r}")


@i18n_cli.command("check")
def i18n_check() -> None:
    """Fail when messages.pot lags the source or a language lacks a sound translation."""
    from app import i18n_catalog

    problems = i18n_catalog.check()
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo("Catalogs are complete and up to date.")


def main() -> None:
    cli()
