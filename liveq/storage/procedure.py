"""A procedure's script, sign-offs, photos and consent checklist in SQL.

Every change writes an audit row in the same transaction (who, what, which
version). The rules live in ``script``; this module raises what they raise.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass

import aiosqlite

from liveq.domain.events import Event
from liveq.domain.procedure import photo_review as pr
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.importer import ScriptSpec
from liveq.domain.procedure.text import body
from liveq.screening.photos.clean import CleanPhoto
from liveq.storage import audit
from liveq.storage import outbox as ob
from liveq.storage.db import Database
from liveq.storage.store import Conflict, NotFound


@dataclass(frozen=True)
class Procedure:
    event_id: int
    physician: str
    pacing_seconds: int
    live_at: float | None
    live_by: str
    paused_at: float | None
    posts: tuple[sc.ScriptPost, ...]
    consents: tuple[sc.Consent, ...]

    def post(self, post_id: int) -> sc.ScriptPost:
        for p in self.posts:
            if p.id == post_id:
                return p
        raise NotFound(f"There is no script post {post_id} in this event.")

    def of_role(self, role: str) -> list[sc.ScriptPost]:
        return [p for p in self.posts if p.role == role]


def _post(row: sqlite3.Row, photos: tuple[sc.Photo, ...]) -> sc.ScriptPost:
    return sc.ScriptPost(
        id=row["id"],
        role=row["role"],
        position=row["position"],
        text=row["text"],
        warning=bool(row["warning"]),
        version=row["version"],
        signed_version=row["signed_version"],
        signed_by=row["signed_by"],
        signed_at=row["signed_at"],
        outbox_id=row["outbox_id"],
        photos=photos,
    )


async def ensure(db: Database, event: Event) -> None:
    """Create the event's procedure row and default checklist once."""
    if await db.fetchone("SELECT 1 FROM procedures WHERE event_id = ?", (event.id,)):
        return

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "INSERT INTO procedures (event_id, pacing_seconds) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (event.id, sc.DEFAULT_PACING_SECONDS),
        )
        if cur.rowcount:
            for label in sc.DEFAULT_CONSENTS:
                await conn.execute(
                    "INSERT INTO procedure_consents (event_id, label) VALUES (?, ?)",
                    (event.id, label),
                )

    await db.write(job)


async def load(db: Database, event: Event) -> Procedure:
    await ensure(db, event)
    row = await db.fetchone("SELECT * FROM procedures WHERE event_id = ?", (event.id,))
    assert row is not None
    photo_rows = await db.fetchall(
        "SELECT ph.*, m.media_type FROM procedure_photos ph"
        " JOIN procedure_posts p ON p.id = ph.post_id"
        " LEFT JOIN media_files m ON m.id = ph.media_file_id WHERE p.event_id = ? ORDER BY ph.id",
        (event.id,),
    )
    photos: dict[int, list[sc.Photo]] = {}
    for ph in photo_rows:
        photos.setdefault(ph["post_id"], []).append(
            sc.Photo(
                ph["id"],
                ph["media_file_id"],
                ph["alt_text"],
                ph["media_type"] or "",
                ph["file"],
                check_state=ph["check_state"],
                check_error=ph["check_error"],
                findings=tuple(json.loads(ph["findings"])),
                version=ph["version"],
            )
        )
    posts = await db.fetchall(
        "SELECT * FROM procedure_posts WHERE event_id = ? ORDER BY role, position, id",
        (event.id,),
    )
    consents = await db.fetchall(
        "SELECT * FROM procedure_consents WHERE event_id = ? ORDER BY id", (event.id,)
    )
    paused = await db.fetchone(
        "SELECT paused_at FROM outbox_pauses WHERE event_id = ?", (event.id,)
    )
    return Procedure(
        event_id=event.id,
        physician=row["physician"],
        pacing_seconds=row["pacing_seconds"],
        live_at=row["live_at"],
        live_by=row["live_by"],
        paused_at=paused[0] if paused else None,
        posts=tuple(_post(p, tuple(photos.get(p["id"], ()))) for p in posts),
        consents=tuple(
            sc.Consent(c["id"], c["label"], c["done_by"], c["done_at"], c["note"]) for c in consents
        ),
    )


