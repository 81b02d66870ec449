"""The pure domain steps on one core: sanitiser documents/s (500-word texts) and gradings/s.

`make bench` runs this in a process of its own once its stack has stopped, so no server of the
stack shares the machine with it; `make bench-domain` runs it alone. The process is held to one
core (the last this process may use), so "one core" is what the machine enforces, not an assumption.
"""

from __future__ import annotations

import os
import time

from services.grader.domain import grade
from services.grader.evaluate import DEFAULT_CORPUS as GRADER_CORPUS
from services.grader.evaluate import gradings_per_second, load_corpus
from services.grader.labelled import LABELLED_DIR, LabelledCase, load_cases
from services.grader.policy import DEFAULT_POLICY_PATH, Policy, load_policy, load_policy_text
from services.sanitiser.evaluate import benchmark as sanitiser_documents_per_second


def bench_sanitiser() -> None:
    repeated = sanitiser_documents_per_second(documents=1_000, words=500)
    all_new = sanitiser_documents_per_second(documents=1_000, words=500, new_identities=True)
    print("\n== sanitiser, one core ==")
    print(f"  500-word documents, repeated identities : {repeated:8.0f} /s")
    print(f"  500-word documents, all-new identities  : {all_new:8.0f} /s  (target ≥ 500: production sees new people)")


def _first_sight_per_second(cases: list[LabelledCase]) -> float:
    """Each text graded once by a freshly loaded policy: nothing any grading remembered helps another."""
    policy = load_policy(DEFAULT_POLICY_PATH)
    started = time.perf_counter()
    for case in cases:
        grade(case.sanitised, policy)
    return len(cases) / (time.perf_counter() - started)


def _best_cpu_per_second(cases: list[LabelledCase], policy: Policy, passes: int = 10) -> float:
    """Gradings per CPU second in the quickest of several passes over the cases.

    On a shared machine the wall-clock rate also measures the neighbours; the process's CPU time in
    its least disturbed pass is the steadiest figure of what the code itself costs.
    """
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for case in cases:
            grade(case.sanitised, policy)
        best = min(best, time.process_time() - started)
    return len(cases) / best if best > 0 else float("inf")


def _warmed(cases: list[LabelledCase], policy: Policy) -> Policy:
    """One pass before the clock starts: a running grader has long since seen its first texts, and
    the cost of first sight is measured on its own (`_first_sight_per_second`)."""
    for case in cases:
        grade(case.sanitised, policy)
    return policy


def bench_grader() -> None:
    cases = load_corpus(GRADER_CORPUS)
    policy = _warmed(cases, load_policy(DEFAULT_POLICY_PATH))
    shipped = gradings_per_second(cases, policy, seconds=3.0)
    shipped_cpu = _best_cpu_per_second(cases, policy)
    # The same policy with its learned second opinions left untrained: what a force gets by leaving
    # [second_opinion] out of its policy file.
    rules = _warmed(cases, load_policy_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), str(DEFAULT_POLICY_PATH)))
    rules_alone = gradings_per_second(cases, rules, seconds=3.0)
    # Every labelled set's texts, each seen once: what a stream of new submissions costs while the
    # cues' narrowings (services/grader/narrowing.py) are still learning which alternatives occur.
    every = load_cases([LABELLED_DIR, *sorted(path for path in LABELLED_DIR.iterdir() if path.is_dir())])
    first_sight = _first_sight_per_second(every)
    print("\n== grader, one core ==")
    print(f"  gradings, shipped policy (rules + learned second opinions) : {shipped:8.0f} /s  (target ≥ 2,000)")
    print(f"  the same, CPU time of the quickest of 10 passes             : {shipped_cpu:8.0f} /s")
    print(f"  gradings, the same rules without [second_opinion]          : {rules_alone:8.0f} /s")
    print(
        f"  gradings, shipped policy, {len(every):,} labelled texts each once  : {first_sight:8.0f} /s"
        "  (new texts, longer on average)"
    )


def one_core() -> str:
    """Hold this process to one core (the last it may use, away from where the system's interrupts
    usually land) and say which; where the system cannot (macOS has no affinity call), say so."""
    if not hasattr(os, "sched_setaffinity"):
        return "not held to one core: this system has no CPU affinity call; the work is single-threaded"
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"held to core {core}"


def main() -> None:
    print(f"\n(the one-core benchmarks run alone, {one_core()})")
    bench_sanitiser()
    bench_grader()


if __name__ == "__main__":
    main()
