"""The triage view's fold: what each event does to a submission's row, values in and values out."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.events import (
    AlertAcknowledged,
    AlertDelivered,
    AlertDispatched,
    AlertEscalated,
    EventModel,
    Graded,
    GradeReason,
    GradeReviewed,
    LinkedIdentifier,
    Priority,
    ReviewDeadlineBreached,
    Sanitised,
    SanitisedText,
    SealedPayload,
    SourceContext,
    SubmissionErased,
    SubmissionReceived,
    SubmissionStatusChanged,
)
from eventstore.store import StoredEvent
from services.triage.projection import parse_for_view
from services.triage.view_fold import (
    STATUS_ORDER,
    Recorded,
    TriageRow,
    advance,
    fold,
    fold_all,
    linked_rows,
    row_reference,
)

REF = "CPI-7K3M-Q9TD"
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
KEY = uuid.UUID(int=1)


def received(reference: str = REF) -> SubmissionReceived:
    sealed = SealedPayload(key_id=KEY, nonce="bm9uY2U=", ciphertext="Y2lwaGVy")
    return SubmissionReceived(
        reference=reference, received_at=T0, review_due_at=T0 + timedelta(hours=24), sealed=sealed
    )


def sanitised(links: tuple[tuple[str, str], ...] = ()) -> Sanitised:
    return Sanitised(
        reference=REF,
        source_ref="src-0001",
        intelligence_log=SanitisedText(text="Youths meet pupils at the park gates."),
        partnership_summary=SanitisedText(text="Concern about older youths."),
        redaction_counts={"person": 2},
        location="Park gates, Southampton",
        source_context=SourceContext(how_known="saw it", when_known="yesterday", shared_with="nobody"),
        sanitiser_version="test",
        linked_identifiers=[LinkedIdentifier(type=kind, digest=digest) for kind, digest in links],
    )


def graded(priority: Priority = Priority.NORMAL) -> Graded:
    reasons = [GradeReason(rule_id="r1", text="exploitation words")]
    return Graded(reference=REF, priority=priority, categories=["exploitation"], reasons=reasons, policy_version="p1")


def reviewed(priority: Priority = Priority.HIGH) -> GradeReviewed:
    return GradeReviewed(
        reference=REF,
        reviewer="analyst-1",
        role="analyst",
        priority=priority,
        categories=["exploitation", "weapons"],
        source_evaluation="B",
        intelligence_assessment="2",
        handling_code="P",
        rationale="knife mentioned",
        previous_priority=Priority.NORMAL,
        changed=True,
    )


def status(action: str, **fields: object) -> SubmissionStatusChanged:
    return SubmissionStatusChanged(reference=REF, action=action, reason="because", changed_by="analyst-1", **fields)


def at(event: EventModel, position: int, correlation_id: str = REF) -> Recorded:
    return Recorded(event, position, T0 + timedelta(minutes=position), correlation_id)


def run(*events: EventModel) -> TriageRow | None:
    row: TriageRow | None = None
    for position, event in enumerate(events, start=1):
        row = fold(row, at(event, position))
    return row


def test_a_receipt_creates_the_row_with_the_views_defaults() -> None:
    row = run(received())
    assert row == TriageRow(REF, "received", T0, T0 + timedelta(hours=24), last_position=1)
    assert (row.categories, row.alert_state, row.breached, row.erased) == ("[]", "none", False, False)


def test_a_second_receipt_leaves_the_row_exactly_as_it_was() -> None:
    row = run(received(), sanitised())
    assert fold(row, at(received(), 9)) is row


def test_an_event_for_a_submission_without_a_row_changes_nothing() -> None:
    assert fold(None, at(graded(), 1)) is None
    assert fold(None, at(reviewed(), 1)) is None


def test_sanitising_fills_the_texts_and_counts_as_json_and_stamps_the_time() -> None:
    row = run(received(), sanitised())
    assert row is not None and row.status == "sanitised" and row.last_position == 2
    assert row.sanitised_at == T0 + timedelta(minutes=2)
    assert json.loads(row.intelligence_log or "") == {"text": "Youths meet pupils at the park gates.", "redactions": []}
    assert json.loads(row.redaction_counts or "") == {"person": 2}


def test_grading_records_the_whole_proposal_without_the_reference() -> None:
    row = run(received(), sanitised(), graded(Priority.CRIME_NOT_INTEL))
    assert row is not None and row.status == "graded" and row.priority == "CRIME_NOT_INTEL"
    grade = json.loads(row.grade or "")
    assert "reference" not in grade and grade["reasons"][0]["rule_id"] == "r1" and grade["policy_version"] == "p1"
    assert json.loads(row.categories) == ["exploitation"]


def test_a_review_replaces_the_grading_fields_keeps_the_reasons_and_adds_the_review() -> None:
    row = run(received(), graded(), reviewed(Priority.HIGH))
    assert row is not None and row.status == "reviewed" and row.priority == "HIGH"
    grade = json.loads(row.grade or "")
    assert grade["priority"] == "HIGH" and grade["handling_code"] == "P" and grade["reasons"][0]["rule_id"] == "r1"
    assert grade["review"] == {
        "priority": "HIGH",
        "categories": ["exploitation", "weapons"],
        "source_evaluation": "B",
        "intelligence_assessment": "2",
        "handling_code": "P",
        "reviewer": "analyst-1",
        "rationale": "knife mentioned",
        "changed": True,
        "previous_priority": "NORMAL",
    }


def test_a_review_before_any_grade_makes_a_grade_of_its_own() -> None:
    row = run(received(), reviewed(Priority.NORMAL))
    grade = json.loads(row.grade or "") if row else {}
    assert set(grade) == {
        "priority",
        "categories",
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
        "review",
    }


def test_status_never_moves_back_but_a_late_event_still_brings_its_fields() -> None:
    row = run(received(), graded(), sanitised())
    assert row is not None and row.status == "graded" and row.sanitised_at is not None and row.last_position == 3
    closed = run(received(), status("closed", outcome="no further action"), status("assigned", team="neighbourhood"))
    assert closed is not None and closed.status == "closed"
    assert (closed.outcome, closed.assigned_team) == ("no further action", "neighbourhood")


def test_assigning_actions_the_submission_and_reclassifying_changes_only_the_priority() -> None:
    row = run(received(), graded(Priority.NORMAL), status("assigned", team="cid"))
    assert row is not None and (row.status, row.assigned_team) == ("actioned", "cid")
    row = fold(row, at(status("reclassified", priority=Priority.HIGH), 4))
    assert row is not None and (row.status, row.priority, row.last_position) == ("actioned", "HIGH", 4)
    row = fold(row, at(status("reclassified"), 5))
    assert row is not None and (row.priority, row.last_position) == ("HIGH", 5)


def test_alerts_breaches_and_erasure_set_their_flags_without_touching_status() -> None:
    alert_id = uuid.UUID(int=2)
    dispatched = AlertDispatched(reference=REF, alert_id=alert_id, channel="c", priority=Priority.HIGH, subject="s")
    escalated = AlertEscalated(reference=REF, alert_id=alert_id, escalation_number=1, unacknowledged_since=T0)
    acknowledged = AlertAcknowledged(reference=REF, alert_id=alert_id, acknowledged_by="x", acknowledged_at=T0)
    assert getattr(run(received(), dispatched), "alert_state", None) == "dispatched"
    assert getattr(run(received(), dispatched, escalated), "alert_state", None) == "escalated"
    assert getattr(run(received(), escalated, acknowledged), "alert_state", None) == "acknowledged"
    breach = ReviewDeadlineBreached(reference=REF, review_due_at=T0, detected_at=T0)
    erased = SubmissionErased(reference=REF, key_id=KEY, reason="request", erased_by="dpo")
    row = run(received(), breach, erased)
    assert row is not None and row.breached and row.erased and row.status == "received" and row.last_position == 3


def test_fold_all_keys_receipts_by_reference_and_later_events_by_correlation() -> None:
    rows: dict[str, TriageRow] = {}
    other = "CPI-OTHER-0001"
    changed = fold_all(rows, [at(received(), 1), at(received(other), 2), at(graded(), 3, correlation_id=other)])
    assert changed == {REF, other}
    assert rows[REF].status == "received" and rows[other].status == "graded"


def test_fold_all_reports_nothing_changed_for_a_repeated_receipt() -> None:
    rows = {REF: TriageRow(REF, "graded", T0, T0, last_position=7)}
    assert fold_all(rows, [at(received(), 8)]) == set()
    assert rows[REF].last_position == 7


def test_linked_rows_keep_the_first_type_seen_for_each_digest_and_reference() -> None:
    first = sanitised((("phone", "d1"), ("vehicle", "d2")))
    second = sanitised((("handle", "d1"),))
    assert linked_rows([at(first, 1), at(graded(), 2), at(second, 3)]) == [("d1", "phone", REF), ("d2", "vehicle", REF)]


def test_parsing_skips_event_types_the_view_ignores_and_payloads_not_read() -> None:
    delivered = AlertDelivered(
        reference=REF, alert_id=KEY, endpoint="e", status_code=200, latency_ms=3, attempts=1
    ).model_dump_json()
    stored = [
        StoredEvent(1, "SubmissionReceived", REF, T0, received().model_dump_json()),
        StoredEvent(2, "AlertDelivered", REF, T0, delivered),
        StoredEvent(3, "SomethingFromTheFuture", REF, T0, "{}"),
        StoredEvent(4, "Graded", REF, T0, None),
        StoredEvent(5, "Graded", REF, T0, graded().model_dump(mode="json")),
    ]
    parsed = parse_for_view(stored)
    assert [(r.position, type(r.event)) for r in parsed] == [(1, SubmissionReceived), (5, Graded)]
    assert parsed[0].event == received()


def test_advance_orders_statuses_and_leaves_an_unknown_status_alone() -> None:
    assert advance("received", "graded") == "graded"
    assert advance("closed", "sanitised") == "closed"
    assert advance("archived", "graded") == "archived"


_STEPS = st.sampled_from(
    [
        sanitised(),
        graded(),
        reviewed(),
        status("assigned", team="t"),
        status("closed", outcome="o"),
        status("reclassified", priority=Priority.NORMAL),
        ReviewDeadlineBreached(reference=REF, review_due_at=T0, detected_at=T0),
    ]
)
_STATUS_OF = {Sanitised: "sanitised", Graded: "graded", GradeReviewed: "reviewed"}


def _implied(event: EventModel) -> str:
    if isinstance(event, SubmissionStatusChanged):
        return {"assigned": "actioned", "closed": "closed"}.get(event.action, "received")
    return _STATUS_OF.get(type(event), "received")


@given(st.lists(_STEPS, max_size=12))
def test_status_is_the_furthest_any_event_reached_whatever_the_order(steps: list[EventModel]) -> None:
    row = run(received(), *steps)
    assert row is not None and row.last_position == len(steps) + 1
    assert row.status == max(["received", *map(_implied, steps)], key=STATUS_ORDER.index)


OTHER = "CPI-OTHER-0001"
_ANY_EVENT = st.sampled_from(
    [
        received(),
        sanitised(),
        graded(),
        reviewed(),
        status("assigned", team="t"),
        status("closed", outcome="o"),
        status("reclassified", priority=Priority.NORMAL),
        status("reclassified"),
        ReviewDeadlineBreached(reference=REF, review_due_at=T0, detected_at=T0),
        AlertDispatched(reference=REF, alert_id=KEY, channel="c", priority=Priority.HIGH, subject="s"),
        AlertEscalated(reference=REF, alert_id=KEY, escalation_number=1, unacknowledged_since=T0),
        AlertAcknowledged(reference=REF, alert_id=KEY, acknowledged_by="x", acknowledged_at=T0),
        SubmissionErased(reference=REF, key_id=KEY, reason="request", erased_by="dpo"),
        AlertDelivered(reference=REF, alert_id=KEY, endpoint="e", status_code=200, latency_ms=3, attempts=1),
    ]
)


@given(st.lists(st.tuples(_ANY_EVENT, st.sampled_from([REF, OTHER])), max_size=16), st.booleans())
def test_folding_a_batch_gives_the_rows_and_changes_that_folding_one_event_at_a_time_gives(
    steps: list[tuple[EventModel, str]], known_before: bool
) -> None:
    batch: list[Recorded] = []
    for position, (event, reference) in enumerate(steps, start=10):
        event = received(reference) if isinstance(event, SubmissionReceived) else event
        batch.append(at(event, position, correlation_id=reference))
    before = {OTHER: TriageRow(OTHER, "graded", T0, T0, priority="HIGH", last_position=3)} if known_before else {}
    expected, expected_changed = dict(before), set()
    for recorded in batch:
        reference = row_reference(recorded)
        row = fold(expected.get(reference), recorded)
        if row is not None and row is not expected.get(reference):
            expected[reference] = row
            expected_changed.add(reference)
    rows = dict(before)
    assert fold_all(rows, batch) == expected_changed
    assert rows == expected
