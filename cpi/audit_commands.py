"""`cpi audit …`: the auditors' commands."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cpi import stack

audit = typer.Typer(help="Auditors' checks of the event store.", no_args_is_help=True)


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


def _secret(name: str) -> str | None:
    """A setting from the environment, else from the dev stack's secrets file."""
    import json
    import os

    from cpi.devstack import SECRETS_FILE

    if os.environ.get(name):
        return os.environ[name]
    path = stack.stack_root() / SECRETS_FILE
    return json.loads(path.read_text()).get(name) if path.exists() else None


def _public_keys(given: list[str] | None) -> dict[str, Any]:
    from eventstore.checkpoint_signing import SigningKeyError, parse_public_keys

    setting = ",".join(given) if given else _secret("CPI_AUDIT_PUBLIC_KEYS") or ""
    try:
        keys = parse_public_keys(setting)
    except SigningKeyError as exc:
        raise typer.BadParameter(str(exc)) from None
    if not keys:
        raise typer.BadParameter("give --public-key id:base64 (or set CPI_AUDIT_PUBLIC_KEYS)")
    return keys


PublicKeyOption = Annotated[
    list[str] | None, typer.Option("--public-key", help="id:base64 Ed25519 public key; repeat for several")
]


@audit.command("history")
def audit_history(
    reference: str, as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False
) -> None:
    """Every event of one submission, in order; personal data shown only as encrypted or erased."""
    from eventstore.database import create_engine
    from eventstore.history import submission_history

    async def load() -> list[dict[str, Any]] | None:
        engine = create_engine(stack.database_url(), pool_size=1)
        try:
            async with engine.connect() as conn:
                return await submission_history(conn, reference)
        finally:
            await engine.dispose()

    events = asyncio.run(load())
    if events is None:
        typer.echo(f"no submission with reference {reference}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps({"reference": reference, "events": events}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"history of {reference}")
    for column in ("position", "recorded at", "type", "stream", "actor", "payload", "hash"):
        table.add_column(column, overflow="fold")
    for event in events:
        table.add_row(
            str(event["position"]),
            event["recorded_at"],
            event["type"],
            f"{event['stream_id']} v{event['stream_version']}",
            event["actor"],
            json.dumps(event["payload"], ensure_ascii=False)[:400],
            event["hash"][:16] + "…",
        )
    Console().print(table)


@audit.command("verify-checkpoints")
def audit_verify_checkpoints(public_key: PublicKeyOption = None) -> None:
    """Check every checkpoint published to JetStream against the chain recomputed from the rows."""
    import os

    from eventstore.checkpoint_verification import published_checkpoints, verify_published_checkpoints
    from eventstore.database import create_engine
    from eventstore.relay import connect_nats

    keys = _public_keys(public_key)
    nats_url = os.environ.get("NATS_URL") or stack.stack_description()["nats_url"]

    async def run() -> int:
        client = await connect_nats(nats_url, "cpi-audit")
        engine = create_engine(stack.database_url(), pool_size=1)
        try:
            checkpoints = await published_checkpoints(client.jetstream())
            async with engine.connect() as conn:
                report = await verify_published_checkpoints(conn, checkpoints, keys)
        finally:
            await client.close()
            await engine.dispose()
        if report.ok:
            typer.echo(f"{report.checked} signed checkpoints match the recomputed chain")
            return 0
        typer.echo(f"CHECKPOINT FAILED at position {report.broken_at}: {report.problem}")
        return 1

    raise typer.Exit(asyncio.run(run()))


@audit.command("as-of")
def audit_as_of(
    timestamp: Annotated[str, typer.Argument(help="ISO 8601; without an offset it is taken as UTC")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The triage queue as it stood at that moment, replayed from the store."""
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.table import Table

    from cpi.replay_progress import replay_progress
    from eventstore.as_of import QueueEntry, queue_as_of
    from eventstore.database import create_engine
    from services.triage.projection import TriageProjection

    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 timestamp: {timestamp!r}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    async def run() -> list[QueueEntry]:
        engine = create_engine(stack.database_url(), pool_size=2)
        try:
            with replay_progress("replaying", None) as advance:
                return await queue_as_of(engine, TriageProjection(), moment, progress=advance)
        finally:
            await engine.dispose()

    queue = asyncio.run(run())
    if as_json:
        rows = [
            {"reference": e.reference, "status": e.status, "priority": e.priority, "review_due_at": e.review_due_at}
            for e in queue
        ]
        typer.echo(json.dumps({"as_of": moment.isoformat(), "queue": rows}, indent=2, default=str))
        return
    table = Table(title=f"triage queue as of {moment.isoformat()}")
    for column in ("reference", "status", "priority", "review due"):
        table.add_column(column)
    for entry in queue:
        table.add_row(entry.reference, entry.status, entry.priority or "–", entry.review_due_at.isoformat())
    Console().print(table)


@audit.command("export")
def audit_export(
    file: Path,
    start: Annotated[int, typer.Option("--from", min=1)] = 1,
    end: Annotated[int | None, typer.Option("--to", min=1)] = None,
) -> None:
    """Write a signed JSON Lines bundle of positions FROM..TO that verifies offline."""
    from eventstore.bundle import export_bundle
    from eventstore.checkpoint_signing import SigningKeyError, load_signer
    from eventstore.database import create_engine

    private, key_id = _secret("CPI_AUDIT_SIGNING_KEY"), _secret("CPI_AUDIT_SIGNING_KEY_ID")
    if not private:
        typer.echo("CPI_AUDIT_SIGNING_KEY is not set (and the dev stack has none)", err=True)
        raise typer.Exit(2)
    try:
        signer = load_signer(private, key_id or "")
    except SigningKeyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None

    async def run() -> int:
        engine = create_engine(stack.database_url(), pool_size=1)
        try:
            async with engine.connect() as conn:
                with file.open("wb") as out:
                    return await export_bundle(conn, start, end, signer, out)
        finally:
            await engine.dispose()

    count = asyncio.run(run())
    typer.echo(f"wrote {count} events to {file}, signed with key {signer.key_id}")


@audit.command("verify-bundle")
def audit_verify_bundle(file: Path, public_key: PublicKeyOption = None) -> None:
    """Verify an export bundle offline: its signature, and each event's hash and link to the one before."""
    from eventstore.bundle import verify_bundle_file

    report = verify_bundle_file(str(file), _public_keys(public_key))
    if report.ok:
        typer.echo(
            f"bundle intact: {report.events} events (positions {report.first_position}..{report.last_position}), "
            "signature valid"
        )
        return
    typer.echo(f"BUNDLE INVALID at line {report.broken_at_line}: {report.problem}")
    raise typer.Exit(1)