# -- script posts ------------------------------------------------------------------


async def _insert_post(
    conn: aiosqlite.Connection, event: Event, actor: str, role: str, text: str, warning: bool
) -> int:
    rows = list(
        await conn.execute_fetchall(
            "SELECT coalesce(max(position), 0) FROM procedure_posts WHERE event_id = ?"
            " AND role = ?",
            (event.id, role),
        )
    )
    now = time.time()
    cur = await conn.execute(
        "INSERT INTO procedure_posts (event_id, role, position, text, warning, created_at,"
        " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (event.id, role, rows[0][0] + 1, text, int(warning), now, now, actor),
    )
    await audit.append(
        conn,
        event.id,
        None,
        actor,
        "script_post_added",
        None,
        {"post_id": cur.lastrowid, "role": role, "version": 1, "text": text, "warning": warning},
    )
    return cur.lastrowid


async def add_post(
    db: Database, event: Event, actor: str, role: str, text: object, warning: bool = False
) -> int:
    if role not in sc.ROLES:
        raise sc.ScriptError(f"A post's role should be one of {', '.join(sc.ROLES)}.")
    clean = sc.check_text(text, event.hashtag)
    sc.check_text(body(clean, warning), event.hashtag)
    if role == sc.HOLDING and (await load(db, event)).of_role(sc.HOLDING):
        raise Conflict("There is a holding statement already; edit it instead.")

    async def job(conn: aiosqlite.Connection) -> int:
        return await _insert_post(conn, event, actor, role, clean, warning)

    return await db.write(job)


async def _bump(
    conn: aiosqlite.Connection,
    event: Event,
    post: sc.ScriptPost,
    actor: str,
    action: str,
    changes: dict,
    detail: str = "",
) -> None:
    """A new version of the post: its sign-off no longer holds."""
    sets = "".join(f", {k} = ?" for k in changes)
    cur = await conn.execute(
        f"UPDATE procedure_posts SET version = version + 1, updated_at = ?, updated_by = ?{sets}"  # noqa: S608 - keys are ours
        " WHERE id = ? AND version = ?",
        (time.time(), actor, *changes.values(), post.id, post.version),
    )
    if cur.rowcount != 1:
        raise Conflict(f"Post {post.position} changed while you were editing it; reload it.")
    cleared = " Sign-off cleared." if post.signed else ""
    await audit.append(
        conn,
        event.id,
        None,
        actor,
        action,
        {"post_id": post.id, "version": post.version, "text": post.text, "signed": post.signed},
        {"post_id": post.id, "version": post.version + 1, **changes},
        (detail + cleared).strip(),
    )


async def edit_post(
    db: Database, event: Event, actor: str, post_id: int, text: object, warning: object
) -> None:
    post = (await load(db, event)).post(post_id)
    sc.check_editable(post)
    changes: dict[str, object] = {}
    if text is not None:
        changes["text"] = sc.check_text(text, event.hashtag)
    if warning is not None:
        if not isinstance(warning, bool):
            raise sc.ScriptError("warning should be true or false.")
        changes["warning"] = int(warning)
    new_text = str(changes.get("text", post.text))
    new_warning = bool(changes.get("warning", post.warning))
    if new_text == post.text and new_warning == post.warning:
        return
    sc.check_text(body(new_text, new_warning), event.hashtag)

    async def job(conn: aiosqlite.Connection) -> None:
        await _bump(conn, event, post, actor, "script_post_edited", changes)

    await db.write(job)


async def delete_post(db: Database, event: Event, actor: str, post_id: int) -> None:
    post = (await load(db, event)).post(post_id)
    sc.check_editable(post)
    if post.outbox_id is not None:
        raise Conflict("That post has been queued for X; it cannot be deleted.")

    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute("DELETE FROM procedure_photos WHERE post_id = ?", (post.id,))
        await conn.execute("DELETE FROM procedure_posts WHERE id = ?", (post.id,))
        await audit.append(
            conn, event.id, None, actor, "script_post_deleted", post.view(), None, ""
        )

    await db.write(job)


