"""Text in a picture: Tesseract (Debian's tesseract-ocr) through pytesseract.

Tesseract runs as a child process per call, on the CPU, offline; pytesseract
writes the image to a temporary file for it and deletes it afterwards. Each
call reads one image and returns its words with their boxes, grouped in lines.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from functools import cache, reduce

from PIL import Image

from liveq.errors import Conflict
from liveq.screening.normalise import AS_DIGIT
from liveq.screening.photos.findings import Box

# Tesseract uses OpenMP threads inside one call; liveq runs calls side by side
# instead, which is faster on few cores. Set before the first child starts.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
LANGUAGES = "eng"
MIN_CONFIDENCE = 30.0
# Marks Tesseract reads at a word's edge from a smudge or a line beside it ("_MRN",
# "¡vanova", "|2"): no label or identifier starts or ends with them, and a leading "_"
# hides "MRN" from every rule that wants it to start a word.
EDGE_JUNK = "_|¡¿~`'\"‘’“”«»"


class OcrMissing(Conflict):
    """Tesseract is not installed: photos cannot be checked for text (409)."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: Box


@dataclass(frozen=True)
class Line:
    """Words Tesseract put on one line, left to right."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> Box:
        """The box round all its words."""
        return reduce(Box.union, (w.box for w in self.words))

    def spans(self) -> list[tuple[int, int]]:
        """Each word's (start, end) in ``text``."""
        out, pos = [], 0
        for w in self.words:
            out.append((pos, pos + len(w.text)))
            pos += len(w.text) + 1
        return out


@cache
def languages() -> str:
    """English, plus Spanish when its data is installed (tesseract-ocr-spa)."""
    import pytesseract

    try:
        have = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError):
        return LANGUAGES
    return "eng+spa" if "spa" in have else "eng"


def check_installed() -> None:
    if shutil.which("tesseract") is None:
        raise OcrMissing(
            "Tesseract is not installed, so photos cannot be checked for text: "
            "apt-get install tesseract-ocr tesseract-ocr-eng."
        )


# A month as photos abbreviate it (a wristband's "10 JUL 1935"); the patterns that use it
# ignore case.
MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# Zeros between letters are Os misread ("EsP0sito", an oblique "Kap00r"): no name or word
# has one. Between small letters, a one or a seven is an l and a degree sign an o, as
# italics are misread ("Castel1anos", "Grunwa7d", "Byornss°n"); beside a capital a digit is
# left ("HbA1c").
_MISREAD_IN_WORD = re.compile(r"(?<=[A-Za-z])0+(?=[A-Za-z])|(?<=[a-z])[17°]+(?=[a-z])")
_MEANT = {"0": "O", "1": "l", "7": "l", "°": "o"}
# Between digits, an o or an l is the digit it looks like ("76o8699" of a whiteboard's
# "7608698"): the question screener folds them the same way (``normalise``), but the photo
# rules read a patient's number from the word as read.
_DIGIT_MISREAD = re.compile(r"(?<=\d)[OolI](?=\d)")


def word_text(raw: str) -> str:
    """A word as read, without the marks a smudge or a line leaves at its edges, and with
    a digit or sign between letters read as the letter it is, a letter between digits as
    the digit."""
    text = _MISREAD_IN_WORD.sub(lambda m: "".join(_MEANT[c] for c in m.group()),
                                raw.strip().strip(EDGE_JUNK))
    return _DIGIT_MISREAD.sub(lambda m: m.group().translate(AS_DIGIT), text)


def read_lines(image: Image.Image, psm: int = 11, lang: str = LANGUAGES) -> list[Line]:
    """The lines of text Tesseract finds in `image` (page segmentation mode `psm`)."""
    import pytesseract

    check_installed()
    data = pytesseract.image_to_data(
        image, lang=lang, config=f"--psm {psm}", output_type=pytesseract.Output.DICT
    )
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for i, raw in enumerate(data["text"]):
        text = word_text(raw or "")
        conf = float(data["conf"][i])
        if not text or conf < MIN_CONFIDENCE:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        box = Box(data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        lines.setdefault(key, []).append(Word(text, conf, box))
    return [Line(tuple(sorted(ws, key=lambda w: w.box.x))) for ws in lines.values()]
