"""PHI detector: what fires, what must not, and the reasons given."""

from __future__ import annotations

import pytest

from liveq.screening import Finding, screen_text
from liveq.screening.phi import detect_phi


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in detect_phi(text)]


def test_the_example_from_the_brief_has_three_findings() -> None:
    text = "my mother Jane Doe was in room 412 on 3/14"
    assert found(text) == [("name", "Jane Doe"), ("room_number", "412"), ("date", "3/14")]
    reasons = {f.kind: f.reason for f in detect_phi(text)}
    assert reasons["name"] == "name after 'my mother'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my husband Bob had a stent", [("name", "Bob")]),
        ("patient John Smith asked", [("name", "John Smith")]),
        ("My son, Tim, has asthma", [("name", "Tim")]),
        ("my daughter emily was born early", [("name", "emily")]),
        ("Is Ms. Delgado the patient?", [("name", "Delgado")]),
        ("Get well soon Greg!!", [("name", "Greg")]),
        ("My twins Noah and Liam have allergies", [("name", "Noah"), ("name", "Liam")]),
        ("Sending love to Marisol in pre-op", [("name", "Marisol")]),
        ("My sister's name is Lily", [("name", "Lily")]),
    ],
)
def test_names_in_patient_context(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith, what about kids under 5?",
        "Thanks Dr. Rivera and Nurse Kim for all you do",
        "My son Will not take his meds",
        "My daughter May have an allergy",
        "My Mom Always says vitamins are useless",
        "I'm Curious whether there is a group",
        "Is Parkinson's hereditary?",
        "My neurologist Dr. Brown says my MS is stable",
        "Congratulations to Nurse Manager Tasha Greene on 30 years",
        "Hi Dr. Brooks! How do you stay calm?",
    ],
)
def test_clinicians_and_common_words_are_not_names(text: str) -> None:
    assert [k for k, _ in found(text) if k == "name"] == []


@pytest.mark.parametrize(
    ("text", "value", "reason"),
    [
        ("born on 7/22/1961", "7/22/1961", "date of birth"),
        ("DOB 01-05-1948", "01-05-1948", "date of birth"),
        ("surgery on 14 March 2025", "14 March 2025", "date"),
        ("colonoscopy 2025-03-14", "2025-03-14", "full date"),
        ("passed away on Dec 12, 2023", "Dec 12, 2023", "date"),
        ("appointment is 11/4 but", "11/4", "month/day date"),
        ("He was born in May 1950", "May 1950", "date of birth"),
        ("DOB 13 MAY 1970", "13 MAY 1970", "date of birth"),
        ("the label reads 02 MAY 2019", "02 MAY 2019", "date"),
        ("discharged on the 9th", "the 9th", "day of a personal event"),
    ],
)
def test_dates(text: str, value: str, reason: str) -> None:
    (f,) = detect_phi(text)
    assert (f.kind, text[f.start:f.end], f.reason) == ("date", value, reason)


