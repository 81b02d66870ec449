"""Image build guard: every wheel in the wheelhouse is the project itself or a version pinned in the lock.

Used by the Dockerfile's builder stage after `pip wheel --constraint requirements.lock .`, so an
unpinned transitive dependency (one the lock does not name) fails the build instead of floating.
Usage: python check_wheels.py WHEELHOUSE LOCKFILE
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROJECT = "cpi-pipeline"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lockfile: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in lockfile.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalise(name.split("[", 1)[0])] = version.strip()
    return pins


def main(wheelhouse: str, lockfile: str) -> int:
    pins = locked_versions(Path(lockfile))
    wheels = sorted(Path(wheelhouse).glob("*.whl"))
    problems = []
    for wheel in wheels:
        name, version = wheel.name.split("-")[:2]
        if normalise(name) == PROJECT:
            continue
        if pins.get(normalise(name)) != version:
            problems.append(f"{wheel.name} (lock has {pins.get(normalise(name), 'no pin')})")
    if not any(normalise(w.name.split("-")[0]) == PROJECT for w in wheels):
        problems.append(f"no {PROJECT} wheel")
    if problems:
        print("wheels not pinned by the lock: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"{len(wheels)} wheels, all pinned by {lockfile}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
