"""The photo check's own rules, on their own: label text and tilted faces (issue 19)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from liveq.screening.phi import lexicon
from liveq.screening.phi.names import procedure_words
from liveq.screening.photos.faces import (
    ALONE,
    CERTAIN,
    CLOSE_SURE,
    CONFIRM,
    FAINT,
    FIND,
    RETINA_LONGEST,
    SURE,
    _confirmation,
    _confirmed,
    _evened,
    _faces,
    _found_at_full_size,
    _hits,
    _more_faces,
    _retina,
    _second_look,
    find_faces,
)
from liveq.screening.photos.findings import Box, PhotoFinding
from liveq.screening.photos.geometry import View
from liveq.screening.photos.ocr import Line, Word, word_text
from liveq.screening.photos.text import block_findings, merge, read_findings
from tests.screening.photo_samples import with_face


def line(*words: str, y: int = 0) -> Line:
    """A line as Tesseract would give it: each word 20 px tall, 12 px per letter."""
    out, x = [], 0
    for w in words:
        out.append(Word(w, 90.0, Box(x, y, 12 * len(w), 20)))
        x += 12 * len(w) + 12
    return Line(tuple(out))


def found(*lines: Line) -> list[tuple[str, str]]:
    view = View(Image.new("L", (800, 400), 255))
    return sorted((f.kind, f.text) for f in block_findings(view, list(lines)))


def test_a_number_after_a_label_is_the_patients_number():
    assert ("mrn", "1180089331") in found(line("ID", "1180089331"))
    assert ("mrn", "556810806") in found(line("Female", "Hosp", "No", "556810806"))


def test_a_short_number_after_a_label_is_not_a_patients_number():
    assert found(line("ID:", "4411")) == []


def test_a_labels_own_words_are_not_a_name():
    assert [k for k, _ in found(line("Hosp", "No", "556810806"))] == ["mrn"]
    assert found(line("LATEX", "ALLERGY")) == []


def test_a_surname_and_an_initial_is_a_name():
    assert ("name", "BRENNAN, N.") in found(line("Pt:", "BRENNAN,", "N."))


def test_a_name_line_without_a_comma_goes_with_the_number_below_it():
    got = found(line("MWANGI", "Bence"), line("ID", "556810806", y=30))
    assert ("name", "MWANGI Bence") in got
    assert ("mrn", "556810806") in got


def test_a_name_beside_an_identifier_takes_the_whole_name_where_the_screener_knew_one_word():
    # The screener knows "Beatriz"; beside the MRN the whole line is the name, and its box
    # must cover the surname too, or the blur leaves it readable.
    got = found(line("LUNDGREN", "Beatriz"), line("MRN", "842535", y=30))
    assert ("name", "LUNDGREN Beatriz") in got
    assert ("name", "Beatriz") not in got
    # Alone, the line is what the screener says it is.
    assert found(line("LUNDGREN", "Beatriz")) == [("name", "Beatriz")]


def test_marks_at_a_words_edge_are_not_part_of_it():
    assert word_text("_MRN") == "MRN"
    assert word_text("¡vanova.") == "vanova."
    assert word_text("|") == ""
    assert word_text("O'Brien") == "O'Brien"
    assert ("mrn", "5614577") in found(line(word_text("_MRN"), "5614577"))


def test_a_zero_between_letters_is_read_as_the_o_it_is():
    assert word_text("EsP0sito,") == "EsPOsito,"
    assert ("name", "EsPOsito, M") in found(line(word_text("EsP0sito,"), "M", "TKR"))
    # Digits beside letters, not between them, are left as read.
    assert [word_text(w) for w in ("SpO2", "Sp02", "H2O", "100")] == ["SpO2", "Sp02", "H2O", "100"]


def test_zeros_between_letters_are_read_as_the_os_they_are():
    # The tuning set forty-third's whiteboard-02: an oblique monospaced "Kapoor, R" read
    # "Kap00r, R" on a list's row, whose name was then no word.
    assert word_text("Kap00r,") == "KapOOr,"
    row = ("2)", "R", "TURP", "#", "366737196")
    assert ("name", "KapOOr, R") in found(line(row[0], word_text("Kap00r,"), *row[1:]))
    assert not any(k == "name" for k, _ in found(line(row[0], "Kap00r,", *row[1:])))
    # Zeros beside letters, not between them, are left as read.
    assert [word_text(w) for w in ("Sp002", "100mg", "A00")] == ["Sp002", "100mg", "A00"]


def test_a_one_a_seven_or_a_degree_sign_between_small_letters_is_the_letter_italics_lose():
    assert word_text("Castel1anos,") == "Castellanos,"
    assert word_text("Grunwa7d,") == "Grunwald,"
    assert word_text("Byornss°n") == "Byornsson"
    assert ("name", "Castellanos, T") in found(line("2)", word_text("Castel1anos,"), "T", "TURP"))
    # Beside a capital or a digit, a one is part of what is written.
    kept = ("HbA1c", "B12", "H1N1", "1st", "A7b", "7am")
    assert [word_text(w) for w in kept] == list(kept)


def test_an_o_or_an_l_between_digits_is_the_digit_a_blurred_number_lost():
    assert [word_text(w) for w in ("76o8699", "3O5", "10I5", "9l47")] == [
        "7608699", "305", "1015", "9147"]
    # Beside a digit, not between two, a letter is left as read.
    kept = ("SpO2", "H2O", "2o", "o12", "1l")
    assert [word_text(w) for w in kept] == list(kept)


def test_a_number_after_a_hash_read_as_an_asterisk_is_the_patients_number():
    # A whiteboard's "# 7608698", blurred: "* 76o8699".
    got = found(line("Yelena", "Bjornsson", "lap", "appy", "*", word_text("76o8699")))
    assert ("mrn", "7608699") in got
    assert found(line("*", "1234")) == []  # four digits are no patient's number


def test_a_list_rows_surname_is_a_name_where_the_given_name_was_read_as_marks():
    # "1) Sefa Jardine TKR 1976/02/09" on a blurred whiteboard, read "1) 9010 Jardine THA".
    got = found(line("1)", "9010", "Jardine", "THA", "1976/02/09"))
    assert ("name", "Jardine") in got and ("date", "1976/02/09") in got
    # Its box covers the marks before the surname: the given name under them.
    view = View(Image.new("L", (800, 400), 255))
    boxes = [f.box for f in block_findings(view, [line("1)", "9010", "Jardine", "THA",
                                                        "1976/02/09")]) if f.kind == "name"]
    assert boxes and boxes[0].x == 36  # "1)" is 24 px wide, then a 12 px gap
    # Not without an identifier beside it, nor without the operation after the surname.
    assert found(line("1)", "9010", "Jardine", "THA")) == []
    assert found(line("1)", "9010", "Jardine", "bed", "1976/02/09")) == [
        ("date", "1976/02/09")]


def test_two_names_on_a_tilted_lists_rows_keep_their_own_boxes():
    # A list at 27°: each row's upright box overlaps the next row's by more than half.
    first = PhotoFinding("name", Box(300, 410, 400, 330), "name", "Mateus Castellnos")
    third = PhotoFinding("name", Box(400, 600, 220, 140), "name", "Ivanova, Y")
    fourth = PhotoFinding("name", Box(440, 700, 210, 140), "name", "KapOor. H")
    kept = merge([first, third, fourth])
    assert sorted(f.text for f in kept) == ["Ivanova, Y", "KapOor. H", "Mateus Castellnos"]
    assert max(f.box.area for f in kept) == first.box.area
    # The same name read twice, a letter apart, is one finding round both reads.
    again = PhotoFinding("name", Box(310, 420, 420, 300), "name", "Mateus Cacteli*nos")
    both = merge([first, again])
    assert len(both) == 1 and both[0].box == first.box.union(again.box)
    # Or read as other marks in nearly the same place: still one.
    marks = PhotoFinding("name", Box(305, 415, 400, 320), "name", "Ma Tt")
    assert len(merge([first, marks])) == 1


def test_a_zero_after_a_surname_on_a_list_row_is_the_initial_o():
    # "Grunwald, O" on a whiteboard, its initial read as a zero.
    got = found(line(word_text("Grunwa7d,"), "0", "TuRP", "19.02.2010"))
    assert ("name", "Grunwald 0") in got and ("date", "19.02.2010") in got
    # A zero after a label's word is no initial.
    assert found(line("Theatre,", "0", "TuRP", "19.02.2010")) == [("date", "19.02.2010")]


def test_an_id_label_whose_i_was_read_as_a_one_still_labels_the_number():
    assert ("mrn", "838297") in found(line("1D", "838297"))
    assert ("mrn", "838297") in found(line("lD:", "838297"))
    assert found(line("1d", "838297")) == []  # a day, in small letters


def test_a_long_number_beside_a_birth_date_is_the_patients_number_though_its_label_was_misread():
    born = line("Born", "1/22/2009")
    assert ("mrn", "25341208") in found(born, line("WHS", "Mo", "25341208", y=30))
    assert ("mrn", "850871") in found(born, line("850871", y=30))
    # Alone it may be anything; beside a birth date, a monitor's readings are not one.
    assert found(line("WHS", "Mo", "25341208")) == []
    assert {k for k, _ in found(born, line("HR", "72", "SpO2", "98", y=30))} == {"date"}


def test_readings_side_by_side_are_not_a_phone_number():
    assert found(line("16", "84", "993")) == []  # "78 Pleth 97" read sideways
    assert ("phone", "020 7946 0958") in found(line("Tel", "020", "7946", "0958"))


def test_a_long_number_on_a_numbered_list_row_is_the_patients_number():
    assert found(line("2)", "Kapoor", "ORIF", "wrist", "y", "3489772")) == [
        ("mrn", "3489772"),
        ("name", "Kapoor"),
    ]
    assert found(line("2)", "Swabs", "10")) == []  # a count, not a patient
    assert found(line("Kapoor", "ORIF", "3489772")) == []  # no list, no label: unknown


def test_a_list_rows_first_words_are_a_name_beside_an_identifier_whatever_their_case():
    got = found(line("3)", "Noor", "castellanos", "TURP", "#", "6179136"))
    assert ("name", "Noor castellanos") in got
    got = found(line("1)", "vanova.", "F", "EVAR", "bed", "24"))
    assert ("name", "vanova F") in got and ("room_number", "24") in got
    # A procedure's abbreviation is not a name.
    assert {k for k, _ in found(line("4)", "TKR", "EVAR", "#", "6179136"))} == {"mrn"}


def test_a_list_rows_name_is_found_where_the_reading_lost_the_rows_number():
    got = found(line("Sefa", "Folau", "ORIF", "wrist", "27", "AUG", "1944"))
    assert got == [("date", "27 AUG 1944"), ("name", "Sefa Folau")]
    assert ("name", "Sefa Folau") in found(line("Sefa", "Folau", "lap", "appy", "27/08/1944"))
    # Not without an identifier beside it, nor where the two words are the list's own.
    assert found(line("Sefa", "Folau", "ORIF", "wrist")) == []
    assert found(line("Theatre", "list", "TKR", "27/08/1944")) == [("date", "27/08/1944")]
    # Nor where the second is in capitals: a wristband's "Born 9 MAR 1996", misread.
    assert found(line("Born", "OM", "AH", "1996"), line("Born", "9", "MAR", "1996")) == [
        ("date", "9 MAR 1996")
    ]


def test_a_bed_read_one_letter_wrong_is_a_bed_beside_an_identifier():
    got = found(line("Folau,", "Y", "ped", "17"), line("MRN", "08403108", y=30))
    assert ("room_number", "17") in got
    assert found(line("ped", "17")) == []  # alone it may be anything


def test_a_surname_in_capitals_and_a_given_name_are_a_name_beside_an_identifier():
    assert ("name", "ESPOSITO Sefa") in found(
        line("Pa", "AE", "ESPOSITO", "Sefa"), line("MRN", "5614577", y=30)
    )
    assert found(line("ESPOSITO", "Sefa")) == []


def test_an_operation_beside_a_patients_number_is_not_a_name():
    number = line("ID", "556810806", y=30)
    for operation in (("ORIF", "Wrist"), ("ORIF", "Wwrigt"), ("Total", "Knee"), ("Lap", "Chole")):
        assert found(line(*operation), number) == [("mrn", "556810806")], operation
    # A list's row keeps its patient's name before the operation; a name that is also a
    # word left out of the list ("Stone") is still a name.
    row = found(line("3)", "Noor", "Castellanos", "TURP", "#", "6179136", "bed", "4"))
    assert ("name", "Noor Castellanos") in row
    assert ("name", "Emma Stone") in found(line("Emma", "Stone"), number)


def test_no_operating_list_word_is_a_name_people_commonly_have():
    # Census shares in percent: "Stone" 0.059 and "Ward" 0.108 are names, left out.
    common = {
        w for w in procedure_words()
        if lexicon.first_names().get(w, 0) >= 0.01 or lexicon.surnames().get(w, 0) >= 0.01
    }
    assert common == set()


def test_readings_of_marks_beside_an_identifier_are_not_names():
    got = found(line("VA", "Mh"), line("Ma", "N"), line("MRN", "5614577", y=30))
    assert got == [("mrn", "5614577")]


def test_a_name_line_goes_with_an_identifier_another_read_found_close_by():
    """A wristband's name and number of other sizes fall in two blocks, read apart."""
    canvas = Image.new("L", (2000, 1000), 255)
    name = View(canvas).cropped((100, 100, 600, 140))
    number = View(canvas).cropped((100, 150, 600, 190))
    far = View(canvas).cropped((1400, 800, 1900, 840))
    got = read_findings([
        (name, [line("LUNDGREN", "Freya")], False),
        (number, [line("MRN", "1838040")], False),
        (far, [line("ESPOSITO", "Sefa")], False),
    ])
    assert sorted((f.kind, f.text) for f in got) == [
        ("mrn", "1838040"),
        ("name", "LUNDGREN Freya"),
    ]
    assert got[0].box.y == 100  # the name, in the photo's pixels


