"""How many threads each network of the photo check may use."""

from __future__ import annotations

import os


def network_threads() -> int:
    """Half the cores, at least one.

    A check runs PP-OCR's networks, the face networks and two Tesseract processes at the
    same time (``scan``); onnxruntime's default, a thread per core for every session, made
    them fight over the cores. On two cores, one thread each checked the benchmark's
    12 MP photos in 4.21 s (median) against 4.55 s (scripts/bench_photos.py).
    """
    return max(1, (os.cpu_count() or 2) // 2)
