"""Builds long benchmark submissions from the corpus, with repeated or all-new identities, and times
the sanitiser on them."""

from __future__ import annotations

import re
import time
from typing import Any

from contracts.submission import Submission
from services.sanitiser.domain import sanitise
from services.sanitiser.identity import name_parts

# Invented syllables: combined, they give each benchmark document names no other document has.
_STARTS = [
    "Ash",
    "Birch",
    "Cald",
    "Dun",
    "Elm",
    "Fen",
    "Gar",
    "Hol",
    "Ick",
    "Jar",
    "Kel",
    "Lang",
    "Mor",
    "Nor",
    "Ock",
    "Pen",
]
_MIDDLES = ["a", "e", "i", "o", "u", "ar", "en", "il", "on", "ur", "ad", "em", "ib", "ot", "us", "ev"]
_ENDS = ["bourne", "combe", "dale", "field", "ford", "hurst", "ley", "mere", "stow", "thorpe", "wick", "worth"]
_GIVEN_STARTS = [
    "Al",
    "Bron",
    "Cas",
    "Del",
    "Ev",
    "Fen",
    "Gid",
    "Hon",
    "Is",
    "Jun",
    "Leo",
    "Mar",
    "Ner",
    "Or",
    "Per",
    "Quil",
]
_GIVEN_ENDS = [
    "dric",
    "wen",
    "pian",
    "phine",
    "ander",
    "ella",
    "eon",
    "ora",
    "idore",
    "iper",
    "pold",
    "isol",
    "ys",
    "rin",
    "etua",
    "lon",
]


def _invented(n: int, starts: list[str], middles: list[str], ends: list[str]) -> str:
    """A word made of syllables, different for each n below len(starts) * len(middles) * len(ends)."""
    start, rest = starts[n % len(starts)], n // len(starts)
    return (start + middles[rest % len(middles)] + ends[rest // len(middles) % len(ends)]).title()


def _person(n: int) -> tuple[str, str]:
    """A given name and a surname, both different for each n below 3,072."""
    return _invented(n, _GIVEN_STARTS, _MIDDLES, _GIVEN_ENDS), _invented(n, _STARTS, _MIDDLES, _ENDS)


def _replace_word(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![^\W_]){re.escape(old)}(?![^\W_])", lambda _: new, text)


def with_new_identity(raw: dict[str, Any], n: int) -> dict[str, Any]:
    """The submission with a reporter and source nobody else has, also where its text names them."""
    reporter, source = dict(raw["reporter"]), dict(raw["source"])
    information = dict(raw["information"])
    text = information["text"]
    given, surname = _person(3 * n)
    replacements: list[tuple[str, str]] = [(reporter["name"], f"{given} {surname}")]
    old_parts, new_parts = name_parts(reporter["name"]), [given, surname]
    replacements += list(zip(old_parts[:1] + old_parts[-1:], new_parts, strict=False))
    if source.get("name") and source["name"] != reporter["name"]:
        source_given, source_surname = _person(3 * n + 1)
        replacements.append((source["name"], f"{source_given} {source_surname}"))
        old_parts = name_parts(source["name"])
        replacements += list(zip(old_parts[:1] + old_parts[-1:], [source_given, source_surname], strict=False))
    elif source.get("name"):
        source["name"] = f"{given} {surname}"
    organisation_words = reporter["organisation"].split()
    organisation = f"{_person(3 * n + 2)[1]} {organisation_words[-1]}"
    replacements.append((reporter["organisation"], organisation))
    if len(organisation_words) > 1:
        replacements.append((organisation_words[0], organisation.split()[0]))
    digits = f"{n % 100_000:05d}"
    for holder in (reporter, source):
        if holder.get("telephone"):
            replacements.append((holder["telephone"], f"07700 9{digits}" if holder is reporter else f"01632 9{digits}"))
        if holder.get("email"):
            replacements.append((holder["email"], f"{given.lower()}.{n}@{surname.lower()}.example.org"))
    first_line = (source.get("address") or "").split(",")[0]
    if first_line[:1].isdigit():
        replacements.append((first_line, f"{n % 997 + 1} {first_line.split(maxsplit=1)[-1]}"))
    for old, new in sorted(replacements, key=lambda pair: len(pair[0]), reverse=True):
        text = _replace_word(text, old, new)
        for holder in (reporter, source):
            for key, value in holder.items():
                if isinstance(value, str):
                    holder[key] = _replace_word(value, old, new)
    information["text"] = text
    return {**raw, "reporter": reporter, "source": source, "information": information}


def long_submissions(items: list[dict[str, Any]], words: int, *, new_identities: int = 0) -> list[Submission]:
    """Corpus submissions with texts of `words` words (their own text and others' following it);
    with new_identities, that many submissions, each with people of its own."""
    texts = [item["submission"]["information"]["text"] for item in items]
    submissions: list[Submission] = []
    for n in range(new_identities or len(items)):
        raw = items[n % len(items)]["submission"]
        if new_identities:
            raw = with_new_identity(raw, n)
        body: list[str] = [raw["information"]["text"]]
        k = n % len(items) + 7
        while len(" ".join(body).split()) < words:
            body.append(texts[k % len(texts)])
            k += 7
        information = {**raw["information"], "text": " ".join(" ".join(body).split()[:words])}
        submissions.append(Submission.model_validate({**raw, "information": information}))
    return submissions


def documents_per_second(submissions: list[Submission], documents: int) -> float:
    """Sanitises `documents` submissions in turn (a warm-up one first) and returns the rate."""
    sanitise(submissions[-1])
    started = time.perf_counter()
    for n in range(documents):
        sanitise(submissions[n % len(submissions)])
    return documents / (time.perf_counter() - started)
