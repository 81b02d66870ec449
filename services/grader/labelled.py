"""Labelled submissions: what the grader is measured against and what its second opinion learns from.

A labelled set is a folder of `*.jsonl` (one case a line) and `*.json` (one case a file), or one
such file; each case is `{"id", "sanitised": <Sanitised event body>, "expected": {"priority",
"categories", "intelligence_assessment"}}`, labelled by LABELLING.md beside the sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from contracts.events import Sanitised

LABELLED_DIR = Path(__file__).parent / "labelled"


class LabelledSetError(ValueError):
    """A labelled file that cannot be read, or a case in it that is not a valid labelled case."""


@dataclass(frozen=True)
class LabelledCase:
    case_id: str
    sanitised: Sanitised
    priority: str
    categories: frozenset[str]
    intelligence_assessment: str


def set_files(path: Path) -> list[Path]:
    """The labelled files a path names: itself, or the folder's own *.jsonl and *.json (not sub-folders)."""
    if path.is_file():
        return [path]
    return sorted(path.glob("*.jsonl")) + sorted(path.glob("*.json"))


def _case(record: object, where: str) -> LabelledCase:
    if not isinstance(record, dict):
        raise LabelledSetError(f"{where}: not a labelled case: not a JSON object")
    try:
        expected = record["expected"]
        return LabelledCase(
            case_id=str(record["id"]),
            sanitised=Sanitised.model_validate(record["sanitised"]),
            priority=str(expected["priority"]),
            categories=frozenset(expected["categories"]),
            intelligence_assessment=str(expected["intelligence_assessment"]),
        )
    except KeyError as exc:
        raise LabelledSetError(f"{where}: not a labelled case: missing {exc}") from None
    except (TypeError, ValidationError) as exc:
        first = str(exc).splitlines()[:1]
        raise LabelledSetError(f"{where}: not a labelled case: {first[0] if first else type(exc).__name__}") from None


def _records(path: Path) -> Iterable[tuple[object, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledSetError(f"{path}: cannot read: {exc}") from None
    lines = text.splitlines() if path.suffix == ".jsonl" else [text]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}" if path.suffix == ".jsonl" else str(path)
        try:
            yield json.loads(line), where
        except json.JSONDecodeError as exc:
            raise LabelledSetError(f"{where}: not JSON: {exc.msg}") from None


def load_cases(paths: Iterable[Path]) -> list[LabelledCase]:
    """Every labelled case in the files the paths name, in file and line order."""
    return [_case(record, where) for path in paths for file in set_files(path) for record, where in _records(file)]