def covered(box: Box, face: Box) -> bool:
    return box.intersection(face) >= 0.5 * face.area and box.area <= 6 * face.area


def test_a_face_tilted_25_degrees_is_found():
    plain = Image.new("RGB", (1400, 1000), (60, 120, 115))
    face_px = 260
    photo = with_face(plain, at=(0.3, 0.2), face_px=face_px)
    # Turn the photo about the face's centre so only the head tilts.
    k = face_px / 90
    cx, cy = 0.3 * 1400 + (180 - 100 + 45) * k, 0.2 * 1000 + (80 - 20 + 49) * k
    tilted = photo.rotate(25, center=(cx, cy), resample=Image.BICUBIC, fillcolor=(60, 120, 115))
    half = 45 * k
    face = Box(int(cx - half), int(cy - half), int(2 * half), int(2 * half))
    faces = find_faces(tilted)
    assert any(covered(f.box, face) for f in faces), [f.box.as_list() for f in faces]


def test_a_grey_dim_face_is_found():
    plain = Image.new("RGB", (1200, 900), (200, 205, 200))
    photo = with_face(plain, at=(0.4, 0.3), face_px=150).convert("L")
    dim = Image.eval(photo, lambda v: int(v * 0.55)).convert("RGB")
    k = 150 / 90
    face = Box(int(0.4 * 1200 + 80 * k), int(0.3 * 900 + 60 * k), int(90 * k), int(98 * k))
    faces = find_faces(dim)
    assert any(covered(f.box, face) for f in faces), [f.box.as_list() for f in faces]


