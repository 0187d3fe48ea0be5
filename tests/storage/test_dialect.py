"""sqlite's SQL as PostgreSQL reads it (liveq.storage.dialect)."""

from liveq.storage.dialect import redact_url, to_postgres


def test_placeholders_are_numbered_outside_quoted_strings():
    stmt = to_postgres("SELECT id FROM questions WHERE text = 'why?' AND id = ? AND votes > ?")
    assert stmt.sql == "SELECT id FROM questions WHERE text = 'why?' AND id = $1 AND votes > $2"
    assert stmt.returns_rows and not stmt.returns_id


def test_null_safe_comparison_becomes_is_distinct_from():
    stmt = to_postgres("SELECT hash FROM audit WHERE event_id IS ? AND hash IS NOT ?")
    assert stmt.sql == (
        "SELECT hash FROM audit WHERE event_id IS NOT DISTINCT FROM $1 AND hash IS DISTINCT FROM $2"
    )
    assert to_postgres("SELECT 1 FROM audit WHERE hash IS NULL").sql.endswith("IS NULL")


def test_an_insert_into_a_numbered_table_returns_its_id():
    stmt = to_postgres("INSERT INTO questions (text) VALUES (?) ON CONFLICT DO NOTHING")
    assert stmt.sql.endswith("ON CONFLICT DO NOTHING RETURNING id")
    assert stmt.returns_id and stmt.returns_rows
    votes = to_postgres("INSERT INTO votes (question_id, voter) VALUES (?, ?)")
    assert not votes.returns_id and not votes.returns_rows
    mine = to_postgres("UPDATE questions SET votes = votes + 1 WHERE id = ? RETURNING votes")
    assert mine.returns_rows and not mine.returns_id


def test_sqlite_pragmas_do_nothing():
    assert to_postgres("PRAGMA secure_delete = ON").skip


def test_a_url_is_shown_without_its_password():
    assert redact_url("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert redact_url("postgresql://u@h/d") == "postgresql://u@h/d"
