"""`liveq procedure import EVENT script.toml`: a procedure's script and the photos beside it.

The same rules as the page's import (liveq.storage.procedure.replace_script):
only before the event goes live, every post fits one post on X, every photo
has alt text. Photos are files the script names, relative to its folder.
Written straight to the database, like `liveq event create`; an open
procedure page shows the new script when it is reloaded.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from liveq.cli.main import CommandError, cli_actor
from liveq.config import Config, load_config
from liveq.domain.procedure import importer
from liveq.domain.procedure import script as sc
from liveq.errors import InvalidInput
from liveq.storage import procedure as ps
from liveq.storage import store
from liveq.storage.db import Database

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def _format(path: Path, given: str | None) -> str:
    if given:
        return given
    if path.suffix.lower() in (".md", ".markdown"):
        return "markdown"
    return "toml"


def read_photos(spec: importer.ScriptSpec, folder: Path) -> tuple[dict, list[str]]:
    """({file name: (bytes, media type)}, [names of files that are not there])."""
    photos: dict[str, tuple[bytes, str]] = {}
    missing: list[str] = []
    for post in spec.posts:
        for photo in post.photos:
            if photo.file in photos or photo.file in missing:
                continue
            path = folder / photo.file
            media_type = MEDIA_TYPES.get(path.suffix.lower())
            if media_type is None:
                kinds = ", ".join(MEDIA_TYPES)
                raise CommandError(f"{photo.file}: a photo should be a {kinds} file")
            if not path.is_file():
                missing.append(photo.file)
                continue
            if path.stat().st_size > sc.MAX_IMAGE_BYTES:
                raise CommandError(f"{path}: photos can be at most 5 MB")
            photos[photo.file] = (path.read_bytes(), media_type)
    return photos, missing


def _summary(spec: importer.ScriptSpec, photos: dict) -> str:
    count = {role: sum(p.role == role for p in spec.posts) for role in sc.ROLES}
    parts = [
        f"{count[sc.SCRIPT]} script post{'s' * (count[sc.SCRIPT] != 1)}",
        f"{count[sc.FACT]} fact{'s' * (count[sc.FACT] != 1)}",
    ]
    if count[sc.HOLDING]:
        parts.append("a holding statement")
    parts.append(f"{len(photos)} photo{'s' * (len(photos) != 1)}")
    return ", ".join(parts)


def cmd_procedure_import(args: argparse.Namespace) -> int:
    config: Config = load_config(args.config)
    path = Path(args.script)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the script {path}: {exc}") from None
    spec = importer.parse(source, _format(path, args.format))
    raw, missing = read_photos(spec, path.parent)
    if missing and not args.photos_later:
        names = ", ".join(missing)
        raise CommandError(
            f"{path}: the photo file(s) {names} are not in {path.parent}; put them beside the "
            "script, or import with --photos-later and upload them on the procedure page"
        )

    # Each photo re-encoded without its metadata (GPS, serials, thumbnails) before it is
    # stored; the server checks it for faces and text when it next runs.
    from liveq.screening.photos.clean import clean_photo

    photos = {}
    for name, (data, _declared) in raw.items():
        try:
            # Checked by its bytes (type, size, pixels) first, then cleaned.
            real_type = sc.check_image(data, config.limits.max_photo_pixels)
            photos[name] = clean_photo(data, real_type)
        except InvalidInput as exc:
            raise CommandError(f"{path.parent / name}: {exc}") from None

    async def run() -> None:
        async with Database(config.database_target) as db:
            event = await store.get_event(db, args.event)
            if event is None:
                raise CommandError(f"there is no event {args.event!r}")
            if event.kind != "procedure":
                raise CommandError(
                    f"{args.event!r} is a webinar; create a procedure event "
                    "(liveq event create SLUG --kind procedure)"
                )
            await ps.replace_script(db, event, cli_actor(), spec, photos)

    asyncio.run(run())
    base = config.server.public_url.rstrip("/")
    print(f"Imported {path.name} into {args.event!r}: {_summary(spec, photos)}.")
    for name in missing:
        print(f"  Waiting for the photo {name}: upload it on the procedure page.")
    print(f"Next: an approver signs off every post at {base}/mod/{args.event}/procedure")
    return 0
