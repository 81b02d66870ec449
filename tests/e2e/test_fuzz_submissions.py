"""Generated submissions through the whole stack: every valid one is accepted and graded, every broken one refused.

CPI_FUZZ_SUBMISSIONS sets how many valid documents go through (15 in the normal run; `make fuzz`
asks for more); the broken ones are cheap (refused at the edge) and run five times as many.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings

from cpi.devstack import DevStack
from tests.stack import event_counts, submit, wait_until
from tests.submission_strategies import BrokenDocument, broken_documents, valid_documents

SUBMISSIONS = int(os.environ.get("CPI_FUZZ_SUBMISSIONS", "15"))
FUZZ = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False)


def test_every_valid_submission_in_any_unicode_is_accepted_and_graded(stack: DevStack) -> None:
    intake = stack.url("intake")
    references: list[str] = []
    started = time.monotonic()
    with httpx.Client() as client:

        @settings(FUZZ, max_examples=SUBMISSIONS)
        @given(valid_documents)
        def accepted(document: dict[str, Any]) -> None:
            response = submit(client, intake, document)
            assert response.status_code == 202, response.text
            references.append(response.json()["reference"])

        accepted()
    database_url = stack.database_url or ""

    def all_graded() -> bool:
        return set(references) <= set(event_counts(database_url).get("Graded", {}))

    wait_until(all_graded, 60 + 2 * len(references), f"{len(references)} generated submissions graded")
    counts = event_counts(database_url)
    assert not counts.get("MessageDeadLettered"), counts.get("MessageDeadLettered")
    print(f"{len(references)} generated submissions accepted and graded in {time.monotonic() - started:.1f}s")


def test_every_broken_submission_is_refused_422_at_its_field(stack: DevStack) -> None:
    intake = stack.url("intake")
    with httpx.Client() as client:

        @settings(FUZZ, max_examples=SUBMISSIONS * 5)
        @given(broken_documents())
        def refused(broken: BrokenDocument) -> None:
            response = submit(client, intake, broken.document)
            assert response.status_code == 422, response.text
            errors = response.json()["detail"]
            at_field = [error for error in errors if error["loc"] == ["body", *broken.loc]]
            assert at_field, (broken.loc, errors)
            if broken.control_character:
                assert any("control characters" in error["msg"] for error in at_field), at_field
            assert all("input" not in error for error in errors), "a refusal never echoes what was sent"

        refused()