def test_a_plain_drape_has_no_face():
    assert find_faces(Image.new("RGB", (1200, 900), (60, 120, 115))) == []


def test_a_name_tesseract_was_unsure_of_is_dropped():
    unsure = Line(tuple(Word(w.text, 40.0, w.box) for w in line("Rigg", "He").words))
    got = found(unsure, line("ID", "556810806", y=30))
    assert got == [("mrn", "556810806")]


def test_a_count_that_adds_up_is_not_a_date():
    assert found(line("Swab", "count", "12/12")) == []
    assert found(line("Needles", "3/4")) == []


def test_a_month_and_day_with_no_count_word_is_a_date_beside_another_identifier():
    beside = found(line("seen", "3/4"), line("ID", "1180089331", y=30))
    assert ("date", "3/4") in beside and ("mrn", "1180089331") in beside


def test_a_month_and_day_alone_is_todays_date_or_a_reading_not_an_identifier():
    assert found(line("seen", "3/4")) == []
    assert found(line("9/1")) == []
    assert ("date", "3/4/61") in found(line("seen", "3/4/61"))


def test_a_profanity_read_unsure_is_a_misread_texture():
    assert found(Line((Word("xXx", 46.0, Box(0, 0, 36, 20)),))) == []
    assert found(Line((Word("xXx", 90.0, Box(0, 0, 36, 20)),))) == [("profanity", "xXx")]