async def add_photo(
    db: Database, event: Event, actor: str, post_id: int, photo: CleanPhoto, alt: object
) -> int:
    """Attach a cleaned photo (no metadata: see screening.photos.clean); it waits for its
    check (faces, text). Returns its id."""
    post = (await load(db, event)).post(post_id)
    sc.check_editable(post)
    alt_text = sc.check_alt(alt)
    if len(post.photos) >= sc.MAX_PHOTOS:
        raise sc.ScriptError(f"A post can have at most {sc.MAX_PHOTOS} photos.")

    async def job(conn: aiosqlite.Connection) -> int:
        file_id = await _store_file(conn, event, photo)
        cur = await conn.execute(
            "INSERT INTO procedure_photos (post_id, media_file_id, original_file_id, alt_text)"
            " VALUES (?, ?, ?, ?)",
            (post.id, file_id, file_id, alt_text),
        )
        digest = hashlib.sha256(photo.data).hexdigest()
        await _bump(
            conn, event, post, actor, "script_photo_added", {}, f"Photo {digest[:12]}: {alt_text}"
        )
        return cur.lastrowid

    return await db.write(job)


async def _store_file(conn: aiosqlite.Connection, event: Event, photo: CleanPhoto) -> int:
    cur = await conn.execute(
        "INSERT INTO media_files (event_id, media_type, data, sha256, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            event.id,
            photo.media_type,
            photo.data,
            hashlib.sha256(photo.data).hexdigest(),
            time.time(),
        ),
    )
    return cur.lastrowid


