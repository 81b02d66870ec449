"""A learned second opinion: word and word-pair weights learned from labelled submissions.

Two models are learned from the same labelled files. On priority the rules decide and the model may
only raise their proposal (to HIGH, or from NORMAL to a completed offence), never lower it. On the
intelligence assessment it may replace the rules' grade when it is confident, reading the form's own
answers (how and when the source knew, who else knows) beside the text. Every use is a reason naming
the words that weighed most. Each is a multinomial logistic regression over TF-IDF weighted terms,
trained in pure Python with a fixed seed, so the same labelled files always give the same model
(and the same digest).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter, mul
from pathlib import Path

from contracts.events import Sanitised
from services.grader.labelled import LabelledCase, load_cases

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words_and_pairs(text: str) -> list[str]:
    """Lower-cased words and adjacent word pairs: the model's vocabulary."""
    words = _WORD.findall(text.lower())
    return words + list(map(" ".join, pairwise(words)))  # "a b": mapped in C, for every grading


def log_terms(sanitised: Sanitised) -> list[str]:
    """The intelligence log's words and pairs: read by both models, so made once per grading."""
    return words_and_pairs(sanitised.intelligence_log.text)


def priority_terms(sanitised: Sanitised, log: list[str]) -> list[str]:
    """What the priority model reads: the log (`log_terms`) and the form's own "when".

    Not the partnership summary: in production it is the same text with more removed, so reading it
    would count every word twice, and the labelled sets' hand-written summaries would teach from
    words production never sends.
    """
    return log + words_and_pairs(sanitised.occurred_text) if sanitised.occurred_text else log


def _answer_terms(field: str, answer: str) -> list[str]:
    return [f"{field}:{term}" for term in words_and_pairs(answer)]


def assessment_terms(sanitised: Sanitised, log: list[str]) -> list[str]:
    """What the assessment model reads: the log (`log_terms`), and each of the form's source answers as
    its own field.

    "told" in "how did they find out" says something other than "told" in the story, so the answers'
    words are kept apart from the text's by a field prefix; the tick box and who the source is are terms too,
    and so is the pair of them: "told by the person involved" means A when the source is not the
    reporter (the source is that person) and C when it is (the reporter was told), and a model that
    weighs terms one at a time cannot learn that from the two apart.
    """
    context = sanitised.source_context
    choice = context.how_known_choice.value if context.how_known_choice is not None else "none"
    return [
        *log,
        *_answer_terms("how", context.how_known),
        *_answer_terms("when", context.when_known),
        *_answer_terms("shared", context.shared_with),
        f"choice:{choice}",
        f"choice_reporter:{choice}:{context.source_is_reporter}",  # the pair, see above
        f"source_is_reporter:{context.source_is_reporter}",
    ]


@dataclass(frozen=True)
class Example:
    terms: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Settings:
    epochs: int = 12
    learning_rate: float = 0.2
    l2: float = 1e-4
    min_documents: int = 3  # a term in fewer labelled submissions than this is not learned
    seed: int = 362


def _frequency(n: int) -> float:
    """Sublinear term frequency: a word said three times counts for more than once, not three times more."""
    return 1.0 + math.log(n)


def _term_weights(terms: list[str], vocabulary: dict[str, int], idf: Sequence[float]) -> list[tuple[int, float]]:
    """Sublinear term frequency times IDF, scaled to unit length; terms outside the vocabulary dropped."""
    counts = Counter(term for term in terms if term in vocabulary)
    weighted = [(vocabulary[term], _frequency(n) * idf[vocabulary[term]]) for term, n in counts.items()]
    norm = math.sqrt(sum(value * value for _, value in weighted)) or 1.0
    return [(index, value / norm) for index, value in weighted]


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


@dataclass(frozen=True)
class Reading:
    """What the model made of one text: each label's probability, and the terms it weighed."""

    probabilities: dict[str, float]
    counts: dict[int, int]  # each vocabulary term read, by index, with how often it was read