def test_a_readings_label_with_a_mark_before_it_is_not_a_name():
    assert found(line("Mos", "Temp", "36.8")) == []
    assert found(line("Ana", "Pulse", "78")) == []
    assert found(line("VIBLL", "LOT", "10-8207")) == []  # a vial's lot number
    # Without the reading, the screener's call stands.
    assert found(line("Maria", "Temp")) != []


def test_a_monitors_misread_abbreviations_are_not_a_name():
    assert found(line("NOA", "LNO")) == []


def test_the_words_after_a_name_label_are_the_name():
    assert ("name", "KAPOOR Halldor") in found(line("Patient:", "KAPOOR", "Halldor"))
    assert found(line("Patient:", "GARCIA")) == []


def test_a_surname_with_its_comma_is_a_name_though_its_initial_was_lost():
    # "Patient: GRUNWALD, B." read without the initial: the comma says a surname comes first.
    assert ("name", "GRUNWALD") in found(line("Patient", "GRUNWALD,"))
    # Alone on its line, a surname in capitals with its comma is a name beside an identifier,
    # and nothing without one; a word in small letters is not taken that way.
    assert ("name", "CASTELLANOS") in found(line("CASTELLANOS,"), line("ID", "838297", y=30))
    assert found(line("CASTELLANOS,")) == []
    assert found(line("Dressing,"), line("ID", "838297", y=30)) == [("mrn", "838297")]
    assert found(line("TKR,"), line("ID", "838297", y=30)) == [("mrn", "838297")]


