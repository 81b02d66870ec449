"""The pure domain steps on one core: sanitiser documents/s (500-word texts) and gradings/s."""

from __future__ import annotations

from services.grader.evaluate import DEFAULT_CORPUS as GRADER_CORPUS
from services.grader.evaluate import gradings_per_second, load_corpus
from services.grader.policy import DEFAULT_POLICY_PATH, load_policy, load_policy_text
from services.sanitiser.evaluate import benchmark as sanitiser_documents_per_second


def bench_sanitiser() -> None:
    repeated = sanitiser_documents_per_second(documents=1_000, words=500)
    all_new = sanitiser_documents_per_second(documents=1_000, words=500, new_identities=True)
    print("\n== sanitiser, one core ==")
    print(f"  500-word documents, repeated identities : {repeated:8.0f} /s")
    print(f"  500-word documents, all-new identities  : {all_new:8.0f} /s  (target ≥ 500: production sees new people)")


def bench_grader() -> None:
    cases = load_corpus(GRADER_CORPUS)
    shipped = gradings_per_second(cases, load_policy(DEFAULT_POLICY_PATH), seconds=3.0)
    # The same policy with its learned second opinions left untrained: what a force gets by leaving
    # [second_opinion] out of its policy file.
    rules = load_policy_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), str(DEFAULT_POLICY_PATH))
    rules_alone = gradings_per_second(cases, rules, seconds=3.0)
    print("\n== grader, one core ==")
    print(f"  gradings, shipped policy (rules + learned second opinions) : {shipped:8.0f} /s  (target ≥ 2,000)")
    print(f"  gradings, the same rules without [second_opinion]          : {rules_alone:8.0f} /s")
