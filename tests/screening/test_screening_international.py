"""Names from many cultures without a cue, "LAST, FIRST" in any case, a surname alone
asked about, a partial SSN, Spanish profanity, and the language of a question.

Examples are written for these tests (none taken from tests/data/*.jsonl); the names are
chosen from outside the US Census 1990 tables, which is what faker's lists add.
"""

from __future__ import annotations

import pytest

from liveq.screening import (
    ScreeningRules,
    detect_language,
    redact,
    screen_question,
    screen_text,
)
from liveq.screening.phi import lexicon

STAFF = ScreeningRules(staff_names=("Dr. Ana Okafor", "Raj Patel"))


def found(text: str, rules: ScreeningRules | None = None) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in screen_text(text, rules=rules or STAFF)]


def names(text: str, rules: ScreeningRules | None = None) -> list[str]:
    return [s for k, s in found(text, rules) if k == "name"]


# -- where the names come from -----------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "first", "last"),
    [
        ("Obinna", True, False),     # Igbo (ig_NG)
        ("Tomasz", True, False),     # Polish (pl_PL)
        ("Wojciechowski", False, True),
        ("Solveig", True, False),    # Norwegian (no_NO)
        ("Venkataraman", False, True),  # Indian (ta_IN / en_IN)
    ],
)
def test_faker_locales_add_names_the_census_lacks(word: str, first: bool, last: bool) -> None:
    abroad_first, abroad_last = lexicon.faker_names()
    key = lexicon.fold(word)
    assert (key in abroad_first, key in abroad_last) == (first, last)
    assert lexicon.is_first_name(word) is first or lexicon.is_surname(word) is last


def test_faker_lists_are_latin_script_and_large() -> None:
    first, last = lexicon.faker_names()
    assert len(first) > 10_000 and len(last) > 10_000
    assert all(w == lexicon.fold(w) and w.replace("'", "").replace("-", "").isalpha()
               for w in first | last)


# -- names without a cue, many cultures -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my grandmother olufunmilayo adebayo is in ward b, can we bring food",
         "olufunmilayo adebayo"),
        ("please tell Nguyen Van Thanh his daughter called", "Nguyen Van Thanh"),
        ("Hiroshi Tanaka fell in the bathroom last night", "Hiroshi Tanaka"),
        ("can you check on Aleksandra Nowakowska, she is in bed by the window",
         "Aleksandra Nowakowska"),
        ("is svetlana ivanova still waiting for the MRI", "svetlana ivanova"),
        ("ahmed al-farsi was discharged without his inhaler", "ahmed al-farsi"),
        ("Giulia Bianchi had the same surgery last year", "Giulia Bianchi"),
        ("Joao Pereira is asking about the bill", "Joao Pereira"),
        ("pls tell chukwuemeka nwosu his ride is here", "chukwuemeka nwosu"),
        ("did Priya Raghunathan get moved to step-down", "Priya Raghunathan"),
        ("Is Dmitri awake yet?", "Dmitri"),
        ("any news on Wojciech? he went in at 7", "Wojciech"),
        ("Kaveh was moved to the ICU, can we visit", "Kaveh"),
        ("can Thandiwe have visitors", "Thandiwe"),
        ("when can we see little mateo", "mateo"),
        ("is Ngozi still in the icu", "Ngozi"),
    ],
)
def test_names_of_many_cultures_without_a_cue(text: str, name: str) -> None:
    assert names(text) == [name]


def test_a_first_name_joined_to_a_full_name() -> None:
    text = "Vikram and Meera Subramanian are both patients here"
    assert names(text) == ["Vikram", "Meera Subramanian"]


def test_every_name_finding_keeps_its_human_reason() -> None:
    text = "Hiroshi Tanaka fell in the bathroom last night"
    (finding,) = screen_text(text, rules=STAFF)
    assert finding.reason == "'Hiroshi Tanaka' looks like a person's name"
    assert redact(text, [finding]) == "[name removed] fell in the bathroom last night"


