"""`cpi audit …`: the auditors' commands."""

from __future__ import annotations

import asyncio
from typing import Annotated

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