def test_a_postcode_in_lower_case_or_read_unsure_is_a_misread_texture():
    assert found(line("T22ns")) == []
    unsure = Line((Word("SW1A", 40.0, Box(0, 0, 48, 20)), Word("1AA", 40.0, Box(60, 0, 36, 20))))
    assert found(unsure) == []
    assert [k for k, _ in found(line("SW1A", "1AA"))] == ["zip_code"]


def test_a_weak_hit_alone_is_kept_only_when_the_second_look_confirms_it():
    weak, other = Box(100, 100, 40, 40), Box(400, 100, 40, 40)
    looked: list[Box] = []

    def second_look(box: Box) -> bool:
        looked.append(box)
        return box == weak

    # One view each, both weak: only the confirmed one stays.
    assert _faces([(weak, 0.8, 0), (other, 0.8, 0)], second_look) == [weak]
    assert looked == [weak, other]
    # A weak hit another view agrees with needs no second look; a sure one neither.
    looked.clear()
    agreed = [(other, 0.75, 0), (Box(402, 101, 40, 40), 0.8, 1), (weak, 0.95, 2)]
    assert len(_faces(agreed, second_look)) == 2
    assert looked == []


def test_the_second_look_reads_the_full_size_photo():
    plain = Image.new("RGB", (2400, 1800), (60, 120, 115))
    photo = with_face(plain, at=(0.5, 0.4), face_px=120)
    k = 120 / 90
    cx, cy = 0.5 * 2400 + (180 - 100 + 45) * k, 0.4 * 1800 + (80 - 20 + 49) * k
    # The hit as the half-size copy would have it: on the face, and on the plain drape.
    on_face = Box(int(cx / 2 - 30), int(cy / 2 - 30), 60, 60)
    on_drape = Box(100, 100, 60, 60)
    assert _second_look(photo, on_face, 0.5)
    assert not _second_look(photo, on_drape, 0.5)


def test_retinaface_confirms_a_face_and_not_a_drape():
    plain = Image.new("RGB", (2400, 1800), (60, 120, 115))
    photo = with_face(plain, at=(0.5, 0.4), face_px=120)
    k = 120 / 90
    cx, cy = 0.5 * 2400 + (180 - 100 + 45) * k, 0.4 * 1800 + (80 - 20 + 49) * k
    on_face, on_drape = Box(int(cx / 2 - 30), int(cy / 2 - 30), 60, 60), Box(100, 100, 60, 60)
    assert _confirmed(photo, on_face, 0.5)
    assert not _confirmed(photo, on_drape, 0.5)
    # Its best score there: a plain face is sure close up; the drape has none.
    assert _confirmation(photo, on_face, 0.5) >= CLOSE_SURE
    assert _confirmation(photo, on_drape, 0.5) == 0.0