@pytest.mark.parametrize(
    "text",
    [
        # Words that are a first name in some country: alone, they are the word.
        "Is prior auth needed for an MRI?",
        "fasting during ramadan, how do I time insulin",
        "We drove in from Dayton OH for the clinic",
        "take 1/2 tab in the morning",
        "Can Grace be a middle name on the birth certificate form?",
        "Is tai chi good for balance?",
        "Does karma affect healing lol",
        "Is Kaiser in network?",
        "Is Ozempic ok for teens?",
        "little rock has a clinic too",
        "Is sushi ok during pregnancy?",
        "Are tamales ok on a low sodium diet?",
        "Is yoga ok after a hip replacement?",
        "Should I stop metformin before a CT scan?",
        "is metformin still needed after bariatric surgery",
        "Santiago de Compostela walk after a hip replacement?",
        "Is the Toronto clinic open on Sunday?",
        "Monday, Tuesday or Wednesday?",
        "cancer, diabetes and heart disease: what screening do I need",
        "ok, thanks so much",
        "Thank you Dr. Okafor, very helpful",
        "Great talk, PATEL, RAJ and team!",
        "Hola, tengo una pregunta sobre la vacuna",
        "Are Epstein-Barr and mono the same?",
        "Is Guillain-Barre a side effect of the vaccine?",
        "Do you have Vietnamese or Tagalog interpreters?",
        "Respiratory therapist Jamal Wright explains CPAP",
        "our cardiologist Priya Nair will answer the next one",
        # World-famous people whose health is public (data/public_figures.txt).
        "Greta Thunberg has Aspergers, how is it diagnosed",
        "Frida Kahlo had polio as a child, is that still around",
        "Shah Rukh Khan had shoulder surgery, how long is recovery",
    ],
)
def test_words_that_are_names_elsewhere_stay_quiet(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("pregunto por josé luis ramírez, cuarto 4", "josé luis ramírez"),
        ("el paciente Hernández necesita su medicina", "Hernández"),
        ("¿pueden avisarle a Ximena que ya llegamos?", "Ximena"),
        ("busco a Itzel que está en pediatría", "Itzel"),
    ],
)
def test_spanish_names(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "voy a Tijuana por medicinas, ¿es seguro?",
        "llegamos a Houston ayer para el tratamiento",
        "rezamos a la Virgen de Guadalupe",
        "le dije a Dios que me ayude",
        "tengo una cirugía mañana",
        "I bought a Zumba class pass",
    ],
)
def test_spanish_places_and_prayers_are_not_names(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IS MARGARET OYELOWO STILL IN SURGERY", ["MARGARET OYELOWO"]),
        ("IS KOWALCZYK OUT OF SURGERY", ["KOWALCZYK"]),
        ("TELL KEVIN HIS MOM IS HERE", ["KEVIN"]),
        ("JOHNSON, MARY DOB IS WRONG", ["JOHNSON, MARY"]),
        ("IS TAI CHI GOOD FOR BALANCE", []),
        ("CAN MY MOM BRING FOOD", []),
        ("MAYO CLINIC IS BETTER", []),
    ],
)
def test_a_text_in_capitals_is_read_like_lowercase(text: str, expected: list[str]) -> None:
    assert names(text) == expected


# -- LAST, FIRST in any case --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("WOJCIECHOWSKI, MAREK needs his meds list updated", "WOJCIECHOWSKI, MAREK"),
        ("Mensah, Kwabena is allergic to penicillin", "Mensah, Kwabena"),
        ("LEFEBVRE, AMELIE - wrong wristband", "LEFEBVRE, AMELIE"),   # surname in no list
        ("name on the form: Nwachukwu, Adaeze", "Nwachukwu, Adaeze"),
        ("kowalski, anna is in 4 north", "kowalski, anna"),
        ("GARCIA, Lucia has the wrong birthday", "GARCIA, Lucia"),
    ],
)
def test_last_comma_first_in_any_case(text: str, name: str) -> None:
    assert names(text) == [name]