@pytest.mark.parametrize(
    "text",
    [
        "I've had diabetes since 2019",
        "Is 120/80 normal?",
        "The webinar starts at 3:30",
        "metformin 500 mg twice a day",
        "the bottle says 2.5 mL",
        "an A1C of 7.2%",
        "Vision is 20/40 in my left eye",
        "a 3/4 inch incision",
        "a 2/6 heart murmur",
        "the 24/7 nurse line",
        "a 50/50 chance",
        "a 1:1 nurse ratio",
        "The flu clinic runs October through December",
        "covered by Medicare in 2025",
        "the 2024-2025 flu vaccine",
        "ICD-10 code",
    ],
)
def test_date_near_misses(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("I'm 94 years old", "94"),
        ("my 92-year-old grandmother", "92"),
        ("My aunt is ninety-three", "ninety-three"),
        ("My father, aged 96, was sent home", "96"),
        ("someone who's 99", "99"),
        ("Happy 100th birthday to her", "100"),
    ],
)
def test_ages_over_89(text: str, value: str) -> None:
    assert ("age_over_89", value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm 89 and want to drive",
        "my oxygen is 92 at night",
        "over 90% of people",
        "a 90 day supply",
        "For patients over 90, is anesthesia riskier?",
        "My mom is in her 90s",
        "a fever of 102",
    ],
)
def test_age_near_misses(text: str) -> None:
    assert [k for k, _ in found(text) if k == "age_over_89"] == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("call me at (617) 555-0143", "phone", "(617) 555-0143"),
        ("text me 6175550198", "phone", "6175550198"),
        ("reach me on +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("my cell is 555-123-4567", "phone", "555-123-4567"),
        ("fax the records to 708-555-0199", "fax", "708-555-0199"),
        ("Email jenny.morales82@gmail.com", "email", "jenny.morales82@gmail.com"),
        ("my SSN is 078-05-1120", "ssn", "078-05-1120"),
        ("ssn: 457555462", "ssn", "457555462"),
        ("last 4 of my social is 4821", "ssn", "4821"),
        ("My MRN is 00482913", "mrn", "00482913"),
        ("Medical record #A4471902", "mrn", "A4471902"),
        ("chart number is 55-20419", "mrn", "55-20419"),
        ("member ID XJH4823901 with Aetna", "health_plan_number", "XJH4823901"),
        ("Medicare number 1EG4-TE5-MK73", "health_plan_number", "1EG4-TE5-MK73"),
        ("account number is 7730018842", "account_number", "7730018842"),
        ("driver's license is D1234-56789-01234", "license_number", "D1234-56789-01234"),
        ("license plate ABC-1234", "vehicle_id", "ABC-1234"),
        ("VIN 1HGCM82633A004352", "vehicle_id", "1HGCM82633A004352"),
        ("serial number is PJN123456H", "device_id", "PJN123456H"),
        ("lives at 1234 Elm Street", "street_address", "1234 Elm Street"),
        ("P.O. Box 4410", "street_address", "P.O. Box 4410"),
        ("Brookline MA 02446", "zip_code", "02446"),
        ("see https://www.caringbridge.org/visit/x", "url", "https://www.caringbridge.org/visit/x"),
        ("My IP 73.162.45.201 got blocked", "ip_address", "73.162.45.201"),
        ("in bed 3B", "room_number", "3B"),
        ("Rm 5127 has", "room_number", "5127"),
    ],
)
def test_identifiers(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Is there room for improvement?",
        "the waiting room on the 2nd floor",
        "How many beds does the ICU have? 24",
        "CPT code 99214",
        "Is the phase 3 trial NCT04368728 enrolling?",
        "Call 911 if you have chest pain",
        "I walk 2 miles down the street every day",
        "the top 50 hospitals",
        "We have performed 1,000 procedures since 2012",
        "Does the shuttle stop at Elm Street and 5th Avenue?",
        "live from OR 4",
        "My implant card says model 5076-52cm",
        "@jen_rn asked a great question",
    ],
)
def test_identifier_near_misses(text: str) -> None:
    assert found(text) == []


def test_labelled_identifier_beats_phone() -> None:
    text = "account 66120943 and call 404-555-0182"
    assert found(text) == [("account_number", "66120943"), ("phone", "404-555-0182")]


def test_spans_are_python_str_indices_with_unicode() -> None:
    text = "🎉🎉 Mi mamá Guadalupe Torres está en el cuarto 318"
    kinds = {(f.kind, text[f.start:f.end]) for f in screen_text(text)}
    assert ("name", "Guadalupe Torres") in kinds
    assert ("room_number", "318") in kinds


def test_findings_are_frozen_and_sorted() -> None:
    findings = screen_text("call 617-555-0143 on 3/14 about my son Tim")
    assert findings == sorted(findings, key=lambda f: f.start)
    with pytest.raises(AttributeError):
        findings[0].kind = "x"  # type: ignore[misc]
    assert isinstance(findings[0], Finding)
    assert findings[0].as_dict()["kind"] == findings[0].kind
