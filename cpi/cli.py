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
from cpi.audit_commands import audit
from cpi.grade_commands import grade
from cpi.projection_commands import projections
from cpi.vault_commands import erase, keys

app = typer.Typer(help="Community Partnership Information pipeline.", no_args_is_help=True)
contracts_cli = typer.Typer(help="The pipeline's published contracts.", no_args_is_help=True)
app.add_typer(audit, name="audit")
app.add_typer(projections, name="projections")
app.add_typer(contracts_cli, name="contracts")
app.add_typer(keys, name="keys")
app.command()(erase)
app.command()(grade)

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
    from services.common.telemetry import configure_telemetry

    if name not in SERVICE_APPS:
        raise typer.BadParameter(f"unknown service {name!r}")
    settings = load_settings()
    configure_logging(settings.log_level)
    configure_telemetry(name)
    module = importlib.import_module(SERVICE_APPS[name])
    # CPI_TRUSTED_PROXIES decides who the client is; uvicorn's default trusts X-Forwarded-For from 127.0.0.1.
    uvicorn.run(
        module.create_app(settings), host=host, port=port, log_config=None, access_log=False, proxy_headers=False
    )


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
        typer.echo(f"  the form          : {devstack.url('intake')}/")
        typer.echo(f"  intake API        : {devstack.url('intake')}/api/v1/submissions")
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
