"""Issue 13: screening that generalises. Names without a cue, other countries' numbers,
Spanish, what people type on phones, whole spans, and the traps that must stay quiet.

Examples are written for these tests (not taken from tests/data/screening_holdout.jsonl).
"""

from __future__ import annotations

import pytest

from liveq.ingest.screener import ScreeningSettings
from liveq.screening import ScreeningRules, redact, screen_text
from liveq.screening.phi.identifiers import luhn_check, nhs_check
from liveq.screening.rules import DEFAULT_REGIONS

STAFF = ScreeningRules(staff_names=("Dr. Lena Marsh", "Tomasz Wilk"))


def found(text: str, rules: ScreeningRules | None = None) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in screen_text(text, rules=rules)]


def names(text: str, rules: ScreeningRules | None = None) -> list[str]:
    return [s for k, s in found(text, rules) if k == "name"]


# -- names without a cue --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Will the team check on Roberta Quiñones before lunch?", "Roberta Quiñones"),
        ("Oluwaseun Adebayo had the same scan and it was fine", "Oluwaseun Adebayo"),
        ("how is Siobhan O'Connell feeling after the stent", "Siobhan O'Connell"),
        ("Did Hyun-woo Park get his results", "Hyun-woo Park"),
        ("Thank you for looking after Cornelius Blackwood 🙏", "Cornelius Blackwood"),
        ("can someone tell rosemary gutierrez her son is here", "rosemary gutierrez"),
        ("is juan carlos mendoza still in pre op", "juan carlos mendoza"),
        ("TORRES, ELENA is on the list twice", "TORRES, ELENA"),
        ("Whitaker, Gordon M — pharmacy never called", "Whitaker, Gordon M"),
    ],
)
def test_full_names_without_a_cue_fire_whole(text: str, name: str) -> None:
    assert names(text) == [name]


def test_a_finding_keeps_a_human_reason() -> None:
    (f,) = screen_text("Is Dr. Marsh operating on Cornelius Blackwood today?")
    assert f.reason == "'Cornelius Blackwood' looks like a person's name"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("can Beatrix have visitors after six", "Beatrix"),
        ("any news on Fitzpatrick? the family is downstairs", "Fitzpatrick"),
        ("please tell marisol we are parked outside", "marisol"),
        ("why did they send reginald home so early", "reginald"),
        ("is mrs abernethy allowed to walk yet", "abernethy"),
        ("uncle ned is asking for his glasses", "ned"),
        ("baby ezra came home today!", "ezra"),
        ("Thanks for everything you did for Imogen, she is doing great", "Imogen"),
    ],
)
def test_a_first_name_or_surname_alone_fires_in_a_persons_context(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Will Carter go home today or tomorrow?", "Will Carter"),
        ("Can Grace Fletcher bring her own pillow?", "Grace Fletcher"),
        ("Hope is still waiting for her scan, how long does it take", "Hope"),
        ("does Bill need to bring his inhaler", "Bill"),
        ("Joy is coming home tomorrow!!", "Joy"),
    ],
)
def test_names_that_are_words_fire_in_context(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "will the recording be posted?",
        "Will there be time for questions?",
        "Hope you are all well, great session",
        "hope so, thanks!",
        "Mark your calendars for the next one",
        "Bill pay is confusing, who do I call",
        "is there a grace period for the copay",
        "frank answer please: is it safe",
        "summer hours at the lab?",
        "so much joy in this room tonight",
        "is rose hip oil ok on a scar",
        "May I ask a follow up?",
        "My son Will not take his meds",
        "dawn to dusk fasting and insulin?",
        "Faith based support groups near the hospital?",
    ],
)
def test_words_that_are_also_names_stay_quiet(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("#TeamBrooklyn first day of chemo 💪", "Brooklyn"),
        ("sending love #PrayersForMateo", "Mateo"),
        ("#NoraStrong we are with you", "Nora"),
    ],
)
def test_a_name_in_a_support_hashtag(text: str, name: str) -> None:
    assert names(text) == [name]


def test_initials_after_goes_by() -> None:
    assert names("her name is Penelope but she goes by PJ on the ward") == ["Penelope", "PJ"]


@pytest.mark.parametrize(
    "text",
    [
        "Serena Williams had a clot after birth, how common is that?",
        "Michael J. Fox's foundation funds trials, right?",
        "is lou gehrig's disease the same as ALS",
        "Is the Mayo Clinic diet real?",
        "does St Jude take adults",
        "Is Parkinson's hereditary?",
        "my mom has Lewy body dementia",
        "Is Crohn's disease genetic?",
        "the Heimlich maneuver on a toddler?",
        "Dr. Amelia Hart, can you repeat that?",
        "Thanks Nurse Carla and Dr. Chen!",
        "Is Priyanka Desai the new chief nursing officer?",
        "who is the new CEO, Rhonda Pike?",
        "@JaneDoeMD great talk",
        "watching from Duluth, great stream",
        "greetings from Springfield!",
        "I read Dickens as a kid and he described TB",
        "I saw the Ken Burns documentary about it",
        "¿qué es mejor, parto al natural o con epidural?",
        "fui al médico y me dijeron que es ansiedad",
        "mi papá está en casa y se siente mejor",
        "does Medicare Advantage cover it",
        "can Ozempic cause nausea",
        "My Aetna card was rejected",
    ],
)
def test_public_figures_eponyms_clinicians_places_and_spanish_words_stay_quiet(
    text: str,
) -> None:
    assert names(text) == []