# -- a surname alone, asked about ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("is kowalczyk out of surgery", "kowalczyk"),
        ("is lindqvist still intubated", "lindqvist"),
        ("when will okonkwo be discharged", "okonkwo"),
        ("did nakamura get the results back", "nakamura"),
        ("pls let Bjornsson know his wife is here", "Bjornsson"),
        ("Is Grant still in pre-op?", "Grant"),
        ("Castellanos was supposed to get his meds at 6", "Castellanos"),
    ],
)
def test_a_surname_alone_with_context(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("can Rose have ice chips yet", "Rose"),
        ("does Faith need to fast before the scan", "Faith"),
        ("Can Jack go home tomorrow", "Jack"),
        ("Please let Skip know we are downstairs", "Skip"),
    ],
)
def test_a_name_that_is_a_word_asked_about(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Does Spring have more pollen",
        "Can Sugar cause headaches",
        "Does Medicare cover hearing aids",
        "Does Will need a ride",
        "Is Summer a good time for knee surgery",
        "Can Hope Hospital take walk-ins",
    ],
)
def test_a_word_asked_about_is_not_a_name(text: str) -> None:
    assert names(text) == []


# -- partial SSN ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("the last four of my social are 2286, is that enough", "2286"),
        ("last 4 digits of his ssn were 0143", "0143"),
        ("my social ends in 5509", "5509"),
        ("SSN ending with 4821 is on the form", "4821"),
        ("last four of her social security number: 1234", "1234"),
    ],
)
def test_partial_ssn(text: str, value: str) -> None:
    assert ("ssn", value) in found(text)


@pytest.mark.parametrize(
    "text", ["the social worker ends in 5 minutes", "last 4 of my appointments were 2023"]
)
def test_partial_ssn_needs_the_label(text: str) -> None:
    assert [k for k, _ in found(text) if k == "ssn"] == []


# -- Spanish ages with no "años" ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("mi abuela tiene 93 y no quiere comer", ["93"]),
        ("mi papá cumple 95 el sábado", ["95"]),
        ("mi abuela tiene 95 de saturación", []),
        ("el oxígeno de mi mamá tiene 92", []),
        ("mi hijo tiene 9", []),
    ],
)
def test_spanish_age_after_a_relative(text: str, ages: list[str]) -> None:
    assert [s for k, s in found(text) if k == "age_over_89"] == ages


# -- Spanish profanity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("esta mierda de estacionamiento", "mierda"),
        ("los pendejos de la recepción", "pendejos"),
        ("qué cabrón el de seguridad", "cabrón"),
        ("ay carajo, otra vez", "carajo"),
        ("PUTA madre, 5 horas esperando", "PUTA"),
        ("hijo de puta", "hijo de puta"),
        ("m1erda de servicio", "m1erda"),
    ],
)
def test_spanish_profanity(text: str, word: str) -> None:
    assert ("profanity", word) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "tengo sangre en la orina",
        "me duele el pezón al amamantar",
        "mi hija tiene caca verde, es normal?",
        "se cayó de la escalera con un martillo",
        "¿el semen puede tener sangre después de la biopsia?",
        "my son loves the conchas from the bakery downstairs",
        "es adicto a la heroína, hay tratamiento?",
    ],
)
def test_spanish_clinical_words_are_not_profanity(text: str) -> None:
    assert [k for k, _ in found(text) if k == "profanity"] == []


# -- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Is the vaccine safe for kids?", "en"),
        ("IS THE VACCINE SAFE FOR KIDS", "en"),
        ("¿Cuándo puedo visitar a mi mamá?", "es"),
        ("soy Carlos Ibarra, tengo una pregunta", "es"),
        ("Ich habe eine Frage zur Impfung", "de"),
        ("Est-ce que le vaccin est sûr pour les enfants?", "fr"),
        ("what about #JakeStrong https://x.com/a 617-555-0143 is he ok", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["ok", "👍👍", "??", "617-555-0143", "hope so"])
