"""SubmissionReceived → Sanitised: unseal with the submission's own data key, sanitise, record."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.events import EventEnvelope, Sanitised, SubmissionReceived
from contracts.submission import Submission
from eventstore.data_keys import load_data_key
from services.common.consumer import HandlerFailed, Outcome, follow_on
from services.common.sealing import MasterKeyring, unseal
from services.sanitiser.domain import SANITISER_VERSION, sanitise, source_reference
from services.sanitiser.linking import linked_identifiers


@dataclass(frozen=True)
class SanitiserKeys:
    keyring: MasterKeyring
    pseudonym_key: bytes


async def sanitise_submission(conn: AsyncConnection, envelope: EventEnvelope, keys: SanitiserKeys) -> Outcome:
    received = envelope.event()
    assert isinstance(received, SubmissionReceived)  # nosec B101 # type narrowing for mypy
    wrapped = await load_data_key(conn, received.sealed.key_id)
    if wrapped is None:
        raise HandlerFailed("the submission's data key is gone (erased before it was sanitised)")
    plaintext = unseal(received.sealed, keys.keyring.unwrap(wrapped), received.reference)
    submission = Submission.model_validate_json(plaintext)
    products = sanitise(submission)
    event = Sanitised(
        reference=received.reference,
        source_ref=source_reference(submission, keys.pseudonym_key),
        intelligence_log=products.intelligence_log,
        partnership_summary=products.partnership_summary,
        redaction_counts=products.redaction_counts,
        location=products.location,
        occurred_at=submission.information.occurred_at,
        occurred_text=products.occurred_text,
        source_context=products.source_context,
        sanitiser_version=SANITISER_VERSION,
        received_at=received.received_at,
        linked_identifiers=linked_identifiers(
            submission.information.text,
            products.partnership_summary.redactions,
            products.intelligence_log.redactions,
            keys.pseudonym_key,
        ),
    )
    return follow_on(envelope, "sanitiser", event)
