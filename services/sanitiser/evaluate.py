"""Scores the sanitiser against the labelled corpus and measures its throughput.

``python -m services.sanitiser.evaluate [--corpus DIR] [--bench]`` prints recall and precision
per product and per type, and exits non-zero when a target is missed.

Definitions (all matching is case-insensitive, placeholders such as ``[NAME]`` removed first):

* **Recall** of a type: labelled ``must_not_contain`` strings of that type absent from the
  product (as whole words: "Tia" is not found in "potential"), over all such labels whose text
  is in the input. Each reporter and source form field value (names, organisation, role, phone,
  email, address, recontact details) is added to both products' labels as type
  ``FIELD_VALUE``, checked as a plain substring. The intelligence log is checked together with
  its cleaned location, occurred_text and source context, which travel with it.
* **Precision** of a product: redactions (spans of the original text) that overlap an occurrence
  of any labelled identifier or of a reporter/source name part, over all redactions made.
* **Keep rate**: ``must_contain`` strings still present in the product, over all of them.

Targets: intelligence-log recall 100%; partnership-summary recall >= 98% and precision >= 95%;
intelligence-log keep rate >= 95%.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.submission import Submission
from services.sanitiser.benchmark import documents_per_second, long_submissions
from services.sanitiser.domain import SanitisedProducts, sanitise
from services.sanitiser.identity import name_parts

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus" / "sanitiser"
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
PRODUCTS = ("intelligence_log", "partnership_summary")


@dataclass
class Tally:
    """Hits over totals, keyed by type."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, kind: str, hit: bool) -> None:
        self.totals[kind] += 1
        self.hits[kind] += int(hit)

    def rate(self, kind: str | None = None) -> float:
        hits = sum(self.hits.values()) if kind is None else self.hits[kind]
        total = sum(self.totals.values()) if kind is None else self.totals[kind]
        return hits / total if total else 1.0


@dataclass
class Scores:
    """Recall, precision and keep rate of each product over a corpus."""

    recall: dict[str, Tally] = field(default_factory=lambda: {p: Tally() for p in PRODUCTS})
    precision: dict[str, Tally] = field(default_factory=lambda: {p: Tally() for p in PRODUCTS})
    kept: dict[str, Tally] = field(default_factory=lambda: {p: Tally() for p in PRODUCTS})
    misses: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        checks = {
            "intelligence_log recall == 100%": self.recall["intelligence_log"].rate() == 1.0,
            "partnership_summary recall >= 98%": self.recall["partnership_summary"].rate() >= 0.98,
            "partnership_summary precision >= 95%": self.precision["partnership_summary"].rate() >= 0.95,
            "intelligence_log keep rate >= 95%": self.kept["intelligence_log"].rate() >= 0.95,
        }
        return [name for name, passed in checks.items() if not passed]


def load_corpus(directory: Path) -> list[dict[str, Any]]:
    """Every item of every *.json (one item or a list) and *.jsonl file in the directory."""
    items: list[dict[str, Any]] = []
    for path in sorted(directory.iterdir()):
        if path.suffix == ".jsonl":
            items += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        elif path.suffix == ".json":
            loaded = json.loads(path.read_text())
            items += loaded if isinstance(loaded, list) else [loaded]
    return items


def field_values(submission: Submission) -> list[str]:
    """The reporter's and source's identifying form field values."""
    reporter, source = submission.reporter, submission.source
    return [
        value
        for value in (
            reporter.name,
            reporter.organisation,
            reporter.role,
            reporter.telephone,
            str(reporter.email),
            source.name,
            source.address,
            source.telephone,
            str(source.email) if source.email else None,
            source.recontact_details,
        )
        if value
    ]


def product_texts(products: SanitisedProducts) -> dict[str, str]:
    context = products.source_context
    intelligence = "\n".join(
        filter(
            None,
            (
                products.intelligence_log.text,
                products.location,
                products.occurred_text,
                context.how_known,
                context.when_known,
                context.shared_with,
            ),
        )
    )
    return {"intelligence_log": intelligence, "partnership_summary": products.partnership_summary.text}


def _appears(needle: str, haystack: str, *, whole_word: bool) -> bool:
    """Whether the needle is in the haystack; as a whole word unless field values are checked."""
    if not whole_word:
        return needle.lower() in haystack.lower()
    return re.search(rf"(?<![^\W_]){re.escape(needle)}(?![^\W_])", haystack, re.IGNORECASE) is not None


