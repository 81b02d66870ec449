"""A rich progress bar with an events-per-second rate, for long replays of the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text


class EventRateColumn(ProgressColumn):
    """Events per second over the last few updates."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–" if speed is None else f"{speed:,.0f} events/s", style="progress.data.speed")


@contextmanager
def replay_progress(
    description: str, total: int | None, console: Console | None = None
) -> Iterator[Callable[[int], None]]:
    """Yields a callback taking how many events were just applied."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        EventRateColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console or Console(stderr=True), transient=False) as progress:
        task = progress.add_task(description, total=total)

        def advance(applied: int) -> None:
            progress.advance(task, applied)

        yield advance
