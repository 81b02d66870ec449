"""Detectors of anyone's contact details, handles, vehicles, NI numbers, addresses and birth dates."""

from __future__ import annotations

import re

import phonenumbers

from services.sanitiser.dates import BIRTH_CONTEXT, BORN_YEAR, DATE_WITH_YEAR, date_year
from services.sanitiser.spans import Span
from services.sanitiser.vocabulary import STREET_WORDS, words

EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# Anything a UK phone number could hide in: libphonenumber then checks each candidate.
_PHONE_CANDIDATE = re.compile(r"[+(]?\d[\d\s\-.()/]{7,20}\d")
# Phone-shaped digit runs libphonenumber may reject: a wrong digit still points at a person.
_PHONE_SHAPED = re.compile(r"(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(?0)\d(?:[\s\-.()]{0,2}\d){8,9}(?!\d)")

_HANDLE_AT = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_HANDLE_URL = re.compile(
    r"\b(?:https?://)?(?:www\.)?(?:instagram\.com|tiktok\.com/@?|facebook\.com|fb\.com|x\.com"
    r"|twitter\.com|snapchat\.com/add|youtube\.com/@?|t\.me)/[A-Za-z0-9_.]+[A-Za-z0-9_]",
    re.IGNORECASE,
)
_PLATFORM = (
    r"(?:snap(?:chat)?|insta(?:gram)?|tik\s?tok|discord|twitter|telegram|facebook|fb"
    r"|youtube|roblox|whatsapp|kik|threads|twitch|xbox|psn|playstation)"
)
_HANDLE_WORD = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?"
_HANDLE_AFTER_PLATFORM = re.compile(
    rf"\b{_PLATFORM}(?:\s+(?:account|name|handle|username|user|profile|channel|page|id|tag))*"
    rf"(?:(?P<said>\s*[:\-]\s*|\s+(?:as|is|called|named|under|by|username|handle)\s+)|\s+)"
    rf"(?:[\"“](?P<quoted>[^\"”\n]{{2,40}})[\"”]|(?P<bare>{_HANDLE_WORD}))"
)
_HANDLE_AFTER_LABEL = re.compile(
    rf"(?i:\b(?:username|user\s?name|handle|gamertag|screen\s?name)(?:\s+is)?\s*[:\-]?\s*)"
    rf"[\"“]?({_HANDLE_WORD})[\"”]?"
)
_QUOTED_HANDLE = re.compile(r"[\"“]([A-Za-z0-9_.\-]*(?:[._]|\d)[A-Za-z0-9_.\-]*)[\"”]")
_NOT_HANDLES = words(
    "a an the and or to his her their him them someone with in on of for at is was as by account "
    "accounts messages message videos video chat group page profile it this that number "
    "channel"
)

_VRM_FULL = re.compile(
    r"\b(?:[A-Z]{2}[0-9]{2}\s?[A-Z]{3}"  # current: AB12 CDE
    r"|[A-Z][0-9]{1,3}\s?[A-Z]{3}"  # prefix: A123 BCD
    r"|[A-Z]{3}\s?[0-9]{1,3}[A-Z])\b"  # suffix: ABC 123D
)
_VRM_CONTEXT = re.compile(
    r"(?i:\b(?:reg(?:istration)?|index|plates?|vrm|number\s+plate))"
    r"(?i:\s+(?:number|no\.?|mark|is|was|of|reads?|reading|like|ending|starting|beginning|in|with"
    r"|partial|partially|seen|as|similar|to|style|possibly|maybe|includes?|containing))*"
    r"[\s:,]*[\"“']?(?P<vrm>[A-Z0-9]{2,4}(?:\s[A-Z0-9]{1,3})?)\b"
)
_NI_NUMBER = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_POSTCODE = re.compile(r"\b(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?)\s*(?P<inward>[0-9][A-Z]{2})\b")
_STREET = "(?:" + "|".join(STREET_WORDS) + r")\b"
_CAP_WORDS = r"(?:[A-Z][\w'’-]*\s+){1,3}"
_FLAT = r"(?:Flat|Apartment|Apt|Unit|Room)\b\s+\d+[A-Za-z]?\s*,?\s+"
_ADDRESS = re.compile(
    rf"(?<![\w.,:/])\d{{1,4}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+{_CAP_WORDS}{_STREET}(?:\s+{_STREET})?"
    rf"|{_FLAT}{_CAP_WORDS}{_STREET}(?:\s+{_STREET})?"
)
_BEFORE_HOUSE_NUMBER = re.compile(rf"(?:{_FLAT})?(?:\b(?i:number|no\.?)\s+)?$")


def find_emails(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL") for m in EMAIL.finditer(text)]


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
    spans = [Span(m.start(), m.end(), "HANDLE") for m in _HANDLE_AT.finditer(text)]
    if "/" in text:
        spans += [Span(m.start(), m.end(), "HANDLE") for m in _HANDLE_URL.finditer(text)]
    lowered = text.lower()
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


def find_vehicles(text: str) -> list[Span]:
    """Registration marks: full current, prefix and suffix formats, and partial ones after 'reg'."""
    spans = [Span(m.start(), m.end(), "VRM") for m in _VRM_FULL.finditer(text)]
    for match in _VRM_CONTEXT.finditer(text):
        value = match.group("vrm")
        if any(c.isdigit() for c in value) or (value.isalpha() and len(value) == 3):
            spans.append(Span(match.start("vrm"), match.end("vrm"), "VRM"))
    return spans


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
    spans = [Span(m.start(), m.end(), "DOB") for m in BORN_YEAR.finditer(text)]
    lowered = text.lower()
    for match in DATE_WITH_YEAR.finditer(lowered if len(lowered) == len(text) else text):
        before = text[max(0, match.start() - 30) : match.start()]
        if BIRTH_CONTEXT.search(before) or date_year(match) <= reference_year - 5:
            spans.append(Span(match.start(), match.end(), "DOB"))
    return spans