def _occurrences(text: str, needles: list[str]) -> list[tuple[int, int]]:
    lowered = text.lower()
    found: list[tuple[int, int]] = []
    for needle in filter(None, (n.lower() for n in needles)):
        start = lowered.find(needle)
        while start != -1:
            found.append((start, start + len(needle)))
            start = lowered.find(needle, start + 1)
    return found


def score_item(item: dict[str, Any], scores: Scores) -> None:
    submission = Submission.model_validate(item["submission"])
    products = sanitise(submission)
    texts = product_texts(products)
    original = submission.information.text
    inputs = {
        "intelligence_log": "\n".join(
            filter(
                None,
                (
                    original,
                    submission.information.location,
                    submission.information.occurred_text,
                    submission.source.how_known,
                    submission.source.when_known,
                    submission.shared_with,
                ),
            )
        ),
        "partnership_summary": original,
    }
    fields = field_values(submission)
    parts = [p for name in (submission.reporter.name, submission.source.name or "") for p in name_parts(name)]
    for product in PRODUCTS:
        visible = _PLACEHOLDER.sub(" \u00a6 ", texts[product]).lower()
        labels = [(label["text"], label["type"]) for label in item[product]["must_not_contain"]]
        labels += [(value, "FIELD_VALUE") for value in fields]
        for text, kind in labels:
            if text.lower() in inputs[product].lower():
                missed = _appears(text, visible, whole_word=kind != "FIELD_VALUE")
                scores.recall[product].add(kind, not missed)
                if missed:
                    scores.misses.append(f"{item['id']} {product} leaked {kind}: {text!r}")
        for text in item[product]["must_contain"]:
            kept = text.lower() in texts[product].lower()
            scores.kept[product].add("must_contain", kept)
            if not kept:
                scores.misses.append(f"{item['id']} {product} lost: {text!r}")
        wanted = _occurrences(original, [text for text, _ in labels] + parts)
        for redaction in getattr(products, product).redactions:
            correct = any(s < redaction.end and redaction.start < e for s, e in wanted)
            scores.precision[product].add(redaction.type, correct)
            if not correct:
                scores.misses.append(
                    f"{item['id']} {product} over-redacted {redaction.type}: "
                    f"{original[redaction.start : redaction.end]!r}"
                )


def evaluate(directory: Path = DEFAULT_CORPUS) -> Scores:
    scores = Scores()
    for item in load_corpus(directory):
        score_item(item, scores)
    return scores


def report(scores: Scores, *, verbose: bool) -> str:
    lines: list[str] = []
    for product in PRODUCTS:
        recall, precision, kept = scores.recall[product], scores.precision[product], scores.kept[product]
        lines.append(
            f"{product}: recall {recall.rate():.1%} ({sum(recall.hits.values())}/"
            f"{sum(recall.totals.values())}), precision {precision.rate():.1%} "
            f"({sum(precision.hits.values())}/{sum(precision.totals.values())}), "
            f"kept {kept.rate():.1%} ({sum(kept.hits.values())}/{sum(kept.totals.values())})"
        )
        for kind in sorted(recall.totals):
            lines.append(
                f"  recall    {kind:<18} {recall.rate(kind):7.1%}  ({recall.hits[kind]}/{recall.totals[kind]})"
            )
        for kind in sorted(precision.totals):
            lines.append(
                f"  precision {kind:<18} {precision.rate(kind):7.1%}  ({precision.hits[kind]}/{precision.totals[kind]})"
            )
    if verbose:
        lines += scores.misses
    return "\n".join(lines)


def benchmark(
    directory: Path = DEFAULT_CORPUS, documents: int = 1000, words: int = 500, *, new_identities: bool = False
) -> float:
    """Documents per second, one process, on texts of about `words` words built from the corpus;
    the corpus's submissions in turn, or with new_identities each document with people of its own."""
    items = load_corpus(directory)
    submissions = long_submissions(items, words, new_identities=documents + 1 if new_identities else 0)
    return documents_per_second(submissions, documents)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--bench", action="store_true", help="also measure documents/second")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    scores = evaluate(args.corpus)
    print(report(scores, verbose=args.verbose))
    if args.bench:
        for new_identities, label in ((False, "repeated identities"), (True, "all-new identities")):
            rate = benchmark(args.corpus, new_identities=new_identities)
            print(f"throughput: {rate:.0f} documents/second (500 words, one process, {label})")
    failures = scores.failures()
    for failure in failures:
        print(f"TARGET MISSED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
