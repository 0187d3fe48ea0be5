"""A procedure's script, sign-off and consent rules. Pure: no I/O.

Script posts go out in order; each needs an approver's sign-off of its
current version (an edit makes a new version, so it clears the sign-off). The
event goes live only with every consent item done and every scripted post
(and the holding statement) signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from liveq.domain.invisible import strip_invisible
from liveq.domain.procedure import images, photo_review
from liveq.domain.procedure import text as words
from liveq.errors import Conflict, InvalidInput

SCRIPT, FACT, HOLDING = "script", "fact", "holding"
ROLES = (SCRIPT, FACT, HOLDING)
DEFAULT_CONSENTS = ("Patient authorization on file", "Surgeon approval of the script")
DEFAULT_PACING_SECONDS = 6 * 60
MAX_PHOTOS = 4  # X's limit per post
MAX_ALT = 1000  # X's limit for alt text
MAX_TEXT = 2000
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class ScriptError(InvalidInput):
    """Input that cannot become part of a script (the message says why): a 400."""


class NotReady(Conflict):
    """The procedure cannot do that yet (not signed, not live, checklist open): a 409."""


@dataclass(frozen=True)
class Photo:
    id: int
    media_file_id: int | None  # None: named by an imported script, not uploaded yet
    alt_text: str
    media_type: str = ""
    file: str = ""  # the file name the script gave it
    check_state: str = photo_review.DONE  # pending, checking, done, failed
    check_error: str = ""
    findings: tuple[dict, ...] = ()  # faces and identifiers seen in it (photo_review)
    version: int = 1  # each redaction makes a new version

    @property
    def missing(self) -> bool:
        return self.media_file_id is None

    @property
    def open_findings(self) -> list[dict]:
        return photo_review.unresolved(self.findings)

    def view(self) -> dict:
        return {
            "id": self.id,
            "alt_text": self.alt_text,
            "media_type": self.media_type,
            "file": self.file,
            "missing": self.missing,
            "version": self.version,
            "check": {"state": self.check_state, "error": self.check_error},
            "findings": [dict(f) for f in self.findings],
            "open_findings": len(self.open_findings),
        }


@dataclass(frozen=True)
class ScriptPost:
    id: int
    role: str
    position: int
    text: str
    warning: bool
    version: int
    signed_version: int | None
    signed_by: str
    signed_at: float | None
    outbox_id: int | None
    photos: tuple[Photo, ...] = ()

    @property
    def signed(self) -> bool:
        return self.signed_version == self.version

    @property
    def body(self) -> str:
        return words.body(self.text, self.warning)

    @property
    def missing_photos(self) -> list[Photo]:
        return [p for p in self.photos if p.missing]

    def view(self) -> dict:
        return {
            "id": self.id,
            "role": self.role,
            "position": self.position,
            "text": self.text,
            "warning": self.warning,
            "body": self.body,
            "version": self.version,
            "signed": self.signed,
            "signed_by": self.signed_by if self.signed else "",
            "signed_at": self.signed_at if self.signed else None,
            "sign_cleared": self.signed_version is not None and not self.signed,
            "outbox_id": self.outbox_id,
            "photos": [p.view() for p in self.photos],
        }


@dataclass(frozen=True)
class Consent:
    id: int
    label: str
    done_by: str
    done_at: float | None
    note: str

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def view(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "done": self.done,
            "done_by": self.done_by,
            "done_at": self.done_at,
            "note": self.note,
        }


def check_text(text: object, hashtag: str, what: str = "post") -> str:
    """The post's text, stripped (of invisible characters too); raise ScriptError if
    blank or too long once decorated."""
    if not isinstance(text, str) or not strip_invisible(text).strip():
        raise ScriptError(f"The {what} needs some text.")
    text = strip_invisible(text).strip()
    if len(text) > MAX_TEXT:
        raise ScriptError(f"The {what} is too long.")
    over = words.overflow(text, hashtag)
    if over:
        raise ScriptError(
            f"The {what} is {over} characters too long for one post on X once the counter "
            f"and #{hashtag} are added (“{text[:40]}…”)."
            if hashtag
            else f"The {what} is {over} characters too long for one post on X (“{text[:40]}…”)."
        )
    return text


def check_alt(alt: object) -> str:
    """Alt text is required for every photo."""
    if not isinstance(alt, str) or not alt.strip():
        raise ScriptError(
            "Every photo needs alt text: describe what it shows for people who cannot see it."
        )
    alt = alt.strip()
    if len(alt) > MAX_ALT:
        raise ScriptError(f"Alt text can be at most {MAX_ALT} characters.")
    return alt


def check_image(data: bytes, max_pixels: int = images.DEFAULT_MAX_PIXELS) -> str:
    """The photo's real media type (whatever its name or declared type said), or a 400."""
    if not data:
        raise ScriptError("The photo is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise ScriptError("Photos can be at most 5 MB.")
    return images.identify(data, max_pixels)


def check_editable(post: ScriptPost) -> None:
    if post.outbox_id is not None and post.role != HOLDING:
        raise NotReady(
            f"That {post.role} post has been queued for X already; it cannot change now."
        )


def thread_edit_text(post: ScriptPost, typed: object, hashtag: str) -> str:
    """The new text of a scripted post edited in the live thread.

    The person edits the text as queued, warning included; the warning is the
    approver's to remove, so it stays whether or not it was typed."""
    if isinstance(typed, str) and post.warning:
        typed = typed.strip()
        prefix = words.WARNING.strip()
        if typed.startswith(prefix):
            typed = typed[len(prefix) :]
    text = check_text(typed, hashtag)
    check_text(words.body(text, post.warning), hashtag)
    return text


def go_live_problems(posts: list[ScriptPost], consents: list[Consent]) -> list[str]:
    """Everything that stands between the event and going live (empty: ready)."""
    problems = [f"Consent checklist: “{c.label}” is not done." for c in consents if not c.done]
    script = [p for p in posts if p.role == SCRIPT]
    if not script:
        problems.append("The script has no posts.")
    for p in posts:
        for ph in p.missing_photos:
            problems.append(f"{_name(p)} is waiting for its photo “{ph.file}”: upload it.")
        problems += photo_problems(p)
    for p in script:
        if not p.signed:
            cleared = " (edited after sign-off)" if p.signed_version is not None else ""
            problems.append(f"Script post {p.position} is not signed off{cleared}.")
    holding = [p for p in posts if p.role == HOLDING]
    if not holding:
        problems.append("There is no holding statement for a pause.")
    elif not holding[0].signed:
        problems.append("The holding statement is not signed off.")
    return problems


def check_go_live(posts: list[ScriptPost], consents: list[Consent]) -> None:
    problems = go_live_problems(posts, consents)
    if problems:
        raise NotReady("The event cannot go live yet: " + " ".join(problems))


def next_script_post(posts: list[ScriptPost]) -> ScriptPost | None:
    """The first scripted post not queued yet."""
    pending = [p for p in posts if p.role == SCRIPT and p.outbox_id is None]
    return min(pending, key=lambda p: p.position) if pending else None


def _name(post: ScriptPost) -> str:
    if post.role == HOLDING:
        return "The holding statement"
    return f"{'Script post' if post.role == SCRIPT else 'Fact'} {post.position}"


def check_photos_present(post: ScriptPost) -> None:
    """Nobody signs or posts a photo that is not there to see."""
    if post.missing_photos:
        files = ", ".join(f"“{p.file}”" for p in post.missing_photos)
        raise NotReady(f"{_name(post)} is waiting for its photo {files}: upload it first.")


def check_photos_cleared(post: ScriptPost) -> None:
    """Nobody signs or posts a photo that is still being checked, could not be checked,
    or shows a face or an identifier nobody has blurred or approved (the rule for text)."""
    for n, photo in enumerate(post.photos, 1):
        what = f"{_name(post)}'s photo {n} (“{photo.alt_text[:60]}”)"
        problem = photo_review.blocking(photo.check_state, photo.check_error, photo.findings)
        if problem:
            raise NotReady(f"{what} {problem}")


def photo_problems(post: ScriptPost) -> list[str]:
    """Each photo of the post that stands in the way, in words (empty: none)."""
    out = []
    for n, photo in enumerate(post.photos, 1):
        problem = photo_review.blocking(photo.check_state, photo.check_error, photo.findings)
        if problem:
            out.append(f"{_name(post)}'s photo {n} {problem}")
    return out


def check_postable(post: ScriptPost) -> None:
    """A post goes out only as the version an approver signed, its photos cleared."""
    check_photos_present(post)
    check_photos_cleared(post)
    if not post.signed:
        why = "it was edited after sign-off" if post.signed_version is not None else "nobody has"
        raise NotReady(
            f"{post.role.capitalize()} post {post.position} is not signed off ({why}); "
            "an approver must sign this version first."
        )


def next_problem(post: ScriptPost | None, live: bool) -> str:
    """Why "Post next" cannot queue the next scripted post now ("": it can)."""
    if not live:
        return "The event is not live yet: complete the checklist and go live first."
    if post is None:
        return "The script is done: every scripted post has been queued."
    try:
        check_postable(post)
    except NotReady as exc:
        return str(exc)
    return ""


def suggest_fact(posts: list[ScriptPost]) -> ScriptPost | None:
    """The next signed fact from the pool that has not been posted."""
    facts = [p for p in posts if p.role == FACT and p.outbox_id is None and p.signed]
    return min(facts, key=lambda p: p.position) if facts else None


def pacing_due(last_posted_at: float | None, since: float, now: float, seconds: int) -> bool:
    """True when nothing has gone out for `seconds` (counted from going live, at first)."""
    start = max(last_posted_at or 0.0, since)
    return seconds > 0 and now - start >= seconds