async def fill_photo(
    db: Database,
    event: Event,
    actor: str,
    post_id: int,
    photo_id: int,
    photo_file: CleanPhoto,
    alt: object = None,
) -> None:
    """Upload a photo that an imported script named; its alt text may be corrected.

    The photo was checked (its bytes, its size) and cleaned before: see
    screening.photos.clean."""
    post = (await load(db, event)).post(post_id)
    sc.check_editable(post)
    photo = next((p for p in post.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound("That post has no such photo.")
    if not photo.missing:
        raise Conflict(f"The photo “{photo.file or photo.alt_text}” is there already.")
    alt_text = sc.check_alt(photo.alt_text if alt is None or alt == "" else alt)

    async def job(conn: aiosqlite.Connection) -> None:
        file_id = await _store_file(conn, event, photo_file)
        cur = await conn.execute(
            "UPDATE procedure_photos SET media_file_id = ?, original_file_id = ?, alt_text = ?,"
            " check_state = 'pending' WHERE id = ? AND media_file_id IS NULL",
            (file_id, file_id, alt_text, photo.id),
        )
        if cur.rowcount != 1:
            raise Conflict(f"The photo “{photo.file}” was uploaded by someone else meanwhile.")
        digest = hashlib.sha256(photo_file.data).hexdigest()
        detail = f"Photo {digest[:12]} for {photo.file}: {alt_text}"
        await _bump(conn, event, post, actor, "script_photo_added", {}, detail)

    await db.write(job)


async def remove_photo(db: Database, event: Event, actor: str, post_id: int, photo_id: int) -> None:
    post = (await load(db, event)).post(post_id)
    sc.check_editable(post)
    if photo_id not in {p.id for p in post.photos}:
        raise NotFound("That post has no such photo.")

    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute("DELETE FROM procedure_photos WHERE id = ?", (photo_id,))
        await _bump(conn, event, post, actor, "script_photo_removed", {}, f"Photo {photo_id}")

    await db.write(job)


async def sign(
    db: Database,
    event: Event,
    actor: str,
    post_id: int,
    version: object,
    splits: dict[str, list[str]] | None = None,
) -> list[int]:
    """An approver signs the version they read; a newer version means they read an old one.

    `splits` is how the other networks cut the text where it becomes more than one
    post (as the approver was shown it): the audit row records it with the text.
    Returns the ids of the outbox rows this releases: a post edited in the live
    thread waits there for the sign-off of its new text."""
    post = (await load(db, event)).post(post_id)
    if not isinstance(version, int) or isinstance(version, bool):
        raise sc.ScriptError("Say which version you are signing off (version: number).")
    if version != post.version:
        raise Conflict(
            f"Post {post.position} has changed since you read it (version {post.version} now);"
            " read it again before signing."
        )
    if post.signed:
        return []
    sc.check_photos_present(post)
    sc.check_photos_cleared(post)
    digests = await _photo_digests(db, post)

    async def job(conn: aiosqlite.Connection) -> list[int]:
        now = time.time()
        cur = await conn.execute(
            "UPDATE procedure_posts SET signed_version = version, signed_by = ?, signed_at = ?"
            " WHERE id = ? AND version = ?",
            (actor, now, post.id, version),
        )
        if cur.rowcount != 1:
            raise Conflict(f"Post {post.position} changed while you were signing it.")
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "script_post_signed",
            None,
            {
                "post_id": post.id,
                "role": post.role,
                "version": version,
                "text": post.body,
                "photos": [p.alt_text for p in post.photos],
                "photo_sha256": digests,
                "splits": splits or {},
            },
        )
        signature = ob.Signature(post.id, version, actor, now)
        return await ob.sign_waiting_in(conn, event.id, signature, post.body)

    return await db.write(job)


async def _photo_digests(db: Database, post: sc.ScriptPost) -> list[str]:
    """The SHA-256 of each photo's bytes: the audit says which images were signed."""
    out = []
    for photo in post.photos:
        row = await db.fetchone(
            "SELECT sha256 FROM media_files WHERE id = ?", (photo.media_file_id,)
        )
        out.append(row["sha256"] if row else "")
    return out


async def edit_in_thread(
    db: Database,
    event: Event,
    actor: str,
    item: ob.OutboxItem,
    post: sc.ScriptPost,
    text: str,
    findings: list[dict],
) -> None:
    """A scripted post changed in the live thread: a new, unsigned version of it.

    In one transaction the script post gets the new text (its sign-off cleared,
    its warning kept) and the outbox row waits, held, for an approver."""
    new_body = body(text, post.warning)

    async def job(conn: aiosqlite.Connection) -> None:
        if text != post.text:
            detail = f"Edited in the live thread (post {item.seq} of the outbox)."
            await _bump(conn, event, post, actor, "script_post_edited", {"text": text}, detail)
        if text == post.text and post.signed:
            # Back to the words the approver signed: signed again, as they were.
            await ob.update_in(
                conn,
                item,
                actor,
                text=new_body,
                findings=findings,
                state=ob.HELD if findings else ob.QUEUED,
                error="",
                not_before=0,
                signed_version=post.version,
                signed_by=post.signed_by,
                signed_at=post.signed_at,
            )
            return
        version = post.version + (text != post.text)
        await ob.update_in(
            conn,
            item,
            actor,
            text=new_body,
            findings=findings,
            state=ob.HELD,
            error=f"Edited after sign-off: waiting for an approver to sign version {version}"
            " on the procedure page (or skip it).",
            not_before=0,
            signed_version=None,
            signed_by="",
            signed_at=None,
        )

    await db.write(job)


async def replace_script(
    db: Database, event: Event, actor: str, spec: ScriptSpec, photos: dict[str, CleanPhoto]
) -> None:
    """Replace the whole script with an imported one (only before going live)."""
    photos = dict(photos)
    proc = await load(db, event)
    if proc.live_at is not None:
        raise sc.NotReady("The event is live: edit posts one by one instead of importing.")
    for post in spec.posts:
        text = sc.check_text(post.text, event.hashtag, what=post.role)
        sc.check_text(body(text, post.warning), event.hashtag, what=post.role)

    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute(
            "DELETE FROM procedure_photos WHERE post_id IN"
            " (SELECT id FROM procedure_posts WHERE event_id = ?)",
            (event.id,),
        )
        await conn.execute("DELETE FROM procedure_posts WHERE event_id = ?", (event.id,))
        await audit.append(
            conn, event.id, None, actor, "script_imported", None, {"posts": len(spec.posts)}, ""
        )
        for post in spec.posts:
            post_id = await _insert_post(conn, event, actor, post.role, post.text, post.warning)
            for ph in post.photos:
                # A photo not sent with the script waits for an upload (media_file_id NULL).
                file_id = None
                if ph.file in photos:
                    file_id = await _store_file(conn, event, photos[ph.file])
                await conn.execute(
                    "INSERT INTO procedure_photos (post_id, media_file_id, original_file_id,"
                    " alt_text, file) VALUES (?, ?, ?, ?, ?)",
                    (post_id, file_id, file_id, ph.alt, ph.file),
                )
        changes = {}
        if spec.physician is not None:
            changes["physician"] = spec.physician
        if spec.pacing_seconds is not None:
            changes["pacing_seconds"] = spec.pacing_seconds
        for key, value in changes.items():
            await conn.execute(
                f"UPDATE procedures SET {key} = ? WHERE event_id = ?",  # noqa: S608
                (value, event.id),
            )
        existing = {c.label for c in proc.consents}
        for label in spec.consents:
            if label not in existing:
                await conn.execute(
                    "INSERT INTO procedure_consents (event_id, label) VALUES (?, ?)",
                    (event.id, label),
                )

    await db.write(job)


# -- settings, consent, going live -----------------------------------------------------


async def set_options(
    db: Database, event: Event, actor: str, physician: object, pacing_minutes: object
) -> None:
    proc = await load(db, event)
    changes: dict[str, object] = {}
    if physician is not None:
        if not isinstance(physician, str) or len(physician) > 80:
            raise sc.ScriptError("The physician's name should be text (e.g. “Dr. Ana Okafor”).")
        changes["physician"] = " ".join(physician.split())
    if pacing_minutes is not None:
        if (
            isinstance(pacing_minutes, bool)
            or not isinstance(pacing_minutes, (int, float))
            or not (0 <= pacing_minutes <= 240)
        ):
            raise sc.ScriptError("The pacing timer is a number of minutes (0 turns it off).")
        changes["pacing_seconds"] = int(pacing_minutes * 60)
    if not changes:
        return

    async def job(conn: aiosqlite.Connection) -> None:
        for key, value in changes.items():
            await conn.execute(
                f"UPDATE procedures SET {key} = ? WHERE event_id = ?",  # noqa: S608
                (value, event.id),
            )
        before = {"physician": proc.physician, "pacing_seconds": proc.pacing_seconds}
        await audit.append(conn, event.id, None, actor, "procedure_options", before, changes, "")

    await db.write(job)


async def add_consent(db: Database, event: Event, actor: str, label: object) -> None:
    if not isinstance(label, str) or not label.strip() or len(label) > 200:
        raise sc.ScriptError("A checklist item needs a short label (at most 200 characters).")
    await ensure(db, event)

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "INSERT INTO procedure_consents (event_id, label) VALUES (?, ?)",
            (event.id, label.strip()),
        )
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "consent_item_added",
            None,
            {"consent_id": cur.lastrowid, "label": label.strip()},
            "",
        )

    await db.write(job)