def test_retinafaces_own_hits_must_be_confirmed_and_sure_or_agreed_with():
    kept = Box(100, 100, 40, 40)
    sure, weak, unconfirmed, agreed, close, faint, certain = (
        Box(x, 300, 40, 40) for x in (100, 300, 500, 700, 900, 1100, 1300)
    )
    looked: list[Box] = []

    def second_look(box: Box) -> bool:
        looked.append(box)
        return box == agreed

    def confirmation(box: Box, enough: float) -> float:
        # RetinaFace's best score on the box's neighbourhood.
        return {unconfirmed: 0.0, close: CLOSE_SURE, faint: CLOSE_SURE,
                certain: CERTAIN}.get(box, CONFIRM)

    found = [
        (Box(104, 102, 38, 38), 0.99),  # a face MTCNN kept: not a second finding
        (sure, ALONE + 0.05),  # sure: needs no second look
        (weak, FIND),  # weaker, and MTCNN's second look does not agree
        (unconfirmed, 0.99),  # RetinaFace does not see it again on its neighbourhood
        (agreed, FIND + 0.05),
        (Box(702, 301, 40, 40), 0.9),  # the same face twice
        (close, FIND),  # weak on the photo, sure on its neighbourhood: no second look
        (faint, FIND - 0.01),  # fainter: sure on its neighbourhood is not enough...
        (certain, FAINT),  # ...certain there is
    ]
    more = _more_faces(found, [kept], confirmation, second_look)
    assert more == [sure, agreed, close, certain]
    assert looked == [weak, agreed]


def test_a_stained_tissue_slide_has_no_face_though_mtcnn_is_sure_of_one():
    from skimage import data

    slide = Image.fromarray(data.immunohistochemistry()).resize((1024, 1024))
    # MTCNN alone takes a patch of the stain for a face, and is sure of it...
    assert any(confidence >= SURE for _, confidence, _ in _hits(np.asarray(slide)))
    # ...RetinaFace does not see one there, so the check reports none.
    assert find_faces(slide) == []


def test_a_small_dim_blurred_tilted_face_in_a_12_mp_photo_is_found_at_full_size():
    # 36 pixels across, tilted 22 degrees, dimmed, blurred and noisy: 18 pixels on MTCNN's
    # 2000-pixel copy, under what it finds; RetinaFace finds it on the full-size photo.
    face_px, at = 36, (0.7, 0.2)
    photo = with_face(Image.new("RGB", (4032, 3024), (60, 120, 115)), at=at, face_px=face_px)
    k = face_px / 90
    cx, cy = at[0] * 4032 + (180 - 100 + 45) * k, at[1] * 3024 + (80 - 20 + 49) * k
    tilted = photo.rotate(-22, center=(cx, cy), resample=Image.BICUBIC)
    tilted = tilted.filter(ImageFilter.GaussianBlur(1.5))
    noise = np.random.default_rng(3).normal(0, 6, (3024, 4032, 3))
    photo = Image.fromarray((np.asarray(tilted) * 0.6 + noise).clip(0, 255).astype(np.uint8))
    half = 55 * k
    face = Box(int(cx - half), int(cy - half), int(2 * half), int(2 * half))
    factor = 2000 / 4032
    assert any(
        covered(Box(int(b.x / factor), int(b.y / factor), int(b.w / factor), int(b.h / factor)),
                face)
        for b, _ in _found_at_full_size(photo, factor)
    )
    faces = find_faces(photo)
    assert [covered(f.box, face) for f in faces] == [True], [f.box.as_list() for f in faces]


def test_a_name_in_lower_case_alone_is_marks_misread():
    assert found(line("E", "jos", "ouuo", "Jofew")) == []
    # The same words capitalised are read as a name: only the case decides.
    assert [k for k, _ in found(line("E", "Jos", "Ouuo", "Jofew"))] == ["name"]


def test_a_rooms_misreadings_are_a_room_beside_another_identifier():
    for room in ("Rn", "Rin", "Wm", "bd"):
        assert ("room_number", "207") in found(line("ID", "2979657961", room, "207")), room
    assert ("room_number", "207") not in found(line("ID", "2979657961", "Rx", "207"))


def test_a_date_read_with_a_stray_space_or_comma_is_a_date_beside_another_identifier():
    for date in (("5/4/", "2008"), ("04", "11.2001"), ("20,09.1934",)):
        got = found(line("ID", "2979657961"), line("ORIF", *date, y=30))
        assert ("date", " ".join(date)) in got, date