def test_detect_language_says_none_when_it_cannot_tell(text: str) -> None:
    assert detect_language(text) is None


def test_screen_question_gives_findings_and_language() -> None:
    text = "mi abuela Rosario Quispe tiene 93 años, ¿puede recibir visitas?"
    result = screen_question(text, rules=STAFF)
    assert result.lang == "es"
    assert [(f.kind, text[f.start:f.end]) for f in result.findings] == [
        ("name", "Rosario Quispe"), ("age_over_89", "93"),
    ]
    assert result.as_dict()["lang"] == "es"
    assert result.as_dict()["findings"] == [f.as_dict() for f in result.findings]


def test_a_name_read_in_lowercase_is_reported_as_written() -> None:
    (finding,) = screen_text("IS MARGARET OYELOWO STILL IN SURGERY", rules=STAFF)
    assert finding.reason == "'MARGARET OYELOWO' looks like a person's name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my gmail is tinamarsh1970", [("email", "tinamarsh1970")]),
        ("her yahoo is kbrooks", [("email", "kbrooks")]),
        ("mi correo es lupita_g", [("email", "lupita_g")]),
        ("my email is down again", []),
        ("my gmail is full", []),
        ("her yahoo is kbrooks (at) yahoo (dot) com", [("email", "kbrooks (at) yahoo (dot) com")]),
    ],
)
def test_an_account_name_after_its_mail_service(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "age"),
    [("he is a hundred and two", "hundred and two"), ("my dad is a hundred", "hundred")],
)
def test_a_hundred_in_words(text: str, age: str) -> None:
    assert ("age_over_89", age) in found(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 0044 7700 900123 pls", [("phone", "0044 7700 900123")]),
        ("0049 171 2345678 is my husband", [("phone", "0049 171 2345678")]),
        ("my number is 0034 612 34 56 78", [("phone", "0034 612 34 56 78")]),
        ("order 00123 4567 890", []),
        ("lot 0012345678", []),
    ],
)
def test_a_number_dialled_out_with_00(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("código postal 06600", [("zip_code", "06600")]),
        ("mi CURP es GODE561231HDFRRN09", [("license_number", "GODE561231HDFRRN09")]),
        ("mi DNI es 12345678Z", [("license_number", "12345678Z")]),
        ("my NI number is QQ 12 34 56 C", [("license_number", "QQ 12 34 56 C")]),
        ("my national insurance no: AB123456D", [("license_number", "AB123456D")]),
        ("my SIN is 046 454 286", [("license_number", "046 454 286")]),
        ("my social insurance number is 046-454-286", [("license_number", "046-454-286")]),
        ("estuve sin 200000 pesos de seguro", []),
        ("insurance id 12345678", [("health_plan_number", "12345678")]),
    ],
)
def test_other_countries_ids(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la operaron el martes 12", [("date", "el martes 12")]),
        ("el martes 12 de mayo de 2025 fue la cirugía", [("date", "el martes 12 de mayo de 2025")]),
        ("el lunes 8:30 es la cita", []),
        ("el viernes 10 am", []),
    ],
)
def test_a_spanish_weekday_and_day(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_language_is_told_from_the_opening_of_a_long_text() -> None:
    # The model's cost grows with the text (a pasted 15,000-character word took 0.2 s),
    # so it reads the opening: a long Spanish start decides, whatever follows.
    spanish = "¿Cuánto tiempo tarda la recuperación después de la operación de rodilla? " * 6
    english = "How long does recovery take after a knee replacement operation? " * 80
    assert detect_language(spanish + english) == "es"
    assert detect_language(english + spanish) == "en"
