"""Unit tests of the sanitiser's pure logic: what each product keeps and what it removes."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.submission import Submission
from services.sanitiser.domain import SANITISER_VERSION, SanitisedProducts, sanitise, source_reference
from services.sanitiser.evaluate import evaluate

PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


def make_submission(text: str, **overrides: Any) -> Submission:
    reporter = {
        "name": "Helen Marsh",
        "organisation": "Oakfield Academy",
        "role": "Form tutor",
        "telephone": "07700 900123",
        "email": "h.marsh@oakfield.example.org",
    }
    source = {
        "origin": "A pupil",
        "name": "Priya Nair",
        "how_known": "She was told by Kyle",
        "when_known": "Monday",
    }
    reporter.update(overrides.pop("reporter", {}))
    source.update(overrides.pop("source", {}))
    raw: dict[str, Any] = {
        "reporter": reporter,
        "information": {"text": text, "location": overrides.pop("location", "Millbrook Road")},
        "source": source,
        "shared_with": overrides.pop("shared_with", "Nobody"),
        **overrides,
    }
    return Submission.model_validate(raw)


def products(text: str, **overrides: Any) -> SanitisedProducts:
    return sanitise(make_submission(text, **overrides))


def log_of(text: str, **overrides: Any) -> str:
    return products(text, **overrides).intelligence_log.text


def summary_of(text: str, **overrides: Any) -> str:
    return products(text, **overrides).partnership_summary.text


# --- reporter and source identifiers (intelligence log) -------------------------------------


def test_reporter_and_source_names_are_removed_in_every_form() -> None:
    log = log_of("Ms Marsh and HELEN saw it. Priya's brother told Miss Nair and P. Nair.")
    for leaked in ("marsh", "helen", "priya", "nair"):
        assert leaked not in log.lower()
    assert "[REPORTER]" in log and "[SOURCE]" in log


def test_reporter_phone_is_removed_in_other_spellings() -> None:
    text = "Call 07700900123, +44 7700 900123, (07700) 900-123 or 0044 7700 900 123."
    log = log_of(text)
    assert "900" not in log and log.count("[PHONE]") == 4


def test_other_peoples_phone_numbers_stay_in_the_log_but_not_the_summary() -> None:
    text = "The line number is 07700 900318."
    assert "07700 900318" in log_of(text)
    assert "900318" not in summary_of(text)


def test_organisation_and_its_short_name_are_removed() -> None:
    log = log_of("Staff at Oakfield Academy say pupils from Oakfield are involved.")
    assert "oakfield" not in log.lower()


def test_self_references_that_reveal_the_reporter_are_removed() -> None:
    text = (
        "As his form tutor at Oakfield I noticed cash. My pupil told me about it. "
        "I'm his key worker at the hostel. One of my young people saw it."
    )
    log = log_of(text).lower()
    for leaked in ("form tutor", "my pupil", "key worker", "my young people"):
        assert leaked not in log
    assert "noticed cash" in log


def test_source_address_and_date_of_birth_are_removed() -> None:
    text = "She lives at 14 Acacia Avenue, SO15 3AB and was born on 3rd March 2011 (3/3/2011)."
    log = log_of(text, source={"address": "14 Acacia Avenue, Southampton SO15 3AB", "date_of_birth": "2011-03-03"})
    assert "acacia" not in log.lower() and "3AB" not in log and "2011" not in log
    assert "SO15" in log


def test_intelligence_survives_in_the_log() -> None:
    text = (
        "Kyle Brennan, aged 15, was picked up by a white Ford Transit HN19 KLP outside "
        "22 Larkspur Close on 3 March at 4pm."
    )
    assert log_of(text) == text


# --- everyone's personal data (partnership summary) ----------------------------------------


def test_names_that_are_words_are_kept_where_they_are_words() -> None:
    text = (
        "I will check the rose garden. He had a mark on his arm. We hope it helps. "
        "Later Will Barker and Grace met a lad called Jack by the bins."
    )
    summary = summary_of(text)
    for kept in ("I will", "rose garden", "mark on his arm", "We hope"):
        assert kept in summary
    for removed in ("Will Barker", "Grace", "Jack"):
        assert removed not in summary


def test_titled_names_possessives_and_nicknames_are_removed() -> None:
    text = 'Mrs Patel said Kyle\'s cousin, known as "Stretch", works for Mr J. Dyer.'
    summary = summary_of(text)
    for removed in ("Patel", "Kyle", "Stretch", "Dyer"):
        assert removed not in summary


def test_postcode_keeps_only_its_district() -> None:
    summary = summary_of("The flat is near SO15 3AB.")
    assert "SO15" in summary and "3AB" not in summary


def test_vehicle_registrations_in_all_formats_are_removed() -> None:
    text = "Cars seen: AB12 CDE, A123 BCD, ABC 123D and a van with partial reg YK17; plate ending KXT."
    summary = summary_of(text)
    for removed in ("AB12 CDE", "A123 BCD", "ABC 123D", "YK17", "KXT"):
        assert removed not in summary


def test_registrations_in_lower_and_mixed_case_are_removed() -> None:
    text = (
        "The car ab12cde was parked outside. Also seen: Hx63 Ptd, ab12 cde, k492 rnt, ktr 428v, "
        "abc123d and a van with partial reg wu69 and a Golf registered as Mf21kzo."
    )
    summary = summary_of(text)
    for removed in ("ab12cde", "Hx63 Ptd", "ab12 cde", "k492 rnt", "ktr 428v", "abc123d", "wu69", "Mf21kzo"):
        assert removed not in summary, removed
    assert summary.count("[VRM]") == 8


def test_roads_distances_and_districts_beside_short_words_are_not_registrations() -> None:
    text = "He came off the m27 and ran 10k to the a3 then sat in so15 for an hour in Year 10 at 4pm."
    assert summary_of(text) == text


def test_lower_case_partial_registration_after_reg_leaves_the_next_word() -> None:
    summary = summary_of("A grey Golf, reg yk17 and a dent, and registration in 2019 was not seen; plate ending kxt.")
    assert "yk17" not in summary and "[VRM] and a dent" in summary


def test_ni_numbers_with_unissued_prefix_are_removed() -> None:
    summary = summary_of("His NI number is QQ 12 34 56 C, also written QQ123456C.")
    assert "QQ" not in summary


def test_handles_emails_and_addresses_are_removed() -> None:
    text = (
        "He is @lil.bandz on Instagram, snap: deanf_99, on TikTok as trapgod_ben, "
        "email dean@example.net, and lives at Flat 3, 14 High Street."
    )
    summary = summary_of(text)
    for removed in ("lil.bandz", "deanf_99", "trapgod_ben", "dean@example.net", "14 High Street"):
        assert removed not in summary


def test_dates_of_birth_go_but_incident_dates_and_ages_stay() -> None:
    text = "Ellie, DOB 15/06/2011, aged about 14, was seen on 3 March at 4pm by a 15-year-old."
    summary = summary_of(text)
    assert "15/06/2011" not in summary
    for kept in ("aged about 14", "3 March at 4pm", "15-year-old"):
        assert kept in summary


def test_redaction_offsets_point_into_the_original_text() -> None:
    text = "Priya told me that Dean has the phone."
    result = products(text)
    for product in (result.intelligence_log, result.partnership_summary):
        for redaction in product.redactions:
            assert text[redaction.start : redaction.end].strip()
    assert result.redaction_counts["intelligence_log.SOURCE_NAME"] == 1


# --- source context and reference -----------------------------------------------------------


def test_source_is_reporter_when_origin_is_first_hand() -> None:
    result = products("I saw it.", source={"origin": "Me", "name": None})
    assert result.source_context.source_is_reporter


def test_source_context_fields_lose_identifiers() -> None:
    result = products("Text.", shared_with="Helen Marsh's DSL at Oakfield Academy")
    assert "marsh" not in result.source_context.shared_with.lower()
    assert "oakfield" not in result.source_context.shared_with.lower()


def test_source_reference_is_stable_and_pseudonymous() -> None:
    key = b"k" * 32
    first = source_reference(make_submission("A."), key)
    again = source_reference(make_submission("B.", source={"name": "  PRIYA nair "}), key)
    assert first == again and first.startswith("SRC-") and len(first) == 20
    assert "priya" not in first.lower()
    assert source_reference(make_submission("A."), b"x" * 32) != first
    assert SANITISER_VERSION


# --- property: form field values never survive -----------------------------------------------

NAME_PART = st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True)
FILLER = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
SEPARATOR = st.sampled_from([" ", ", ", ". ", "\n", " (", ") ", " - ", "'s "])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    reporter_name=st.tuples(NAME_PART, NAME_PART).map(" ".join),
    source_name=st.tuples(NAME_PART, NAME_PART).map(" ".join),
    organisation=st.tuples(NAME_PART, st.sampled_from(["Academy", "Youth Project", "Trust"])).map(" ".join),
    local_part=st.from_regex(r"[a-z]{2,8}\.[a-z]{2,8}", fullmatch=True),
    phone_tail=st.integers(min_value=0, max_value=999),
    house=st.integers(min_value=1, max_value=999),
    street=NAME_PART,
    fillers=st.lists(FILLER, min_size=6, max_size=6),
    separator=SEPARATOR,
)
def test_no_reporter_or_source_field_value_survives(
    reporter_name: str,
    source_name: str,
    organisation: str,
    local_part: str,
    phone_tail: int,
    house: int,
    street: str,
    fillers: list[str],
    separator: str,
) -> None:
    phone = f"07700 900{phone_tail:03d}"
    email = f"{local_part}@example.org"
    address = f"{house} {street} Road, Southampton"
    values = [reporter_name, source_name, organisation, phone, email, address]
    text = "".join(f"{filler}{separator}{value}{separator}" for filler, value in zip(fillers, values, strict=True))
    submission = make_submission(
        text,
        reporter={"name": reporter_name, "organisation": organisation, "telephone": phone, "email": email},
        source={"name": source_name, "address": address},
    )
    result = sanitise(submission)
    for product in (result.intelligence_log.text, result.partnership_summary.text):
        visible = PLACEHOLDER.sub(" | ", product).lower()
        for value in values:
            assert value.lower() not in visible


# --- the labelled corpus -----------------------------------------------------------------------


def test_corpus_meets_the_sanitiser_targets() -> None:
    scores = evaluate()
    assert not scores.failures(), scores.failures()
    assert sum(scores.recall["intelligence_log"].totals.values()) > 100


# --- fast-scanning rewrites match exactly what their plain forms match ---------------------------

# fmt: off
FRAGMENT_CHOICES = [
    " ", "  ", ", ", "\n", "-", "_", "(", "0", "07700 900123", "+44 ", "0044", "12", "3rd", "2011", "/", ".",
    "may", "March", "jan", "of", "born", "As", "as", "being", "İn", "ın", "ſ", "\u212a", "K", "i", "I", "in",
    "on", "my", "MY", "a", "an", "one", "Flat", "Apt", "14", "High", "Street", "Mr", "Mrs", "Dr", "friend",
    "ex-partner", "boyfriend", "known", "named", "him", "called", "x", "Ab", "12-03-2011",
]
# fmt: on
FRAGMENTS = st.lists(st.sampled_from(FRAGMENT_CHOICES), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=FRAGMENTS)
def test_fast_scanning_patterns_match_what_their_plain_forms_match(text: str) -> None:
    from services.sanitiser import dates, detectors
    from services.sanitiser.scanning import words_at_word_start

    words = ["in", "on", "from", "a", "an", "one", "as", "being", "my", "ex-partner", "partner", "known as"]
    plain_words = r"\b(?:" + "|".join(r"\s+".join(w.split()) for w in sorted(words, key=len, reverse=True)) + ")"
    month = dates._MONTH
    pairs = [
        (
            re.compile(plain_words + r"\b", re.IGNORECASE),
            re.compile(words_at_word_start(words, ignore_case=True) + r"\b"),
        ),
        (re.compile(plain_words + r"\s"), re.compile(words_at_word_start(words) + r"\s")),
        (
            re.compile(
                rf"\b(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?P<y1>\d{{4}}|\d{{2}})|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?"
                rf"{month}\.?,?\s+(?P<y2>\d{{4}})|{month}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
                rf"|(?P<y4>\d{{4}})-\d{{2}}-\d{{2}})\b"
            ),
            dates.DATE_WITH_YEAR,
        ),
        (re.compile(r"[+(]?\d[\d\s\-.()/]{7,20}\d"), detectors._PHONE_CANDIDATE),
        (
            re.compile(r"(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(?0)\d(?:[\s\-.()]{0,2}\d){8,9}(?!\d)"),
            detectors._PHONE_SHAPED,
        ),
        (re.compile(r"\b(?:Mr|Mrs|Dr)\.?\s+"), re.compile(words_at_word_start(["Mr", "Mrs", "Dr"]) + r"\.?\s+")),
    ]
    for subject in (text, text.lower()):
        for plain, fast in pairs:
            expected = [(m.span(), m.groupdict()) for m in plain.finditer(subject)]
            assert [(m.span(), m.groupdict()) for m in fast.finditer(subject)] == expected, (plain.pattern, subject)


def test_word_name_parts_stay_where_a_place_noun_follows() -> None:
    log = log_of("Hill Road is near. Later Hill said Hill  Lane was busy; HILL agreed.", reporter={"name": "Jo Hill"})
    assert log == "Hill Road is near. Later [REPORTER] said Hill  Lane was busy; [REPORTER] agreed."


# fmt: off
LITERAL_FRAGMENTS = [
    " ", "  ", "\n", "\u00a0", "-", "_", "'", ".", "@", "@@", "a", "A", "ab", "AB12", "ab12", "cde", "CDE", "123",
    "D", "x", "Jo", "JO", "jo", "Hill", "hill", "HILL", "İ", "ı", "ſ", "\u212a", "K", "k", "é", "ß", "o'", "07700",
    "900123", "dean", ".net", "example", "%", "+", "reg", "m27", "the", "https://", "www.", "/", "t.me", "X.com",
    "instagram.com", "TikTok.com/@", "snapchat.com/add",
]
# fmt: on
LITERAL_TEXTS = st.lists(st.sampled_from(LITERAL_FRAGMENTS), max_size=25).map("".join)
PHRASE_VALUES = st.lists(
    st.sampled_from(["Jo", "jo", "Hill", "ab", "AB12 CDE", "o'", "é", "K", "900123", "x y"]), min_size=1, max_size=3
).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(text=LITERAL_TEXTS, value=PHRASE_VALUES, ignore_case=st.booleans(), whole_word=st.booleans())
def test_plain_string_search_matches_what_the_regex_matches(
    text: str, value: str, ignore_case: bool, whole_word: bool
) -> None:
    from services.sanitiser import detectors, names, vehicles
    from services.sanitiser.literals import Phrase, SearchText, phrase_matches

    phrase = Phrase.of(value, ignore_case=ignore_case, whole_word=whole_word)
    regex = re.compile(phrase.pattern(), re.IGNORECASE if ignore_case else 0)
    everywhere, position = [], 0
    while (match := regex.search(text, position)) is not None:
        everywhere.append(match.span())
        position = match.start() + 1
    assert list(phrase_matches(phrase, SearchText(text))) == everywhere

    assert [(s.start, s.end) for s in detectors.find_emails(text)] == [m.span() for m in detectors.EMAIL.finditer(text)]
    names_pattern = re.compile(r"(?<![\w'’-])[A-Z][A-Za-z'’]*(?:-[A-Z][A-Za-z'’]*)*(?![\w-])")
    assert [m.span() for m in names._CAPITALISED.finditer(text)] == [m.span() for m in names_pattern.finditer(text)]
    plain_handle = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
    assert [m.span() for m in detectors._HANDLE_AT.finditer(text)] == [m.span() for m in plain_handle.finditer(text)]
    plain_url = re.compile(
        r"\b(?:https?://)?(?:www\.)?(?:instagram\.com|tiktok\.com/@?|facebook\.com|fb\.com|x\.com"
        r"|twitter\.com|snapchat\.com/add|youtube\.com/@?|t\.me)/[A-Za-z0-9_.]+[A-Za-z0-9_]",
        re.IGNORECASE,
    )
    assert [m.span() for m in detectors._HANDLE_URL.finditer(text)] == [m.span() for m in plain_url.finditer(text)]
    capitals = text.upper()
    plain_mark = re.compile(
        r"\b(?:[A-Z]{2}[0-9]{2}\s?[A-Z]{3}|[A-Z][0-9]{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?[0-9]{1,3}[A-Z])\b"
    )
    marks = [(span.start, span.end) for span in vehicles.find_full_marks(capitals)]
    assert marks == [m.span() for m in plain_mark.finditer(capitals)]
