"""Moderator queue at scale: a 20,000-question event's console snapshot, and 1,000 actions.

Usage: python scripts/bench_queue.py [--quick]

The questions go straight into a fresh database through the store (group-committed,
before the server starts); then a real `liveq serve` runs in its own process and this
process is the client:
  snapshot - open the moderator websocket (/ws/{slug} with a bearer token), receive the
             snapshot and parse it: the time a console takes to show the whole queue;
  actions  - moderation actions through the JSON API, one after another, with one
             moderator console and one audience view connected (so every action is also
             fanned out): approve, star, on air, answer; edit, approve, unstar,
             decline. Latency is per request as the client sees it.
Targets: snapshot under 1 s; actions under 5 ms median. The last line printed is one
JSON object (no baseline here, so no ratio).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    children,
    free_port,
    machine,
    median,
    percentile,
    r,
    raise_nofile,
    setup_event,
    start_liveq,
    table,
    workdir,
    write_config,
)

SLUG = "bench"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "screening_corpus.jsonl"
TARGET_SNAPSHOT_MS = 1000.0
TARGET_ACTION_MS = 5.0
GROUPS = (
    (("approve", {}), ("star", {}), ("on_air", {}), ("answer", {"answer": "Yes, after 6 weeks."})),
    (
        ("edit", {"text": "Edited by the moderator: when can I drive again?"}),
        ("approve", {}),
        ("unstar", {}),
        ("decline", {"reason": "answered in the talk"}),
    ),
)


def texts() -> list[str]:
    out = []
    if CORPUS.exists():
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                if 10 <= len(text) <= 400 and text.isprintable():
                    out.append(text)
    return out or ["How long is recovery after a knee replacement for someone over 70?"]


async def fill(config: Path, count: int) -> tuple[str, float]:
    """The event, a moderator token and `count` pending questions; returns (token, seconds)."""
    from liveq.config import load_config
    from liveq.domain.questions import Status
    from liveq.storage import store
    from liveq.storage.db import Database

    event, token = await setup_event(config, SLUG)
    pool = texts()
    finding = {"kind": "watch", "start": 0, "end": 5, "reason": "watch-list word"}
    started = time.monotonic()
    async with Database(load_config(config).database_target) as db:
        for chunk in range(0, count, 1000):
            await asyncio.gather(
                *(
                    store.insert_question(
                        db,
                        event,
                        store.NewQuestion(
                            text=f"{pool[i % len(pool)]} ({i})", author=f"Viewer {i % 997}"
                        ),
                        Status.PENDING,
                        [finding] if i % 10 == 0 else [],
                    )
                    for i in range(chunk, min(count, chunk + 1000))
                )
            )
    return token, time.monotonic() - started


async def snapshot_once(ws_url: str, token: str) -> tuple[float, int, int]:
    import websockets

    started = time.monotonic()
    async with websockets.connect(
        ws_url,
        additional_headers={"Authorization": f"Bearer {token}"},
        compression=None,
        max_size=None,
        open_timeout=30,
    ) as ws:
        raw = await asyncio.wait_for(ws.recv(), 30)
        snap = json.loads(raw)
        elapsed = time.monotonic() - started
    assert snap["type"] == "snapshot" and snap["role"] == "moderator", snap.get("type")
    return elapsed * 1000, len(snap["questions"]), len(raw.encode())


async def drain(ws) -> int:
    n = 0
    try:
        async for _ in ws:
            n += 1
    except Exception:  # noqa: BLE001 - closed at the end of the run, any way is fine
        pass
    return n


async def run(args: argparse.Namespace) -> dict:
    import aiohttp
    import websockets

    with workdir(args.keep) as tmp, children() as started:
        port = free_port()
        config = write_config(
            tmp,
            port,
            limits={"questions_per_minute": 0, "api_requests_per_minute": 0},
            events={"moderation": "pre"},
        )
        token, fill_s = await fill(config, args.questions)
        print(f"  {args.questions:,} questions stored in {fill_s:.1f} s", file=sys.stderr)
        liveq = start_liveq(config, port, tmp)
        started.append(liveq)
        ws_url = f"ws://127.0.0.1:{port}/ws/{SLUG}"

        snaps = []
        for _ in range(args.snapshots):
            snaps.append(await snapshot_once(ws_url, token))
        print(f"  snapshots: {[round(s[0]) for s in snaps]} ms", file=sys.stderr)

        auth = {"Authorization": f"Bearer {token}"}
        api = f"{liveq.url}/api/v1/events/{SLUG}/questions"
        lat: list[float] = []
        failures: dict[str, int] = {}
        console = await websockets.connect(
            ws_url, additional_headers=auth, compression=None, max_size=None
        )
        await console.recv()
        # An audience view / overlay: the public projection of every change.
        overlay = await websockets.connect(ws_url, compression=None, max_size=None)
        await overlay.recv()
        readers = [asyncio.create_task(drain(console)), asyncio.create_task(drain(overlay))]
        async with aiohttp.ClientSession(headers=auth) as session:
            plan = []
            qid = 0
            while len(plan) < args.actions:
                qid += 1
                plan += [(qid, a, body) for a, body in GROUPS[qid % 2]]
            plan = plan[: args.actions]
            # One unmeasured request first: connection and server warm-up.
            async with session.get(f"{api}/{args.questions}") as resp:
                await resp.read()
            t_all = time.monotonic()
            for qid, action, body in plan:
                t0 = time.monotonic()
                async with session.post(f"{api}/{qid}/{action}", json=body) as resp:
                    await resp.read()
                    status = resp.status
                lat.append((time.monotonic() - t0) * 1000)
                if status != 200:
                    failures[f"{action}:{status}"] = failures.get(f"{action}:{status}", 0) + 1
            total_s = time.monotonic() - t_all
        await asyncio.sleep(0.5)
        await console.close()
        await overlay.close()
        pushed = await asyncio.gather(*readers)
    return {
        "fill_s": fill_s,
        "snapshots": snaps,
        "latencies": lat,
        "failures": failures,
        "total_s": total_s,
        "pushed": pushed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (under a minute)")
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--actions", type=int, help="moderation actions (default 1000; quick 300)")
    parser.add_argument("--snapshots", type=int, help="snapshot loads (default 7; quick 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (db, logs)")
    args = parser.parse_args()
    args.actions = args.actions or (300 if args.quick else 1000)
    args.snapshots = args.snapshots or (3 if args.quick else 7)
    raise_nofile()
    out = asyncio.run(run(args))

    snap_ms = [s[0] for s in out["snapshots"]]
    lat = out["latencies"]
    m = machine()
    print()
    print(
        f"Moderator queue: {args.questions:,} questions; {args.snapshots} snapshot loads, "
        f"{len(lat):,} actions one after another; {m['cpus']} CPUs, Python {m['python']}, "
        f"{m['date']}"
    )
    rows = [
        ["console snapshot (connect, receive, parse)", median(snap_ms), min(snap_ms),
         max(snap_ms), ""],
        ["moderation action (JSON API)", median(lat), percentile(lat, 99), max(lat),
         f"{len(lat) / out['total_s']:,.0f}/s"],
    ]  # fmt: skip
    print(table(["what", "median ms", "min / p99 ms", "max ms", "rate"], rows))
    size = out["snapshots"][0][2]
    print()
    print(
        f"snapshot: {out['snapshots'][0][1]:,} questions, {size / 1e6:.1f} MB of JSON; "
        f"median {median(snap_ms):.0f} ms (target < {TARGET_SNAPSHOT_MS:.0f}) "
        f"{'OK' if median(snap_ms) < TARGET_SNAPSHOT_MS else 'MISSED'}"
    )
    print(
        f"actions: median {median(lat):.2f} ms (target < {TARGET_ACTION_MS:.0f}) "
        f"{'OK' if median(lat) < TARGET_ACTION_MS else 'MISSED'}; failures {out['failures']}; "
        f"events pushed to the console {out['pushed'][0]:,}, "
        f"to the audience view {out['pushed'][1]:,}"
    )
    print(
        json.dumps(
            {
                "bench": "queue",
                "questions": args.questions,
                "fill_s": r(out["fill_s"]),
                "snapshot_ms": r(median(snap_ms), 1),
                "snapshot_min_ms": r(min(snap_ms), 1),
                "snapshot_max_ms": r(max(snap_ms), 1),
                "snapshot_bytes": size,
                "actions": len(lat),
                "action_p50_ms": r(median(lat)),
                "action_p99_ms": r(percentile(lat, 99)),
                "action_max_ms": r(max(lat)),
                "actions_per_s": r(len(lat) / out["total_s"], 1),
                "failures": sum(out["failures"].values()),
                "machine": m,
            }
        )
    )
    return 0 if not out["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
