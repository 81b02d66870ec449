"""Calendar dates as people write them, and every way a given date of birth might be written."""

from __future__ import annotations

import re
from datetime import date

from services.sanitiser.scanning import AFTER_WORD_START

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"

# The month names above with their first letter already read (for a scan that starts at it).
_MONTH_AFTER_FIRST_LETTER = (
    r"(?:(?<=j)(?:an(?:uary)?|une?|uly?)|(?<=f)eb(?:ruary)?|(?<=m)(?:ar(?:ch)?|ay)"
    r"|(?<=a)(?:pr(?:il)?|ug(?:ust)?)|(?<=s)ep(?:t(?:ember)?)?|(?<=o)ct(?:ober)?"
    r"|(?<=n)ov(?:ember)?|(?<=d)ec(?:ember)?)"
)

# A full date with a year, in the numeric and written forms used in UK free text:
#   \b(?:\d{1,2}[/.-]\d{1,2}[/.-](?P<y1>\d{4}|\d{2})
#    |\d{1,2}(st|nd|rd|th)?\s+(?:of\s+)?MONTH\.?,?\s+(?P<y2>\d{4})
#    |MONTH\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+(?P<y3>\d{4})
#    |(?P<y4>\d{4})-\d{2}-\d{2})\b
# written to start with the character class of its first character, which Python scans for fast.
DATE_WITH_YEAR = re.compile(
    rf"[\dadfjmnos]{AFTER_WORD_START}"
    rf"(?:(?<=\d)(?:\d?[/.\-]\d{{1,2}}[/.\-](?P<y1>\d{{4}}|\d{{2}})"
    rf"|\d?{_ORDINAL}\s+(?:of\s+)?{_MONTH}\.?,?\s+(?P<y2>\d{{4}})"
    rf"|\d{{3}}(?<=(?P<y4>\d{{4}}))-\d{{2}}-\d{{2}})"
    rf"|{_MONTH_AFTER_FIRST_LETTER}\.?\s+\d{{1,2}}{_ORDINAL},?\s+(?P<y3>\d{{4}}))\b"
)  # matched against lower-cased text

BIRTH_CONTEXT = re.compile(
    r"\b(?:born(?:\s+on|\s+in)?|d\.?\s?o\.?\s?b\.?|date\s+of\s+birth(?:\s+is)?|birthday(?:\s+is)?)"
    r"[\s:\-,(]*$",
    re.IGNORECASE,
)

BORN_YEAR = re.compile(r"\bborn\s+(?:in\s+)?(?:19|20)\d{2}\b", re.IGNORECASE)


def date_year(match: re.Match[str]) -> int:
    """The four-digit year of a DATE_WITH_YEAR match (two-digit years read as 19xx/20xx)."""
    raw = next(group for group in match.group("y1", "y2", "y3", "y4") if group)
    year = int(raw)
    if len(raw) == 2:
        year += 2000 if year <= 30 else 1900
    return year


def date_of_birth_pattern(born: date) -> str:
    """A regex source matching the given date in the common numeric and written spellings."""
    day, month, year = born.day, born.month, born.year
    days = rf"0?{day}" if day < 10 else str(day)
    months = rf"0?{month}" if month < 10 else str(month)
    years = rf"(?:{year}|{year % 100:02d})"
    name = MONTHS[month - 1]
    month_name = rf"(?:{name}|{name[:3]}\.?)"
    return (
        rf"(?:{days}[/.\-\s]{months}[/.\-\s]{years}"
        rf"|{days}{_ORDINAL}\s+(?:of\s+)?{month_name},?\s+{year}"
        rf"|{month_name}\s+{days}{_ORDINAL},?\s+{year}"
        rf"|{year}-{month:02d}-{day:02d})"
    )
