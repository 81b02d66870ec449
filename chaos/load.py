"""`make load`: rising paced rates against a stack of processes until latency or errors break down.

Each step sends `rate` submissions a second for `--seconds` from this process (httpx on asyncio;
the services are their own processes), waits for every one to be graded, and measures the time from
the request being sent to `Graded` being recorded. A step holds when every submission got 202 first
time, none was lost, the driver kept pace, and p99 stayed within the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from chaos.driver import drive
from chaos.scenario import wait_drained
from chaos.stack import ChaosStack

DEFAULT_RATES = (10, 20, 40, 60, 80, 100, 120, 150, 200)


@dataclass(frozen=True)
class StepResult:
    rate: float
    sent: int
    accepted: int
    achieved_rate: float  # accepted per second of sending
    errors: int  # answers other than 202 (503, 5xx, no answer)
    lost: int  # accepted but not graded within the drain timeout
    p50_ms: float
    p99_ms: float

    def holds(self, p99_limit_ms: float) -> bool:
        return (
            self.errors == 0
            and self.lost == 0
            and self.accepted == self.sent
            and self.achieved_rate >= 0.9 * self.rate
            and self.p99_ms <= p99_limit_ms
        )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_step(stack: ChaosStack, rate: float, seconds: float, drain_timeout: float) -> StepResult:
    count = int(rate * seconds)
    started = time.monotonic()
    result = asyncio.run(drive(stack.urls("intake"), count, rate, key_prefix=f"load-{rate}", give_up_after=30.0))
    sending = max(time.monotonic() - started, 1e-6)
    ledger = wait_drained(stack.database_url, result.references, drain_timeout)
    latencies = [
        (ledger.graded_at[a.reference] - a.first_sent_at) * 1000
        for a in result.accepted
        if a.reference in ledger.graded_at
    ]
    return StepResult(
        rate=rate,
        sent=count,
        accepted=len(result.accepted),
        achieved_rate=len(result.accepted) / sending,
        errors=sum(1 for answer in result.answers if answer.status != 202),
        lost=len(result.accepted) - len(latencies),
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
    )


def render_step(step: StepResult, p99_limit_ms: float) -> str:
    return (
        f"{step.rate:6.0f}/s  achieved {step.achieved_rate:6.1f}/s  accepted {step.accepted:5d}/{step.sent:<5d} "
        f"errors {step.errors:4d}  lost {step.lost:4d}  p50 {step.p50_ms:7.0f} ms  p99 {step.p99_ms:7.0f} ms  "
        + ("holds" if step.holds(p99_limit_ms) else "BREAKS DOWN")
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="make load")
    parser.add_argument("--rates", type=float, nargs="*", default=list(DEFAULT_RATES), help="submissions/s per step")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each step")
    parser.add_argument("--p99-limit-ms", type=float, default=2_000.0, help="p99 send→Graded that breaks down")
    parser.add_argument("--drain-timeout", type=float, default=60.0, help="how long to wait for a step's gradings")
    args = parser.parse_args()
    print(
        f"load: {os.cpu_count()} CPUs; each step {args.seconds:.0f} s; breaks down at p99 > {args.p99_limit_ms:.0f} ms"
    )
    sustained: StepResult | None = None
    with tempfile.TemporaryDirectory(prefix="cpi-load-") as root:
        stack = ChaosStack.start(Path(root))
        try:
            for rate in args.rates:
                step = run_step(stack, rate, args.seconds, args.drain_timeout)
                print(render_step(step, args.p99_limit_ms), flush=True)
                if not step.holds(args.p99_limit_ms):
                    break
                sustained = step
        finally:
            stack.stop()
    if sustained is None:
        print("no step held")
    else:
        print(
            f"sustained with no loss: {sustained.rate:.0f} submissions/s "
            f"(p50 {sustained.p50_ms:.0f} ms, p99 {sustained.p99_ms:.0f} ms)"
        )


if __name__ == "__main__":
    main()
