"""Runs every benchmark against real servers it starts itself, and prints the figures."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.flow import bench_flow
from bench.push import bench_push
from bench.replay import bench_replay
from bench.store import bench_store
from cpi.devstack import DevStack


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--submissions", type=int, default=500, help="submissions pushed through the stack")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rows", type=int, default=3_000, help="rows for the raw append comparison")
    parser.add_argument("--replay-events", type=int, default=100_000, help="events for the projection rebuild")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpi-bench-") as root:
        stack = DevStack(Path(root))
        try:
            stack.start()
            assert stack.database_url is not None
            asyncio.run(bench_store(stack.database_url, args.rows))  # its own database, no followers
            asyncio.run(bench_flow(stack, args.submissions, args.concurrency))
            asyncio.run(bench_push(stack, 50, 10))
            asyncio.run(bench_replay(stack.database_url, args.replay_events))  # its own database
            _domain_benches()
        finally:
            stack.stop()


def _domain_benches() -> None:
    from bench.domain import bench_grader, bench_sanitiser

    bench_sanitiser()
    bench_grader()


if __name__ == "__main__":
    main()
