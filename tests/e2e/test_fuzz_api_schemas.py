"""Schemathesis against intake's and triage's own OpenAPI schemas, on a running stack: no 5xx, answers as declared.

Each operation is fuzzed with data that fits its schema and with data that does not, and the
operations that take a reference once more with the reference of a real graded submission, so
decisions get recorded too. CPI_FUZZ_EXAMPLES sets the examples per operation and mode (25 in the
normal run; `make fuzz` asks for 500).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from cpi.devstack import DevStack
from tests.factories import submission_json
from tests.stack import bearer, submit, wait_until

EXAMPLES = int(os.environ.get("CPI_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, response_schema_conformance]
Headers = Callable[[str], dict[str, str]]


def _role_for(path: str) -> str:
    return "auditor" if path.startswith("/api/v1/audit") else "analyst"


def _fuzz_operations(
    base_url: str, headers_for: Headers, mode: GenerationMode, path_parameters: dict[str, str] | None = None
) -> tuple[list[str], Counter[int]]:
    """Every operation of the service's schema; the failures found (one per operation) and the statuses seen."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the schema has an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()
        if path_parameters is not None and "{reference}" not in operation.path:
            continue
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        try:
            _fuzz_one(strategy, base_url, headers_for(operation.path), statuses)
        except Unsatisfiable:
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
                continue  # nothing to make invalid: an operation without parameters or body
            failures.append(f"{operation.label} [{mode.value}]: no input could be generated")
        except Exception as exc:  # a failing operation is reported with the others, not alone
            failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures, statuses


def _has_inputs(operation: Any) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


def _fuzz_one(strategy: Any, base_url: str, headers: dict[str, str], statuses: Counter[int]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy)
    def run(case: Case[Any]) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.fixture(scope="module")
def graded_reference(stack: DevStack, jwt_secret: str) -> str:
    with httpx.Client() as client:
        response = submit(client, stack.url("intake"), submission_json())
    assert response.status_code == 202, response.text
    reference = str(response.json()["reference"])
    triage = f"{stack.url('triage')}/api/v1/triage/{reference}"

    def graded() -> bool:
        answer = httpx.get(triage, headers=bearer(jwt_secret, "analyst"), timeout=10)
        return answer.status_code == 200 and answer.json().get("status") == "graded"

    wait_until(graded, 60, "the seed submission graded")
    return reference


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_intake_never_fails_and_answers_as_its_schema_declares(stack: DevStack, mode: GenerationMode) -> None:
    started = time.monotonic()
    failures, statuses = _fuzz_operations(stack.url("intake"), lambda _: {}, mode)
    print(f"intake {mode.value}: {sum(statuses.values())} requests in {time.monotonic() - started:.1f}s {statuses}")
    assert failures == []
    assert sum(statuses.values()) > 0


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_triage_never_fails_and_answers_as_its_schema_declares(
    stack: DevStack, jwt_secret: str, mode: GenerationMode
) -> None:
    started = time.monotonic()
    failures, statuses = _fuzz_operations(stack.url("triage"), lambda path: bearer(jwt_secret, _role_for(path)), mode)
    print(f"triage {mode.value}: {sum(statuses.values())} requests in {time.monotonic() - started:.1f}s {statuses}")
    assert failures == []
    assert sum(statuses.values()) > 0


def test_decisions_on_a_real_graded_submission_never_fail(
    stack: DevStack, jwt_secret: str, graded_reference: str
) -> None:
    started = time.monotonic()
    failures, statuses = _fuzz_operations(
        stack.url("triage"),
        lambda path: bearer(jwt_secret, _role_for(path)),
        GenerationMode.POSITIVE,
        path_parameters={"reference": graded_reference},
    )
    print(f"triage on {graded_reference}: {sum(statuses.values())} requests in {time.monotonic() - started:.1f}s")
    assert failures == []
    assert statuses[201] > 0, statuses  # reviews and status changes were really recorded
