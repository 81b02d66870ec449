"""Runs every benchmark against real servers it starts itself, and prints the figures."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.flow import bench_flow
from bench.push import bench_push
from bench.replay import bench_replay
from bench.store import bench_store
from cpi.devstack import ONE_CLIENT_FOR_MANY, DevStack


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--submissions", type=int, default=500, help="submissions pushed through the stack")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rows", type=int, default=3_000, help="rows for the raw append comparison")
    parser.add_argument("--replay-events", type=int, default=100_000, help="events for the projection rebuild")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpi-bench-") as root:
        stack = DevStack(Path(root), extra_env=dict(ONE_CLIENT_FOR_MANY))
        try:
            stack.start()
            assert stack.database_url is not None
            asyncio.run(bench_store(stack.database_url, args.rows))  # its own database, no followers
            before = scraped_metrics(stack)
            asyncio.run(bench_flow(stack, args.submissions, args.concurrency))
            asyncio.run(bench_push(stack, 50, 10))
            print_metric_movement(before, scraped_metrics(stack))
            asyncio.run(bench_replay(stack.database_url, args.replay_events))  # its own database
        finally:
            stack.stop()
    # The one-core figures in a fresh process, with every server of the stack stopped: the servers
    # (idle, but polling) and this process's own heap would otherwise share the core being measured.
    sys.stdout.flush()  # what this process printed comes before what the next one prints
    subprocess.run([sys.executable, "-m", "bench.domain"], check=True)


# The Prometheus series that show the flow working, scraped from the running services.
WATCHED = {
    "intake": ("cpi_submissions_received_total",),
    "grader": ("cpi_receipt_to_graded_seconds_count", "cpi_receipt_to_graded_seconds_sum"),
    "relay": ("cpi_relay_lag_events",),
}


def scraped_metrics(stack: DevStack) -> dict[str, float]:
    values: dict[str, float] = {}
    for service, names in WATCHED.items():
        text = httpx.get(f"{stack.url(service)}/metrics", timeout=10).text
        for line in text.splitlines():
            name, _, value = line.partition(" ")
            base = name.split("{")[0]
            if base in names:
                values[f"{service}:{base}"] = values.get(f"{service}:{base}", 0.0) + float(value)
    return values


def print_metric_movement(before: dict[str, float], after: dict[str, float]) -> None:
    print("\n== Prometheus metrics scraped from the running services, before → after the flow ==")
    for key in sorted(after):
        print(f"  {key:<50} {before.get(key, 0.0):12.3f} → {after[key]:12.3f}")


if __name__ == "__main__":
    main()
