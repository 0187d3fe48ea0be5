"""[database]: a sqlite path by default, or a PostgreSQL url (also from the environment)."""

import pytest

from liveq.config import ConfigError, dump_toml, load_config

SECRET = "s" * 40


def write(tmp_path, database: dict):
    path = tmp_path / "liveq.toml"
    path.write_text(dump_toml({"server": {"secret": SECRET}, "database": database}))
    return path


def test_sqlite_is_the_default(tmp_path):
    config = load_config(write(tmp_path, {"path": "data/liveq.db"}), env={})
    assert config.database_target == tmp_path / "data" / "liveq.db"
    assert config.database_label == str(tmp_path / "data" / "liveq.db")


def test_a_postgresql_url_is_the_target_and_its_password_is_never_shown(tmp_path):
    url = "postgresql://liveq:hunter2-secret@db.example:5432/liveq"
    config = load_config(write(tmp_path, {"url": url}), env={})
    assert config.database_target == url
    assert config.database_label == "postgresql://liveq:***@db.example:5432/liveq"


def test_the_environment_overrides_the_file(tmp_path):
    url = "postgresql://liveq@127.0.0.1/liveq"
    config = load_config(write(tmp_path, {"path": "liveq.db"}), env={"LIVEQ_DATABASE_URL": url})
    assert config.database_target == url


def test_a_url_that_is_not_postgresql_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(ConfigError, match=r"database.url should start with postgresql://"):
        load_config(write(tmp_path, {"url": "mysql://root@localhost/liveq"}), env={})