async def set_consent(
    db: Database, event: Event, actor: str, consent_id: int, done: bool, note: str
) -> None:
    proc = await load(db, event)
    item = next((c for c in proc.consents if c.id == consent_id), None)
    if item is None:
        raise NotFound("There is no such checklist item.")
    if done == item.done and note == item.note:
        return

    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute(
            "UPDATE procedure_consents SET done_by = ?, done_at = ?, note = ? WHERE id = ?",
            (actor if done else "", time.time() if done else None, note, consent_id),
        )
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "consent_done" if done else "consent_undone",
            item.view(),
            {"consent_id": consent_id, "label": item.label, "done": done, "note": note},
            "",
        )

    await db.write(job)


async def go_live(db: Database, event: Event, actor: str) -> None:
    proc = await load(db, event)
    if proc.live_at is not None:
        raise Conflict("The event is live already.")
    sc.check_go_live(list(proc.posts), list(proc.consents))

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "UPDATE procedures SET live_at = ?, live_by = ? WHERE event_id = ? AND live_at IS NULL",
            (time.time(), actor, event.id),
        )
        if cur.rowcount != 1:
            raise Conflict("The event is live already.")
        signed = {p.id: p.signed_version for p in proc.posts}
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "procedure_live",
            None,
            {"signed_versions": signed, "consents": [c.view() for c in proc.consents]},
            "",
        )

    await db.write(job)