# -- staff allow-list ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Is Lena Marsh operating today?",
        "lena marsh you are the best",
        "marsh and wilk should do a podcast",
        "MARSH, LENA is the surgeon on my letter",
        "Tomasz Wilk, will you post the slides?",
        "hi Dr. Lena! thank you",
        "dr marsh can you explain the scan",
    ],
)
def test_staff_names_never_fire(text: str) -> None:
    assert names(text, STAFF) == []


def test_without_the_allow_list_staff_names_are_names() -> None:
    assert names("Is Lena Marsh operating today?") == ["Lena Marsh"]
    assert names("Tomasz Wilk, will you post the slides?") == ["Tomasz Wilk"]


def test_staff_do_not_hide_a_patient_named_beside_them() -> None:
    text = "Is Dr. Marsh operating on Cornelius Blackwood or on Lenora?"
    assert names(text, STAFF) == ["Cornelius Blackwood"]
    assert names("Is Lena Marshall ok?", STAFF) == ["Lena Marshall"]


def test_staff_names_and_regions_are_config_keys() -> None:
    settings = ScreeningSettings.from_mapping(
        {"staff_names": ["Dr. Lena Marsh"], "regions": ["us", "GB"]}
    )
    assert settings.rules.staff_names == ("Dr. Lena Marsh",)
    assert settings.rules.regions == ("US", "GB")
    assert ScreeningRules().regions == DEFAULT_REGIONS
    with pytest.raises(ValueError, match="the United Kingdom is GB"):
        ScreeningSettings.from_mapping({"regions": ["UK"]})
    with pytest.raises(ValueError, match="list of strings"):
        ScreeningSettings.from_mapping({"staff_names": "Lena Marsh"})
    rules = ScreeningRules().with_staff("Dr. Lena Marsh")
    assert rules.staff_names == ("Dr. Lena Marsh",)
    assert rules.with_staff("dr. lena marsh", "") is rules


# -- other countries ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ring my sister on 0113 496 0321 tonight", "0113 496 0321"),  # GB landline
        ("my mobile is 07911 123456", "07911 123456"),  # GB mobile
        ("Handynummer 0160 9876543", "0160 9876543"),  # DE
        ("call me 0421 555 012 in perth", "0421 555 012"),  # AU
        ("mi celular: 81 2345 6789", "81 2345 6789"),  # MX (Monterrey)
        ("llámame al 654 32 10 98", "654 32 10 98"),  # ES
        ("whatsapp me at 91234 56789", "91234 56789"),  # IN
        ("my cell is (905) 555-0177", "(905) 555-0177"),  # CA
        ("+33 6 12 34 56 78 is my french number", "+33 6 12 34 56 78"),  # any with +
    ],
)
def test_phone_numbers_of_the_configured_regions(text: str, number: str) -> None:
    assert ("phone", number) in found(text)


def test_regions_are_configurable() -> None:
    text = "Handynummer 0160 9876543"
    assert ("phone", "0160 9876543") not in found(text, ScreeningRules(regions=("US",)))
    assert ("phone", "0160 9876543") in found(text, ScreeningRules(regions=("US", "DE")))


def test_check_digits() -> None:
    assert nhs_check("9434765919") and not nhs_check("9434765918")
    assert luhn_check("79927398713") and not luhn_check("79927398710")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my NHS number is 401 023 2137", "health_plan_number", "401 023 2137"),
        ("nhs no: 9434765919 for my mum", "health_plan_number", "9434765919"),
        ("OHIP 1234-567-897-AB please", "health_plan_number", "1234-567-897-AB"),
        ("health card number 1234 567 897", "health_plan_number", "1234 567 897"),
        ("NSS 12345678901 del IMSS", "health_plan_number", "12345678901"),
        ("we moved to EH1 1YZ last year", "zip_code", "EH1 1YZ"),
        ("postcode cf10 3at, is that covered", "zip_code", "cf10 3at"),
        ("our postal code is T2P 1J9", "zip_code", "T2P 1J9"),
        ("k2p1l4 for the mail", "zip_code", "k2p1l4"),
    ],
)
def test_health_numbers_and_postcodes(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text)


@pytest.mark.parametrize(
    "text",
    ["take b12 3mg daily?", "vitamin b6 2nd dose", "is the nhs app any good", "NCT04368728"],
)
def test_no_postcode_or_health_number_in_doses_and_names_of_things(text: str) -> None:
    assert found(text) == []


