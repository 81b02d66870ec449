"""Measure a grading policy against a labelled set: `python -m services.grader.evaluate --corpus DIR`.

A set the policy's second opinion learns from is measured by a model trained without it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from contracts.events import Priority
from services.grader.domain import grade
from services.grader.labelled import LABELLED_DIR, LabelledCase, load_cases, set_files
from services.grader.policy import DEFAULT_POLICY_PATH, Policy, PolicyError, load_policy

DEFAULT_CORPUS = LABELLED_DIR
TARGET_HIGH_RECALL = 1.0
TARGET_PRIORITY_ACCURACY = 0.90
TARGET_ASSESSMENT_ACCURACY = 0.85
PRIORITIES = [p.value for p in Priority]


@dataclass
class Report:
    total: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    category_counts: dict[str, Counter[str]] = field(default_factory=dict)
    assessment_correct: int = 0
    misgraded: list[str] = field(default_factory=list)

    def priority_accuracy(self) -> float:
        return sum(n for (want, got), n in self.confusion.items() if want == got) / max(self.total, 1)

    def recall(self, priority: str) -> float:
        wanted = sum(n for (want, _), n in self.confusion.items() if want == priority)
        return self.confusion[(priority, priority)] / wanted if wanted else 1.0

    def assessment_accuracy(self) -> float:
        return self.assessment_correct / max(self.total, 1)

    def missed_targets(self) -> list[str]:
        missed = []
        if self.recall(Priority.HIGH.value) < TARGET_HIGH_RECALL:
            missed.append(f"HIGH recall {self.recall(Priority.HIGH.value):.1%} < {TARGET_HIGH_RECALL:.0%}")
        if self.priority_accuracy() < TARGET_PRIORITY_ACCURACY:
            missed.append(f"priority accuracy {self.priority_accuracy():.1%} < {TARGET_PRIORITY_ACCURACY:.0%}")
        if self.assessment_accuracy() < TARGET_ASSESSMENT_ACCURACY:
            missed.append(
                f"intelligence assessment accuracy {self.assessment_accuracy():.1%} < {TARGET_ASSESSMENT_ACCURACY:.0%}"
            )
        return missed


def load_corpus(directory: Path) -> list[LabelledCase]:
    """Every labelled case in the folder's own *.jsonl (one per line) and *.json (one per file)."""
    return load_cases([directory])


def evaluate(cases: list[LabelledCase], policy: Policy) -> Report:
    report = Report()
    for case in cases:
        decision = grade(case.sanitised, policy)
        got = decision.priority.value
        report.total += 1
        report.confusion[(case.priority, got)] += 1
        predicted = set(decision.categories)
        for category in case.categories | predicted:
            counts = report.category_counts.setdefault(category, Counter())
            counts[
                "tp"
                if category in case.categories and category in predicted
                else "fn"
                if category in case.categories
                else "fp"
            ] += 1
        assessment_ok = decision.intelligence_assessment == case.intelligence_assessment
        report.assessment_correct += assessment_ok
        if got != case.priority or not assessment_ok:
            report.misgraded.append(
                f"{case.case_id}: priority {case.priority}->{got}, "
                f"assessment {case.intelligence_assessment}->{decision.intelligence_assessment}"
            )
    return report


def gradings_per_second(cases: list[LabelledCase], policy: Policy, seconds: float = 2.0) -> float:
    done = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for case in cases:
            grade(case.sanitised, policy)
        done += len(cases)
    return done / elapsed


def render(report: Report) -> str:
    width = max(len(p) for p in PRIORITIES) + 2
    lines = [
        "Priority confusion matrix (rows: expected, columns: graded)",
        " " * width + "".join(p.rjust(width) for p in PRIORITIES),
    ]
    for want in PRIORITIES:
        lines.append(want.ljust(width) + "".join(str(report.confusion[(want, got)]).rjust(width) for got in PRIORITIES))
    lines.append(
        f"cases {report.total}; priority accuracy {report.priority_accuracy():.1%}; "
        + "; ".join(f"{p} recall {report.recall(p):.1%}" for p in PRIORITIES)
    )
    lines.append(f"intelligence assessment accuracy {report.assessment_accuracy():.1%}")
    lines.append("category            precision  recall  (tp/fp/fn)")
    for category, counts in sorted(report.category_counts.items()):
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"{category:<20}{precision:>9.0%}{recall:>8.0%}  ({tp}/{fp}/{fn})")
    lines += [f"misgraded {line}" for line in report.misgraded]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY_PATH)
    parser.add_argument("--bench", action="store_true", help="also measure gradings per second")
    args = parser.parse_args(argv)
    try:
        # A set the second opinion learned from is measured by a model trained without it.
        policy = load_policy(args.policy).with_second_opinion(args.policy.parent, leaving_out=set_files(args.corpus))
    except PolicyError as exc:
        print(f"policy error: {exc}", file=sys.stderr)
        return 2
    cases = load_corpus(args.corpus)
    if not cases:
        print(f"no labelled cases in {args.corpus}", file=sys.stderr)
        return 2
    report = evaluate(cases, policy)
    print(f"policy {policy.version} ({args.policy}); corpus {args.corpus}")
    if policy.learned is not None:
        print(f"second opinion {policy.learned.digest[:12]}: {policy.learned.examples} examples, none from this set")
    print(render(report))
    if args.bench:
        print(f"gradings/second (one core): {gradings_per_second(cases, policy):,.0f}")
    missed = report.missed_targets()
    for line in missed:
        print(f"TARGET MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