async def mark_queued(conn: aiosqlite.Connection, post: sc.ScriptPost, outbox_id: int) -> None:
    """Tie a signed script post to its outbox row, inside the enqueue transaction.

    Refused if the post changed since it was read, lost its sign-off, or was
    queued already (a second click, a second moderator)."""
    cur = await conn.execute(
        "UPDATE procedure_posts SET outbox_id = ? WHERE id = ? AND version = ?"
        " AND signed_version = version AND outbox_id IS NULL",
        (outbox_id, post.id, post.version),
    )
    if cur.rowcount != 1:
        raise Conflict("That post changed or was queued by someone else; look again.")


async def photo_file(db: Database, event: Event, photo_id: int) -> tuple[bytes, str]:
    """The bytes and media type of one of this event's script photos."""
    row = await db.fetchone(
        "SELECT m.data, m.media_type FROM procedure_photos ph"
        " JOIN procedure_posts p ON p.id = ph.post_id"
        " JOIN media_files m ON m.id = ph.media_file_id"
        " WHERE ph.id = ? AND p.event_id = ? AND m.event_id = ?",
        (photo_id, event.id, event.id),
    )
    if row is None or not row["data"]:
        raise NotFound("There is no such photo in this event's script.")
    return bytes(row["data"]), row["media_type"]


async def physician(db: Database, event: Event) -> str:
    """The physician who signs this procedure's answers ("" when none is set)."""
    row = await db.fetchone("SELECT physician FROM procedures WHERE event_id = ?", (event.id,))
    return row["physician"] if row else ""


# -- photo checks, redaction, approval ---------------------------------------------------


@dataclass(frozen=True)
class PhotoToCheck:
    photo_id: int
    event_id: int
    media_file_id: int
    cleaned: bool  # False: uploaded before liveq cleaned photos (its metadata is still in it)


async def photos_to_check(db: Database) -> list[PhotoToCheck]:
    """Every uploaded photo whose check has not finished (a restart checks them again)."""
    rows = await db.fetchall(
        "SELECT ph.id, p.event_id, ph.media_file_id, ph.original_file_id FROM procedure_photos ph"
        " JOIN procedure_posts p ON p.id = ph.post_id"
        " WHERE ph.check_state = 'pending' AND ph.media_file_id IS NOT NULL ORDER BY ph.id"
    )
    return [PhotoToCheck(r[0], r[1], r[2], r[3] is not None) for r in rows]


async def media_bytes(db: Database, file_id: int) -> tuple[bytes, str]:
    row = await db.fetchone("SELECT data, media_type FROM media_files WHERE id = ?", (file_id,))
    if row is None:
        raise NotFound("That photo's file is gone.")
    return bytes(row["data"]), row["media_type"]


async def adopt_uncleaned(db: Database, item: PhotoToCheck, photo: CleanPhoto) -> None:
    """A photo stored before liveq cleaned uploads: its bytes replaced by the cleaned ones
    (the metadata is gone from the database too); it becomes its own original."""

    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute(
            "UPDATE media_files SET data = ?, media_type = ?, sha256 = ? WHERE id = ?",
            (
                photo.data,
                photo.media_type,
                hashlib.sha256(photo.data).hexdigest(),
                item.media_file_id,
            ),
        )
        await conn.execute(
            "UPDATE procedure_photos SET original_file_id = media_file_id"
            " WHERE id = ? AND original_file_id IS NULL",
            (item.photo_id,),
        )
        await audit.append(
            conn,
            item.event_id,
            None,
            "liveq",
            "photo_cleaned",
            None,
            {"photo_id": item.photo_id},
            "Metadata removed from a photo uploaded before liveq removed it on upload.",
        )

    await db.write(job)


async def finish_check(
    db: Database, item: PhotoToCheck, findings: list[dict], error: str = ""
) -> bool:
    """Record a check's findings (or why it failed). False if the photo changed meanwhile."""
    numbered = [{**f, "id": n, "status": pr.OPEN} for n, f in enumerate(findings, 1)]

    async def job(conn: aiosqlite.Connection) -> bool:
        cur = await conn.execute(
            "UPDATE procedure_photos SET check_state = ?, check_error = ?, findings = ?"
            " WHERE id = ? AND media_file_id = ? AND check_state = 'pending'",
            (
                pr.FAILED if error else pr.DONE,
                error,
                json.dumps(numbered),
                item.photo_id,
                item.media_file_id,
            ),
        )
        if cur.rowcount != 1:
            return False
        kinds: dict[str, int] = {}
        for f in findings:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
        await audit.append(
            conn,
            item.event_id,
            None,
            "liveq",
            "photo_check_failed" if error else "photo_checked",
            None,
            {"photo_id": item.photo_id, "findings": kinds, "error": error},
            "",
        )
        return True

    return await db.write(job)


