"""The `cpi` command line."""

from __future__ import annotations

import asyncio
import importlib
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from cpi import stack

app = typer.Typer(help="Community Partnership Information pipeline.", no_args_is_help=True)
audit = typer.Typer(help="Auditors' checks of the event store.", no_args_is_help=True)
contracts_cli = typer.Typer(help="The pipeline's published contracts.", no_args_is_help=True)
app.add_typer(audit, name="audit")
app.add_typer(contracts_cli, name="contracts")

SERVICE_APPS = {
    "intake": "services.intake.app",
    "sanitiser": "services.sanitiser.app",
    "grader": "services.grader.app",
    "notifier": "services.notifier.app",
    "triage": "services.triage.app",
    "relay": "services.relay_app",
}


@app.command()
def serve(
    name: Annotated[str, typer.Argument(help="one of: " + ", ".join(SERVICE_APPS))],
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Run one service (settings from the environment)."""
    import uvicorn

    from services.common.logs import configure_logging
    from services.common.settings import load_settings

    if name not in SERVICE_APPS:
        raise typer.BadParameter(f"unknown service {name!r}")
    settings = load_settings()
    configure_logging(settings.log_level)
    module = importlib.import_module(SERVICE_APPS[name])
    uvicorn.run(module.create_app(settings), host=host, port=port, log_config=None, access_log=False)


@app.command()
def dev(root: Path = Path(".cpi")) -> None:
    """Start the whole stack on this machine (embedded NATS and PostgreSQL unless NATS_URL/DATABASE_URL are set)."""
    from cpi.devstack import DevStack

    devstack = DevStack(root.resolve())

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        devstack.start()
        typer.echo(f"\nCPI dev stack is up. Stack file: {root / 'dev-stack.json'}; logs in {root / 'logs'}/")
        typer.echo(f"  form / intake API : {devstack.url('intake')}/api/v1/submissions")
        typer.echo(f"  triage API        : {devstack.url('triage')}/api/v1/triage")
        typer.echo(f"  notifier          : {devstack.url('notifier')}")
        typer.echo(f"  NATS              : {devstack.nats_url}")
        typer.echo(
            "  tokens            : .venv/bin/cpi token --role analyst   (also auditor, control_room, source_handler)"
        )
        typer.echo("Press Ctrl-C to stop.")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        typer.echo("\nstopping…")
    finally:
        devstack.stop()


@app.command()
def migrate() -> None:
    """Apply the event store's migrations to DATABASE_URL (or the dev stack's database)."""
    from eventstore.migrate import apply_migrations

    applied = asyncio.run(apply_migrations(stack.database_url()))
    typer.echo(f"applied: {', '.join(applied)}" if applied else "already up to date")


@app.command()
def token(
    role: Annotated[str, typer.Option(help="analyst, supervisor, control_room, auditor, source_handler or admin")],
    subject: str | None = None,
    ttl: int = 8 * 3600,
) -> None:
    """Print a bearer token for the dev stack."""
    from services.common.auth import issue_token

    try:
        typer.echo(issue_token(stack.jwt_secret(), role, subject=subject, ttl=ttl))
    except (ValueError, stack.StackNotFound) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@audit.command("verify")
def audit_verify(
    start: Annotated[int, typer.Option("--from", min=1)] = 1,
    end: Annotated[int | None, typer.Option("--to", min=1)] = None,
) -> None:
    """Recompute the hash chain; exit 1 and name the first broken position if anything was altered."""
    from eventstore.database import create_engine
    from eventstore.verify import verify_chain

    async def run() -> int:
        engine = create_engine(stack.database_url(), pool_size=1)
        try:
            async with engine.connect() as conn:
                report = await verify_chain(conn, start, end)
        finally:
            await engine.dispose()
        if report.ok:
            typer.echo(
                f"verified {report.verified} events "
                f"(positions {report.first_position}..{report.last_position}): chain intact"
            )
            return 0
        typer.echo(f"BROKEN at position {report.broken_at}: {report.problem} ({report.verified} verified before it)")
        return 1

    raise typer.Exit(asyncio.run(run()))


@contracts_cli.command("export")
def contracts_export(folder: Path) -> None:
    """Write JSON Schema for every model and the AsyncAPI document into FOLDER."""
    from cpi.contracts_export import export_contracts

    for path in export_contracts(folder):
        typer.echo(str(path))


def main() -> None:
    try:
        app()
    except stack.StackNotFound as exc:
        typer.echo(str(exc), err=True)
        sys.exit(2)
