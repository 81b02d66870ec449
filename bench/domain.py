"""The pure domain steps on one core: sanitiser documents/s (500-word texts) and gradings/s."""

from __future__ import annotations

from services.grader.evaluate import DEFAULT_CORPUS as GRADER_CORPUS
from services.grader.evaluate import gradings_per_second, load_corpus
from services.grader.policy import DEFAULT_POLICY_PATH, load_policy
from services.sanitiser.evaluate import benchmark as sanitiser_documents_per_second


def bench_sanitiser() -> None:
    repeated = sanitiser_documents_per_second(documents=1_000, words=500)
    all_new = sanitiser_documents_per_second(documents=1_000, words=500, new_identities=True)
    print("\n== sanitiser, one core ==")
    print(f"  500-word documents, repeated identities : {repeated:8.0f} /s")
    print(f"  500-word documents, all-new identities  : {all_new:8.0f} /s  (target ≥ 500: production sees new people)")


def bench_grader() -> None:
    rate = gradings_per_second(load_corpus(GRADER_CORPUS), load_policy(DEFAULT_POLICY_PATH), seconds=3.0)
    print("\n== grader, one core ==")
    print(f"  gradings           : {rate:8.0f} /s  (target ≥ 2,000)")
