"""Detectors of anyone's contact details, handles, NI numbers, addresses and birth dates."""

from __future__ import annotations

import re

import phonenumbers

from services.sanitiser.dates import BIRTH_CONTEXT, BORN_YEAR, DATE_WITH_YEAR, date_year
from services.sanitiser.scanning import AFTER_WORD_START as _AFTER_WORD_START
from services.sanitiser.scanning import word_start
from services.sanitiser.spans import Span
from services.sanitiser.vocabulary import STREET_WORDS, words

EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_LOCAL_PART_SYMBOLS = frozenset("_.%+'-")

# Anything a UK phone number could hide in: libphonenumber then checks each candidate.
# Both are written to start with a character class, which Python's engine scans for fast:
# "[+(]?\d..." as "[+(\d]" and a digit after a "+" or "(".
_PHONE_CANDIDATE = re.compile(r"[+(\d](?:(?<=[+(])\d|(?<=\d))[\d\s\-.()/]{7,20}\d")
# Phone-shaped digit runs libphonenumber may reject: a wrong digit still points at a person.
_PHONE_SHAPED = re.compile(
    r"(?:\+\s*44\s*(?:\(\s*0\s*\)\s*)?|00\s*44\s*(?:\(\s*0\s*\)\s*)?|\(0|0)\d(?:[\s\-.()]{0,2}\d){8,9}(?!\d)"
)

# "(?<![\w.@])@..." written to start with its "@" (fast to scan for) and to look back past it.
_HANDLE_AT = re.compile(r"@(?<![\w.@]@)[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_SITES = (
    r"(?:instagram\.com|tiktok\.com/@?|facebook\.com|fb\.com|x\.com"
    r"|twitter\.com|snapchat\.com/add|youtube\.com/@?|t\.me)"
)
# Case-insensitively "\b(?:https?://)?(?:www\.)?SITES/[A-Za-z0-9_.]+[A-Za-z0-9_]", written to start
# with its first letter (fast to scan for): every alternative starts with a different letter.
_HANDLE_URL = re.compile(
    word_start(
        (
            rf"https?://(?:www\.)?{_SITES}",
            rf"www\.{_SITES}",
            *(r"instagram\.com", r"tiktok\.com/@?", r"facebook\.com", r"fb\.com", r"x\.com"),
            *(r"twitter\.com", r"snapchat\.com/add", r"youtube\.com/@?", r"t\.me"),
        ),
        ignore_case=True,
    )
    + r"(?i:/[A-Za-z0-9_.]+[A-Za-z0-9_])"
)
_PLATFORM = word_start(
    (
        *(r"snap(?:chat)?", r"insta(?:gram)?", r"tik\s?tok", "discord", "twitter", "telegram", "facebook"),
        *("fb", "youtube", "roblox", "whatsapp", "kik", "threads", "twitch", "xbox", "psn", "playstation"),
    )
)
_HANDLE_WORD = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?"
_HANDLE_AFTER_PLATFORM = re.compile(
    rf"{_PLATFORM}(?:\s+(?:account|name|handle|username|user|profile|channel|page|id|tag))*"
    rf"(?:(?P<said>\s*[:\-]\s*|\s+(?:as|is|called|named|under|by|username|handle)\s+)|\s+)"
    rf"(?:[\"“](?P<quoted>[^\"”\n]{{2,40}})[\"”]|(?P<bare>{_HANDLE_WORD}))"
)
_LABEL = word_start(("username", r"user\s?name", "handle", "gamertag", r"screen\s?name"), ignore_case=True)
_HANDLE_AFTER_LABEL = re.compile(
    rf"{_LABEL}(?i:(?:\s+is)?\s*[:\-]?\s*)"
    rf"[\"“]?({_HANDLE_WORD})[\"”]?"
)
_QUOTED_HANDLE = re.compile(r"[\"“]([A-Za-z0-9_.\-]*(?:[._]|\d)[A-Za-z0-9_.\-]*)[\"”]")
_NOT_HANDLES = words(
    "a an the and or to his her their him them someone with in on of for at is was as by account "
    "accounts messages message videos video chat group page profile it this that number "
    "channel"
)

_NI_NUMBER = re.compile(rf"[A-Z]{_AFTER_WORD_START}[A-Z]\s?\d{{2}}\s?\d{{2}}\s?\d{{2}}\s?[A-D]\b")
_POSTCODE = re.compile(rf"(?P<district>[A-Z]{_AFTER_WORD_START}[A-Z]?[0-9][A-Z0-9]?)\s*(?P<inward>[0-9][A-Z]{{2}})\b")
_STREET = "(?:" + "|".join(STREET_WORDS) + r")\b"
_CAP_WORDS = r"(?:[A-Z][\w'’-]*\s+){1,3}"
_FLAT = r"(?:Flat|Apartment|Apt|Unit|Room)\b\s+\d+[A-Za-z]?\s*,?\s+"
# "(?<![\w.,:/])\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+WORDS STREET | FLAT WORDS STREET", written to start
# with the class of its first character (fast to scan for) and to look back at that character.
_FLAT_AFTER_FIRST_LETTER = r"(?:(?<=F)lat|(?<=A)partment|(?<=A)pt|(?<=U)nit|(?<=R)oom)\b\s+\d+[A-Za-z]?\s*,?\s+"
_ADDRESS = re.compile(
    rf"[\dFAUR](?:(?<=\d)(?<![\w.,:/]\d)\d{{0,3}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+{_CAP_WORDS}{_STREET}(?:\s+{_STREET})?"
    rf"|{_FLAT_AFTER_FIRST_LETTER}{_CAP_WORDS}{_STREET}(?:\s+{_STREET})?)"
)
_BEFORE_HOUSE_NUMBER = re.compile(rf"(?:{_FLAT})?(?:\b(?i:number|no\.?)\s+)?$")