# -- Spanish ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mi hijo Santiago tiene tos", [("name", "Santiago")]),
        ("soy Marisela Duarte, la hija del paciente", [("name", "Marisela Duarte")]),
        ("doña Remedios no ha comido", [("name", "Remedios")]),
        ("el paciente Ernesto Ruiz Salinas ya salió", [("name", "Ernesto Ruiz Salinas")]),
        ("mi abuelo tiene 94 años", [("age_over_89", "94")]),
        ("mi tía cumple noventa y seis años", [("age_over_89", "noventa y seis")]),
        ("la operación es el 4 de junio", [("date", "4 de junio")]),
        ("nació el 30 de abril de 1929", [("date", "30 de abril de 1929")]),
        ("expediente 7731204, ¿ya está?", [("mrn", "7731204")]),
        ("vivo en calle morelos 88, centro", [("street_address", "calle morelos 88")]),
    ],
)
def test_spanish_cues_dates_ages_and_records(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "¿cuánto dura la recuperación?",
        "voy al hospital mañana",
        "dolor 8/10 en la rodilla",
        "mi hijo tiene 7 años",
        "hace 90 años que existe el hospital",
        "Al final, ¿habrá grabación?",
    ],
)
def test_spanish_traps(text: str) -> None:
    assert found(text) == []


# -- what people type ---------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "kara dot lee at gmail dot com",
        "kara_lee (at) yahoo (dot) co (dot) uk",
        "k.lee at outlook.com",
        "klee77 [at] icloud [dot] com",
        "mlopez at hotmail",
        "karalee AT proton DOT me",
        "k.lee2 @ example . org",
        "kara punto lee arroba gmail punto com",
    ],
)
def test_emails_written_out(email: str) -> None:
    text = f"please write to {email} about the forms"
    assert found(text) == [("email", email)]


@pytest.mark.parametrize(
    "text",
    ["look at webmd.com for that", "the info at cdc.gov says", "meet at noon", "@ the clinic"],
)
def test_not_emails(text: str) -> None:
    assert [k for k, _ in found(text) if k == "email"] == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("call me at four one five, five five five, two nine nine one", "phone",
         "four one five, five five five, two nine nine one"),
        ("my social is three two one, five four, nine eight seven six", "ssn",
         "three two one, five four, nine eight seven six"),
        ("mrn six six two zero one nine four", "mrn", "six six two zero one nine four"),
        ("she's in room five eighteen", "room_number", "five eighteen"),
        ("grandpa is ninety six this year", "age_over_89", "ninety six"),
    ],
)
def test_numbers_written_in_words_are_found_as_written(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text)
    f = next(f for f in screen_text(text) if f.kind == kind)
    assert value not in redact(text, [f])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("his surgery was the fifth of october 1938", "fifth of october 1938"),
        ("scan is thursday the 21st", "thursday the 21st"),
        ("she was born on the first of may", "first of may"),
        ("admitted thirtieth of june", "thirtieth of june"),
        ("he died on new year's eve 2024", "new year's eve 2024"),
        ("born 1928, june 3rd", "1928, june 3rd"),
        ("appt moved to the 14th", "the 14th"),
    ],
)
def test_dates_in_words_and_ordinals(text: str, value: str) -> None:
    start = text.index(value)
    dates = [f for f in screen_text(text) if f.kind == "date"]
    assert any(f.start <= start and start + len(value) <= f.end for f in dates), dates


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("we live at 14 willow creek dr near the school", "14 willow creek dr"),
        ("send it to 300 s state st apt 9", "300 s state st apt 9"),
        ("moved to 9 aspen ct", "9 aspen ct"),
        ("deliver to 2100 ne 45th st #3", "2100 ne 45th st #3"),
        ("she stays at 801 county rd 7", "801 county rd 7"),
    ],
)
def test_lowercase_abbreviated_addresses(text: str, value: str) -> None:
    assert ("street_address", value) in found(text)


def test_zip_after_a_street_line() -> None:
    assert found("we're at 5 maple ln, madison wi 53703") == [
        ("street_address", "5 maple ln"),
        ("zip_code", "53703"),
    ]


def test_a_redaction_covers_the_whole_name() -> None:
    text = "can someone check on juan carlos mendoza and GARCIA, LUIS please"
    assert redact(text, screen_text(text)) == (
        "can someone check on [name removed] and [name removed] please"
    )


# -- what must stay quiet -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "pain is 7/10 today and was 9/10 yesterday",
        "10/10 would watch again",
        "rate the session 8/10?",
        "bp 150/95 this morning",
        "is 250 mg too much",
        "since 2016 I've had migraines",
        "the q&a is at 6:45",
        "CPT 99213 or 99214?",
        "ICD-10 I10 means hypertension?",
        "take 1/2 tab at night",
        "ldl 160 on 20mg",
        "90 day supply",
        "in 3 weeks",
        "ward 5 or ward 6?",
        "3 out of 4 people",
        "the hospital has 612 beds",
        "10,000 steps a day",
        "is the 2026 flu shot out",
    ],
)
def test_clinical_numbers_and_scores_stay_quiet(text: str) -> None:
    assert found(text) == []
