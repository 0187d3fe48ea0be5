"""Score liveq's photo check on the generated photo sets (scripts/make_photo_holdout.py).

Usage: python scripts/photo_holdout.py
       [--split SPLIT]  (holdout, dev, fresh, fresh-dev, third, third-dev,
                         fourth ... forty-fifth)
       [--dir DIR] [--only PREFIX]

Generates the split's images first when DIR has none. For each image, liveq's
``scan_photo`` runs on its bytes as uploaded; its findings are compared with the
manifest's boxes:

- an identifier (or face) is found when one finding's box covers at least half of
  it and is not more than 10 (faces: 6) times its size — a box that hides it
  without hiding the whole picture;
- a false finding is any finding on a clean image; on the other images, a finding
  that covers no expected box is counted apart ("extra");
- face recall is given twice: of every labelled face, and of the faces at least half
  showing (a face's "shown" share in the manifest: the generator places two photos at
  random, and the second can cover the first, which is still labelled).

Printed: recall of identifier text (overall, by category and by kind; whether the
kind agrees), recall of faces, false findings per 10 clean images, seconds per
image, then every miss and false finding. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_photo_holdout import COMMITTED, SPLITS  # noqa: E402

from liveq.screening.photos.findings import Box  # noqa: E402
from liveq.screening.photos.memory import keep_large_buffers  # noqa: E402
from liveq.screening.photos.scan import scan_photo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEXT_RATIO, FACE_RATIO = 10, 6
SHOWING = 0.5  # of a face's outline no later photo covers (manifests before it: all)
# The sets whose manifests are committed: regenerated with --check (the same bytes).
HELD_OUT = tuple(COMMITTED)


def covers(finding: Box, expected: Box, ratio: float) -> bool:
    return (
        finding.intersection(expected) >= 0.5 * expected.area
        and finding.area <= ratio * max(1, expected.area)
    )


def load(folder: Path, split: str) -> list[dict]:
    manifest = folder / "manifest.jsonl"
    if not manifest.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_photo_holdout.py"), "--split", split,
             "--out", str(folder),
             *(["--check"] if split in HELD_OUT else [])],
            check=True,
        )
    return [json.loads(line) for line in manifest.read_text("utf-8").splitlines() if line]


def score(records: list[dict], folder: Path) -> dict:
    ids_total = ids_found = kind_ok = faces_total = faces_found = 0
    showing_total = showing_found = 0
    clean_images = clean_false = extra = 0
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    times: list[float] = []
    misses: list[str] = []
    false: list[str] = []
    for rec in records:
        data = (folder / rec["file"]).read_bytes()
        start = time.perf_counter()
        findings = scan_photo(data)
        times.append(time.perf_counter() - start)
        text = [f for f in findings if f.source == "text"]
        faces = [f for f in findings if f.source == "face"]
        used: set[int] = set()
        for exp in rec["identifiers"]:
            box = Box(*exp["box"])
            hits = [i for i, f in enumerate(findings) if f.source == "text"
                    and covers(f.box, box, TEXT_RATIO)]
            ids_total += 1
            by_cat[rec["category"]][1] += 1
            by_kind[exp["kind"]][1] += 1
            used.update(hits)
            if hits:
                ids_found += 1
                by_cat[rec["category"]][0] += 1
                by_kind[exp["kind"]][0] += 1
                kind_ok += any(findings[i].kind == exp["kind"] for i in hits)
            else:
                misses.append(f"{rec['file']}: {exp['kind']} {exp['text']!r} at {exp['box']}"
                              f" ({rec['notes']})")
        for exp in rec["faces"]:
            box = Box(*exp["box"])
            hits = [i for i, f in enumerate(findings) if f.source == "face"
                    and (covers(f.box, box, FACE_RATIO) or f.box.iou(box) >= 0.3)]
            faces_total += 1
            showing = exp.get("shown", 1.0) >= SHOWING
            showing_total += showing
            used.update(hits)
            if hits:
                faces_found += 1
                showing_found += showing
            else:
                hidden = "" if showing else f", {exp['shown']:.0%} of it showing"
                misses.append(f"{rec['file']}: face at {exp['box']}{hidden} ({rec['notes']})")
        if rec["category"] == "clean":
            clean_images += 1
            clean_false += len(findings)
            false += [f"{rec['file']}: {f.kind} {f.text!r} at {f.box.as_list()} ({f.reason})"
                      for f in findings]
        else:
            for i, f in enumerate(findings):
                if i not in used and not any(
                    f.box.intersection(Box(*e["box"])) > 0.3 * f.box.area
                    for e in rec["identifiers"] + rec["faces"]
                ):
                    extra += 1
                    false.append(f"(extra) {rec['file']}: {f.kind} {f.text!r} at "
                                 f"{f.box.as_list()}")
        del text, faces
    return {
        "images": len(records),
        "identifiers": ids_total,
        "identifier_recall": round(ids_found / ids_total, 3) if ids_total else None,
        "identifier_kind_agrees": round(kind_ok / ids_found, 3) if ids_found else None,
        "by_category": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_cat.items())},
        "by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "faces": faces_total,
        "face_recall": round(faces_found / faces_total, 3) if faces_total else None,
        "faces_showing": showing_total,
        "face_recall_showing": (round(showing_found / showing_total, 3)
                                if showing_total else None),
        "clean_images": clean_images,
        "false_per_10_clean": round(10 * clean_false / clean_images, 2) if clean_images else None,
        "extra_findings_elsewhere": extra,
        "seconds_median": round(statistics.median(times), 2),
        "seconds_p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 2),
        "misses": misses,
        "false": false,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="holdout",
                        choices=sorted(SPLITS))
    parser.add_argument("--dir", type=Path, help="image folder (default /tmp/liveq-photo-SPLIT)")
    parser.add_argument("--only", action="append", default=[], help="file name prefix")
    args = parser.parse_args()
    keep_large_buffers()  # as `liveq` does: seconds per image as in the server
    folder = args.dir or Path(f"/tmp/liveq-photo-{args.split}")
    records = load(folder, args.split)
    if args.only:
        records = [r for r in records if any(r["file"].startswith(p) for p in args.only)]
    result = score(records, folder)
    print(f"{result['images']} images ({args.split})")
    print(f"identifier text recall: {result['identifier_recall']} of {result['identifiers']}"
          f" (kind agrees in {result['identifier_kind_agrees']})")
    print("  by category:", result["by_category"])
    print("  by kind:    ", result["by_kind"])
    print(f"face recall: {result['face_recall']} of {result['faces']};"
          f" of the {result['faces_showing']} at least half showing:"
          f" {result['face_recall_showing']}")
    print(f"false findings per 10 clean images: {result['false_per_10_clean']}"
          f" ({result['clean_images']} clean); extra findings on other images:"
          f" {result['extra_findings_elsewhere']}")
    print(f"seconds per image: median {result['seconds_median']}, p90 {result['seconds_p90']}")
    for line in result["misses"]:
        print("MISS ", line)
    for line in result["false"]:
        print("FALSE", line)
    summary = {k: v for k, v in result.items() if k not in ("misses", "false")}
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