def find_emails(text: str) -> list[Span]:
    """EMAIL's matches, found from each "@" back to the start of its local part (scanning the whole
    text for a local part would try a match at every letter)."""
    spans: list[Span] = []
    covered = 0
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _LOCAL_PART_SYMBOLS):
            start -= 1
        # A local part starting inside the last match cannot start one (EMAIL looks back).
        match = EMAIL.match(text, start) if covered <= start < at else None
        if match:
            spans.append(Span(match.start(), match.end(), "EMAIL"))
            covered = match.end()
        at = text.find("@", at + 1)
    return spans


def find_phones(text: str) -> list[Span]:
    """UK numbers libphonenumber accepts as possible, plus other phone-shaped digit runs."""
    spans: list[Span] = []
    for candidate in _PHONE_CANDIDATE.finditer(text):
        matcher = phonenumbers.PhoneNumberMatcher(candidate.group(), "GB", leniency=phonenumbers.Leniency.POSSIBLE)
        offset = candidate.start()
        spans.extend(Span(offset + m.start, offset + m.end, "PHONE") for m in matcher)
    spans.extend(
        Span(m.start(), m.end(), "PHONE")
        for m in _PHONE_SHAPED.finditer(text)
        if m.start() == 0 or text[m.start() - 1] not in "0123456789£$"
    )
    return spans


def find_handles(text: str) -> list[Span]:
    """Social-media handles: @name, profile links, and names given after a platform or label."""
    lowered = text.lower()
    spans = [Span(m.start(), m.end(), "HANDLE") for m in _HANDLE_AT.finditer(text)] if "@" in text else []
    # Every profile link holds ".com/" or ".me/" (letters case-insensitive matching equates with no others).
    if ".com/" in lowered or ".me/" in lowered:
        spans += [Span(m.start(), m.end(), "HANDLE") for m in _HANDLE_URL.finditer(text)]
    for match in _HANDLE_AFTER_PLATFORM.finditer(lowered if len(lowered) == len(text) else text):
        group = "quoted" if match.group("quoted") else "bare"
        value = text[match.start(group) : match.end(group)]
        if group == "bare" and (
            value.lower() in _NOT_HANDLES or not (match.group("said") or _looks_like_handle(value))
        ):
            continue
        spans.append(Span(match.start(group), match.end(group), "HANDLE"))
    for match in _HANDLE_AFTER_LABEL.finditer(text):
        if match.group(1).lower() not in _NOT_HANDLES:
            spans.append(Span(match.start(1), match.end(1), "HANDLE"))
    for match in _QUOTED_HANDLE.finditer(text):
        if len(match.group(1)) >= 4 and any(c.isalpha() for c in match.group(1)):
            spans.append(Span(match.start(1), match.end(1), "HANDLE"))
    return spans


def _looks_like_handle(value: str) -> bool:
    """A bare word after a platform is a handle if it is not an ordinary lower-case word."""
    return any(c.isdigit() or c in "._" for c in value)


def find_ni_numbers(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "NI_NUMBER") for m in _NI_NUMBER.finditer(text)]


def find_postcodes(text: str) -> list[Span]:
    """The inward half of full postcodes; the district ("SO15") stays as a general place."""
    return [Span(m.start("inward"), m.end("inward"), "POSTCODE") for m in _POSTCODE.finditer(text)]


def find_addresses(text: str) -> list[Span]:
    """House-number-and-street and flat addresses ("12 Acacia Avenue", "Flat 3, 14 High St")."""
    spans: list[Span] = []
    for match in _ADDRESS.finditer(text):
        before = _BEFORE_HOUSE_NUMBER.search(text, max(0, match.start() - 30), match.start())
        spans.append(Span(before.start() if before else match.start(), match.end(), "ADDRESS"))
    return spans


def find_dates_of_birth(text: str, reference_year: int) -> list[Span]:
    """Dates after 'born'/'DOB', dated long enough ago to be a birth, and 'born in 2011'."""
    lowered = text.lower()
    spans = [Span(m.start(), m.end(), "DOB") for m in BORN_YEAR.finditer(text)] if "born" in lowered else []
    for match in DATE_WITH_YEAR.finditer(lowered if len(lowered) == len(text) else text):
        before = text[max(0, match.start() - 30) : match.start()]
        if BIRTH_CONTEXT.search(before) or date_year(match) <= reference_year - 5:
            spans.append(Span(match.start(), match.end(), "DOB"))
    return spans
