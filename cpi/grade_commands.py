"""`cpi grade --policy FILE --replay`: an auditor's what-if over every recorded submission."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.events import EventModel, Graded, Sanitised


def grade(
    policy: Annotated[Path, typer.Option(help="the policy file to try", exists=True, dir_okay=False)],
    replay: Annotated[bool, typer.Option("--replay", help="re-grade every recorded submission")] = False,
) -> None:
    """Validate a grading policy; with --replay, show what it would change. Nothing is recorded."""
    from cpi.vault_commands import with_engine
    from services.grader.policy import PolicyError, load_policy
    from services.grader.replay import replay as what_if

    try:
        loaded = load_policy(policy)
    except PolicyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"policy {loaded.version} is valid")
    if not replay:
        return
    history = with_engine(_recorded_gradings)
    for line in what_if(history, loaded).lines():
        typer.echo(line)


async def _recorded_gradings(engine: AsyncEngine) -> list[EventModel]:
    from eventstore.store import read_all

    events: list[EventModel] = []
    position = 0
    async with engine.connect() as conn:
        while batch := await read_all(conn, position, 5_000, types=[Sanitised.event_type, Graded.event_type]):
            events.extend(envelope.event() for envelope in batch)
            position = batch[-1].position
    return events