def test_a_number_read_glued_to_its_label_is_boxed_without_the_label():
    view = View(Image.new("L", (800, 400), 255))
    glued = line("ID", "2979657961", "bed3")
    word = glued.words[-1].box
    [room] = [f for f in block_findings(view, [glued]) if f.kind == "room_number"]
    assert room.text == "3"
    # Its last letter and half a letter's margin, not the whole word "bed3".
    assert room.box.x > word.x + word.w // 2
    assert room.box.x + room.box.w == word.x + word.w
    assert room.box.w < word.w // 2


def test_a_month_read_one_letter_wrong_is_still_a_date():
    assert found(line("2)", "M", "EVAR", "8", "YUL", "2002")) == [("date", "8 YUL 2002")]
    assert ("date", "12 MAV 2004") in found(line("12", "MAV", "2004"))
    # No day (40), two letters wrong, or a year out of range: not a date.
    assert found(line("40", "YUL", "2002")) == []
    assert found(line("8", "XYZ", "2002")) == []
    assert found(line("8", "YUL", "1802")) == []


def test_a_month_that_lost_its_last_letter_is_still_a_date():
    # "25 FEB 1979" on a whiteboard, read "25FE 1979" and "25 FE 1979".
    assert found(line("EVAR", "25FE", "1979")) == [("date", "25FE 1979")]
    # On a list's row the date is an identifier the name beside it goes with.
    got = found(line("1)", "Sefa", "EVAR", "25", "FE", "1979"))
    assert got == [("date", "25 FE 1979"), ("name", "Sefa")]
    # Two small letters are a word, and two capitals no month starts with are not one.
    assert found(line("12", "no", "1990")) == []
    assert found(line("12", "OR", "1990")) == []


def test_a_date_that_lost_a_separator_or_read_its_year_wrong_is_a_date_beside_another_identifier():
    # Tuning sets: "826/1951" of a monitor's 8/26/1951, "5/181991" of a wristband's
    # 5/18/1991 (forty-third), "1034/08/04" of a wristband's 1994/08/06.
    for date in ("826/1951", "5/181991", "1226/1951", "1034/08/04", "30/06/1034"):
        got = found(line("ID", "2951324"), line(date, y=30))
        assert ("date", date) in got, date
        # Alone it may be a count or a code: not a date.
        assert found(line(date)) == [], date
    # No month and day in it (51, 81; 13 and 40), or no three parts: not a date.
    for other in ("1951/1951", "7781/2028", "1094/13/40", "3/45/1034", "2028-01"):
        assert found(line("ID", "2951324"), line(other, y=30)) == [("mrn", "2951324")], other


def test_a_dim_washed_out_three_quarter_face_is_found_with_the_lightness_evened():
    # The tuning set twelfth's face-02 (scripts/make_photo_holdout.py draws it again from
    # its seed, byte for byte): a dim three-quarter face at contrast 0.65, 64 pixels, with
    # motion blur and salt-and-pepper noise, beside a plainer face.
    import importlib
    import io
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    holdout = importlib.import_module("make_photo_holdout")
    [(_, data, record)] = holdout.third_photos("twelfth", only="face-02.jpg")
    photo = Image.open(io.BytesIO(data)).convert("RGB")
    dim, plain = Box(*record["faces"][1]["box"]), Box(*record["faces"][0]["box"])
    # On the copy RetinaFace reads (RETINA_LONGEST pixels long) it hardly sees the dim face
    # as it is; with the lightness evened it is sure of it.
    k = RETINA_LONGEST / max(photo.size)
    read = np.asarray(photo.resize((round(photo.width * k), round(photo.height * k)),
                                   Image.BICUBIC))
    on_dim = Box(int(dim.x * k), int(dim.y * k), int(dim.w * k), int(dim.h * k))
    as_is = [s for b, s in _retina(read, 0.05) if b.intersection(on_dim) > 0]
    assert max(as_is, default=0.0) < FAINT
    evened = [s for b, s in _retina(_evened(read), 0.05) if b.intersection(on_dim) > 0]
    assert max(evened) >= ALONE
    faces = find_faces(photo)
    assert sorted(covered(f.box, dim) for f in faces) == [False, True]
    assert any(covered(f.box, plain) for f in faces)
