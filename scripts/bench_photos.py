"""How long liveq takes to clean and check a 12-megapixel phone photo, and whether the
server stays responsive meanwhile.

Usage: python scripts/bench_photos.py [--photos 5] [--seed 7]

Makes a few synthetic 4032×3024 photos (a drawn operating room, a wristband with a
name, DOB and MRN at a random size and tilt, a harmless sign), saves each as a phone
would (JPEG, quality 92), then for each:
- cleans it (re-encoding without metadata) and checks it (text and faces), timed;
- meanwhile, on the same event loop, a ticker measures how late a 10 ms sleep wakes
  (the loop's lag): the work runs in a thread pool, as in the server.
Prints median and p90 seconds per photo, the worst loop lag, the check's median
against a baseline in the same run (the check without the turned face passes, the
faces' second looks and the binarised second reads), the peak resident memory and the
machine's load. As the `liveq` command does, it first sets the allocator to keep large
buffers (screening.photos.memory); --default-malloc leaves it as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_photo_holdout import harmless_sign, or_scene, place, wristband  # noqa: E402

from liveq.screening.photos import faces, scan  # noqa: E402
from liveq.screening.photos.clean import clean_photo  # noqa: E402
from liveq.screening.photos.memory import keep_large_buffers  # noqa: E402
from liveq.screening.photos.scan import scan_photo  # noqa: E402

SIZE = (4032, 3024)


def photo(seed: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(seed)
    canvas = or_scene(rng, SIZE)
    notes: list[str] = []
    place(rng, canvas, harmless_sign(rng, 40, "DejaVuSans.ttf"), notes, (0, 5))
    px = int(rng.choice([28, 40, 60]))
    place(rng, canvas, wristband(rng, px, "DejaVuSans.ttf"), notes, (0, 8, -12, 90))
    buf = io.BytesIO()
    canvas.convert("RGB").save(buf, "JPEG", quality=92)
    return buf.getvalue()


def clean_and_check(data: bytes) -> tuple[float, float, int]:
    start = time.perf_counter()
    cleaned = clean_photo(data, "image/jpeg")
    mid = time.perf_counter()
    found = scan_photo(cleaned.data)
    return mid - start, time.perf_counter() - mid, len(found)


async def measure(photos: list[bytes]) -> None:
    pool = ThreadPoolExecutor(max_workers=2)
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    stop = False

    async def ticker() -> None:
        while not stop:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - t - 0.01)

    # The first check in a process builds the detectors (loads the face networks): timed
    # apart, not as loop lag.
    start = time.perf_counter()
    scan_photo(clean_photo(photos[0], "image/jpeg").data)
    print(f"first check (builds the detectors): {time.perf_counter() - start:.2f} s")
    tick = asyncio.create_task(ticker())
    totals, cleans, checks = [], [], []
    for n, data in enumerate(photos, 1):
        start = time.perf_counter()
        clean_s, check_s, found = await loop.run_in_executor(pool, clean_and_check, data)
        totals.append(time.perf_counter() - start)
        cleans.append(clean_s)
        checks.append(check_s)
        print(f"photo {n}: {len(data) / 1e6:.1f} MB, clean {clean_s:.2f} s, check {check_s:.2f} s,"
              f" {found} findings")
    stop = True
    await tick
    pool.shutdown()

    def p90(values):
        return sorted(values)[max(0, int(round(0.9 * len(values))) - 1)]

    print(f"per photo (clean + check): median {statistics.median(totals):.2f} s,"
          f" p90 {p90(totals):.2f} s")
    print(f"  clean: median {statistics.median(cleans):.2f} s; check: median"
          f" {statistics.median(checks):.2f} s")
    print(f"event loop lag while checking: median {1000 * statistics.median(lags):.1f} ms,"
          f" worst {1000 * max(lags):.0f} ms")
    # Baseline in the same run (the machine is shared, so only a ratio means much): the
    # check without the turned face passes, the second looks and the binarised second reads.
    base = []
    turns, zoom_turns, binarised = faces.TURNS, faces.ZOOM_TURNS, scan.BINARISED
    faces.TURNS, faces.ZOOM_TURNS, scan.BINARISED = (0,), (), 0
    try:
        for data in photos:
            cleaned = clean_photo(data, "image/jpeg").data
            start = time.perf_counter()
            scan_photo(cleaned)
            base.append(time.perf_counter() - start)
    finally:
        faces.TURNS, faces.ZOOM_TURNS, scan.BINARISED = turns, zoom_turns, binarised
    ratio = statistics.median(checks) / statistics.median(base)
    print(f"check without turned face passes, second looks and binarised reads (baseline): median"
          f" {statistics.median(base):.2f} s; check / baseline {ratio:.2f}x")
    # The networks keep their buffers between photos (onnxruntime's arena): memory held.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")
    print(f"load average (1, 5, 15 min): {os.getloadavg()}, cores: {os.cpu_count()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's allocator as it is (`liveq` keeps large buffers)")
    args = parser.parse_args()
    if not args.default_malloc:
        print(f"allocator keeps large buffers (as `liveq` does): {keep_large_buffers()}")
    photos = [photo(args.seed + i) for i in range(args.photos)]
    asyncio.run(measure(photos))
    return 0


if __name__ == "__main__":
    sys.exit(main())
