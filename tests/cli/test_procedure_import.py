"""`liveq procedure import EVENT script.toml` reads the photos beside the script
(issue 11 item 5), and `liveq event create --kind procedure` prints the
procedure page (item 6). Run as real subprocesses on a real database."""

from __future__ import annotations

import io
import sqlite3

from PIL import Image

from tests.cli.test_cli import liveq
from tests.web.test_procedure import PNG, same_pixels
from tests.web.test_procedure_import import readme_script


def setup_site(tmp_path):
    assert liveq("init", "--dir", "site", cwd=tmp_path).returncode == 0
    config = tmp_path / "site" / "liveq.toml"
    created = liveq(
        "event",
        "create",
        "knee-live",
        "--title",
        "Knee replacement, live",
        "--kind",
        "procedure",
        "--hashtag",
        "KneeLive",
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    return config, created.stdout


def rows(config, sql):
    conn = sqlite3.connect(config.parent / "liveq.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_event_create_prints_the_procedure_page(tmp_path):
    _, out = setup_site(tmp_path)
    assert "Procedure: http://127.0.0.1:8080/mod/knee-live/procedure" in out
    listed = liveq("event", "list", "--config", str(tmp_path / "site/liveq.toml"), cwd=tmp_path)
    assert "http://127.0.0.1:8080/mod/knee-live/procedure" in listed.stdout


def test_the_readme_script_imports_with_the_photo_beside_it(tmp_path):
    config, _ = setup_site(tmp_path)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "knee.toml").write_text(readme_script(), encoding="utf-8")
    (scripts / "or.png").write_bytes(PNG)
    # Run from elsewhere: photos are found beside the script, not in the working folder.
    done = liveq(
        "procedure",
        "import",
        "knee-live",
        str(scripts / "knee.toml"),
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "2 script posts, 1 fact, a holding statement, 1 photo" in done.stdout
    assert "/mod/knee-live/procedure" in done.stdout
    posts = rows(config, "SELECT role, text, warning FROM procedure_posts ORDER BY id")
    assert posts[:2] == [
        ("script", "Good morning from the OR at St. Example's.", 0),
        ("script", "The first incision.", 1),
    ]
    photos = rows(
        config,
        "SELECT ph.alt_text, ph.file, m.media_type, m.data FROM procedure_photos ph"
        " JOIN media_files m ON m.id = ph.media_file_id",
    )
    alt = "The empty operating room, lights on."
    assert [p[:3] for p in photos] == [(alt, "or.png", "image/png")]
    assert same_pixels(photos[0][3], PNG)  # re-encoded without its metadata
    audit = rows(config, "SELECT actor, action FROM audit WHERE action = 'script_imported'")
    assert audit and audit[0][0].startswith("cli:")


def test_a_missing_photo_is_named_and_nothing_is_imported(tmp_path):
    config, _ = setup_site(tmp_path)
    script = tmp_path / "knee.toml"
    script.write_text(readme_script(), encoding="utf-8")
    failed = liveq(
        "procedure", "import", "knee-live", str(script), "--config", str(config), cwd=tmp_path
    )
    assert failed.returncode == 1
    assert "or.png" in failed.stderr and "--photos-later" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert rows(config, "SELECT count(*) FROM procedure_posts") == [(0,)]
    # Asked for: the script goes in and the page asks for the photo.
    later = liveq(
        "procedure",
        "import",
        "knee-live",
        str(script),
        "--photos-later",
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert later.returncode == 0, later.stderr
    assert "or.png" in later.stdout and "upload" in later.stdout
    assert rows(config, "SELECT file, media_file_id FROM procedure_photos") == [("or.png", None)]


def test_markdown_by_its_extension_and_clear_errors(tmp_path):
    config, _ = setup_site(tmp_path)
    script = tmp_path / "knee.md"
    script.write_text("## Post\nGood morning.\n![The team.](team.jpg)\n", encoding="utf-8")
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 12)).save(jpeg, "JPEG")  # a real JPEG: photos are checked
    (tmp_path / "team.jpg").write_bytes(jpeg.getvalue())
    done = liveq(
        "procedure", "import", "knee-live", str(script), "--config", str(config), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert rows(config, "SELECT m.media_type FROM media_files m") == [("image/jpeg",)]
    for args, words in (
        (["nope", str(script)], "no event 'nope'"),
        (["knee-live", str(tmp_path / "absent.toml")], "absent.toml"),
    ):
        failed = liveq("procedure", "import", *args, "--config", str(config), cwd=tmp_path)
        assert failed.returncode == 1 and words in failed.stderr, failed.stderr
        assert "Traceback" not in failed.stderr
    (tmp_path / "bad.toml").write_text("[[post]]\ntext = 3\n", encoding="utf-8")
    failed = liveq(
        "procedure",
        "import",
        "knee-live",
        str(tmp_path / "bad.toml"),
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert failed.returncode == 1 and "post 1" in failed.stderr
