"""`cpi projections …`: rebuild a read view from the store and compare it with the live one."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from cpi import stack

projections = typer.Typer(help="Read views built from the event store.", no_args_is_help=True)

PROJECTIONS = {"triage": "services.triage.projection:TriageProjection"}


def load_projection(name: str) -> object:
    import importlib

    if name not in PROJECTIONS:
        raise typer.BadParameter(f"unknown projection {name!r}; choose one of {', '.join(PROJECTIONS)}")
    module, _, attribute = PROJECTIONS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)()


@projections.command("rebuild")
def rebuild(
    name: Annotated[str, typer.Argument(help="one of: " + ", ".join(PROJECTIONS))],
    swap: Annotated[bool, typer.Option("--swap", help="put the rebuilt view live when it is identical")] = False,
    force: Annotated[bool, typer.Option("--force", help="with --swap: put it live even when it differs")] = False,
) -> None:
    """Replay every event into shadow tables, compare digests with the live view, and swap on request."""
    from rich.console import Console
    from rich.table import Table

    from cpi.replay_progress import replay_progress
    from eventstore.checkpoints import load_checkpoint
    from eventstore.database import create_engine
    from eventstore.projections import Projection
    from eventstore.rebuild import rebuild_projection

    projection: Projection = load_projection(name)  # type: ignore[assignment]

    async def run() -> int:
        engine = create_engine(stack.database_url(), pool_size=2)
        try:
            async with engine.connect() as conn:
                total = await load_checkpoint(conn, projection.name)
            with replay_progress(f"rebuilding {name}", total) as advance:
                report = await rebuild_projection(engine, projection, swap=swap, force=force, progress=advance)
        finally:
            await engine.dispose()
        table = Table(title=f"{name} at position {report.position}")
        for column in ("table", "live rows", "rebuilt rows", "live md5", "rebuilt md5"):
            table.add_column(column)
        for key, live in report.live.items():
            rebuilt = report.rebuilt[key]
            table.add_row(key, str(live.rows), str(rebuilt.rows), live.md5, rebuilt.md5)
        console = Console()
        console.print(table)
        if report.identical:
            console.print("identical" + (": swapped in" if report.swapped else ""))
            return 0
        if report.swapped:
            console.print("MISMATCH: the rebuilt view differs from the live one; swapped in (--force)")
            console.print("the previous live tables are kept in schema cpi_retired")
            return 0
        console.print("MISMATCH: the rebuilt view differs from the live one; it is kept in schema cpi_shadow")
        console.print("nothing was swapped; use --swap --force to put the rebuilt view live")
        return 1

    raise typer.Exit(asyncio.run(run()))
