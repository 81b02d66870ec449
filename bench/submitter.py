"""A paced load generator in a process of its own: `python -m bench.submitter URL COUNT RATE [TEXT]`.

Posts COUNT forms at RATE a second and prints each accepted reference on a line. Kept apart from the
process that measures arrival times, so sending never delays the receiving side's clock readings.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from tests.factories import submission_json


async def submit(url: str, count: int, rate: float, text: str) -> list[str]:
    references: list[str] = []
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(n: int) -> None:
            await asyncio.sleep(n / rate)
            response = await client.post(url, json=submission_json(text))
            response.raise_for_status()
            references.append(response.json()["reference"])

        await asyncio.gather(*(one(n) for n in range(count)))
    return references


async def submit_from_process(url: str, count: int, rate: float, text: str) -> set[str]:
    """Runs this module as a child process and collects the references it prints."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.submitter", url, str(count), str(rate), text, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the submitter failed with exit code {child.returncode}")
    return set(out.decode().split())


if __name__ == "__main__":
    target, how_many, per_second, words = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    print("\n".join(asyncio.run(submit(target, how_many, per_second, words))))