@dataclass(frozen=True)
class PhotoSource:
    """What a redaction starts from: the cleaned upload and the redactions so far."""

    post: sc.ScriptPost
    photo: sc.Photo
    original: bytes
    media_type: str
    redactions: list[dict]


async def redaction_source(db: Database, event: Event, post_id: int, photo_id: int) -> PhotoSource:
    post = (await load(db, event)).post(post_id)
    photo = next((p for p in post.photos if p.id == photo_id), None)
    if photo is None or photo.missing:
        raise NotFound("That post has no such photo.")
    row = await db.fetchone(
        "SELECT ph.redactions, m.data, m.media_type FROM procedure_photos ph"
        " JOIN media_files m ON m.id = ph.original_file_id WHERE ph.id = ? AND m.event_id = ?",
        (photo_id, event.id),
    )
    if row is None:
        raise sc.NotReady("That photo is still being checked; redact it once the check is done.")
    return PhotoSource(
        post, photo, bytes(row["data"]), row["media_type"], json.loads(row["redactions"])
    )


async def redact(
    db: Database,
    event: Event,
    actor: str,
    source: PhotoSource,
    added: list[dict],
    version: CleanPhoto,
    findings: list[dict],
) -> None:
    """A new version of the photo with `added` regions covered (made from the original
    with every redaction): the post's sign-off is cleared, the original stays here."""
    post, photo = source.post, source.photo
    sc.check_editable(post)
    now = time.time()
    stamped = [{**r, "by": actor, "at": now} for r in added]

    async def job(conn: aiosqlite.Connection) -> None:
        file_id = await _store_file(conn, event, version)
        cur = await conn.execute(
            "UPDATE procedure_photos SET media_file_id = ?, redactions = ?, findings = ?,"
            " version = version + 1 WHERE id = ? AND version = ?",
            (
                file_id,
                json.dumps(source.redactions + stamped),
                json.dumps(findings),
                photo.id,
                photo.version,
            ),
        )
        if cur.rowcount != 1:
            raise Conflict("That photo changed while you were redacting it; look again.")
        digest = hashlib.sha256(version.data).hexdigest()
        resolved = sum(
            1 for old, new in zip(photo.findings, findings, strict=False)
            if old.get("status") != new.get("status")
        )
        regions = ", ".join(f"{r['style']} {r['box']}" for r in added)
        await _bump(
            conn,
            event,
            post,
            actor,
            "script_photo_redacted",
            {},
            f"Photo {photo.id} version {photo.version + 1} ({digest[:12]}): {regions};"
            f" {resolved} finding(s) resolved.",
        )

    await db.write(job)


async def approve_finding(
    db: Database,
    event: Event,
    actor: str,
    post_id: int,
    photo_id: int,
    finding_id: int,
    reason: object,
) -> None:
    """An approver lets a staff face be shown, with a reason (audited)."""
    post = (await load(db, event)).post(post_id)
    sc.check_editable(post)
    photo = next((p for p in post.photos if p.id == photo_id), None)
    if photo is None or photo.missing:
        raise NotFound("That post has no such photo.")
    findings = pr.approve(photo.findings, finding_id, actor, reason, time.time())

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "UPDATE procedure_photos SET findings = ? WHERE id = ? AND version = ?"
            " AND findings = ?",
            (json.dumps(findings), photo.id, photo.version, json.dumps(list(photo.findings))),
        )
        if cur.rowcount != 1:
            raise Conflict("That photo changed meanwhile; look again.")
        approved = next(f for f in findings if f["id"] == finding_id)
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "photo_face_approved",
            {"photo_id": photo.id, "finding": finding_id, "status": pr.OPEN},
            {
                "photo_id": photo.id,
                "post_id": post.id,
                "finding": finding_id,
                "box": approved["box"],
                "status": pr.APPROVED,
            },
            approved["note"],
        )

    await db.write(job)