Row = tuple[float, ...]


def _picker(indices: tuple[int, ...]) -> Callable[[Sequence[Row]], tuple[Row, ...]]:
    """Takes those positions out of a sequence in one C call (itemgetter gives a bare value for one)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda values: (values[only],)
    return itemgetter(*indices)


@dataclass(frozen=True)
class SecondOpinion:
    labels: tuple[str, ...]
    terms: tuple[str, ...]  # the vocabulary in index order
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    columns: tuple[tuple[float, ...], ...]  # per label, one weight per term
    towards: tuple[tuple[float, ...], ...]  # per label, each term's weight less its mean for the other labels
    bias: tuple[float, ...]
    examples: int
    digest: str
    # Per label, each term's weight times its IDF, and each IDF squared: a reading of terms seen once
    # is then a sum of picked values, done in C; the few repeated terms are corrected one by one.
    scaled: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)
    idf_squared: tuple[float, ...] = field(init=False, repr=False, compare=False)
    # The same values by term: (IDF squared, then the scaled weight for each label). One pick of a
    # text's rows reads each term's values from one place in memory, not from a column per label.
    rows: tuple[Row, ...] = field(init=False, repr=False, compare=False)
    # How a reason names the model: its digest and what it learned from.
    about: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scaled", tuple(tuple(map(mul, column, self.idf)) for column in self.columns))
        object.__setattr__(self, "idf_squared", tuple(map(mul, self.idf, self.idf)))
        object.__setattr__(self, "rows", tuple(zip(self.idf_squared, *self.scaled, strict=True)))
        about = f"model {self.digest[:12]}, learned from {self.examples} labelled submissions"
        object.__setattr__(self, "about", about)

    def read(self, terms: Iterable[str]) -> Reading:
        """The model's probability of each label: the same weighting as training (sublinear term frequency
        times IDF, scaled to unit length), computed as if every term were read once, then corrected."""
        found: Counter[int | None] = Counter(map(self.vocabulary.get, terms))
        found.pop(None, None)
        counts: dict[int, int] = found  # type: ignore[assignment] # None was popped
        if not counts:
            return Reading(dict(zip(self.labels, _softmax(list(self.bias)), strict=True)), counts)
        # Each value summed over the terms in the order they were first read (the sums are the same
        # to the last bit as summing each label's column), then the repeated terms' corrections.
        totals: list[float] = list(map(sum, zip(*_picker(tuple(counts))(self.rows), strict=True)))
        repeated = [(index, _frequency(n) - 1.0) for index, n in counts.items() if n > 1]
        idf_squared = self.idf_squared
        square = totals[0] + sum(idf_squared[i] * (f + 1.0) ** 2 - idf_squared[i] for i, f in repeated)
        norm = math.sqrt(square) or 1.0
        scores = [
            bias + (picked + sum(scaled[i] * f for i, f in repeated)) / norm
            for bias, picked, scaled in zip(self.bias, totals[1:], self.scaled, strict=True)
        ]
        return Reading(dict(zip(self.labels, _softmax(scores), strict=True)), counts)

    def probabilities(self, terms: Iterable[str]) -> dict[str, float]:
        return self.read(terms).probabilities

    def strongest_terms(self, reading: Reading, label: str, limit: int = 6) -> list[str]:
        """The terms read that pushed hardest towards `label` against the other labels."""
        towards, idf = self.towards[self.labels.index(label)], self.idf
        pushes = [(towards[i] * idf[i] * _frequency(n), i) for i, n in reading.counts.items()]
        return [self.terms[index] for push, index in heapq.nlargest(limit, pushes) if push > 0]


def _digest(examples: Sequence[Example], settings: Settings) -> str:
    hasher = hashlib.sha256(repr(settings).encode())
    for example in examples:
        terms = "\x1d".join(example.terms)
        hasher.update(f"{example.label}\x1f{terms}\x1e".encode())
    return hasher.hexdigest()


def train(examples: Iterable[Example], settings: Settings = Settings()) -> SecondOpinion:
    """Fit the model with class-balanced stochastic gradient descent (AdaGrad steps, L2 shrinkage)."""
    data = list(examples)
    labels = tuple(sorted({example.label for example in data}))
    if len(labels) < 2:
        raise ValueError("a second opinion needs labelled examples of at least two labels")
    documents = [list(example.terms) for example in data]
    document_frequency = Counter(term for terms in documents for term in set(terms))
    kept = sorted(term for term, n in document_frequency.items() if n >= settings.min_documents)
    vocabulary = {term: index for index, term in enumerate(kept)}
    idf = tuple(math.log((1 + len(data)) / (1 + document_frequency[term])) + 1.0 for term in kept)
    rows = [_term_weights(terms, vocabulary, idf) for terms in documents]
    targets = [labels.index(example.label) for example in data]
    per_label = Counter(targets)
    balance = [len(data) / (len(labels) * per_label[k]) for k in range(len(labels))]

    weights = [[0.0] * len(labels) for _ in kept]
    squared = [[1e-8] * len(labels) for _ in kept]
    bias = [0.0] * len(labels)
    bias_squared = [1e-8] * len(labels)
    order = list(range(len(data)))
    shuffler = random.Random(settings.seed)  # noqa: S311 # nosec B311 # a fixed training order, not a secret
    rate, l2 = settings.learning_rate, settings.l2
    for _ in range(settings.epochs):
        shuffler.shuffle(order)
        for n in order:
            row, target = rows[n], targets[n]
            scores = list(bias)
            for index, value in row:
                for k, weight in enumerate(weights[index]):
                    scores[k] += weight * value
            probabilities = _softmax(scores)
            scale = balance[target]
            for k, probability in enumerate(probabilities):
                error = (probability - (1.0 if k == target else 0.0)) * scale
                bias_squared[k] += error * error
                bias[k] -= rate * error / math.sqrt(bias_squared[k])
                for index, value in row:
                    gradient = error * value + l2 * weights[index][k]
                    squared[index][k] += gradient * gradient
                    weights[index][k] -= rate * gradient / math.sqrt(squared[index][k])
    each = range(len(labels))
    return SecondOpinion(
        labels=labels,
        terms=tuple(kept),
        vocabulary=vocabulary,
        idf=idf,
        columns=tuple(tuple(row[k] for row in weights) for k in range(len(labels))),
        towards=tuple(tuple(row[k] - (sum(row) - row[k]) / (len(row) - 1) for row in weights) for k in each),
        bias=tuple(bias),
        examples=len(data),
        digest=_digest(data, settings),
    )


def _priority_example(case: LabelledCase) -> Example:
    return Example(tuple(priority_terms(case.sanitised, log_terms(case.sanitised))), case.priority)


def _assessment_example(case: LabelledCase) -> Example:
    return Example(tuple(assessment_terms(case.sanitised, log_terms(case.sanitised))), case.intelligence_assessment)


# What each model learns: the terms it reads and the label it predicts.
TARGETS = {"priority": _priority_example, "intelligence_assessment": _assessment_example}


@lru_cache(maxsize=16)
def _learned(files: tuple[tuple[Path, str], ...], settings: Settings, target: str) -> SecondOpinion:
    cases = load_cases(path for path, _ in files)
    try:
        return train(map(TARGETS[target], cases), settings)
    except ValueError as exc:
        raise ValueError(f"the {target} model: {exc}") from None


def learn_from(files: Sequence[Path], settings: Settings, target: str = "priority") -> SecondOpinion:
    """The `target` model (see TARGETS) learned from these labelled files; the same contents, settings and
    target train only once."""
    keyed = []
    for path in files:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
        keyed.append((path, hashlib.sha256(content).hexdigest()))
    return _learned(tuple(keyed), settings, target)
