"""config.dump_toml writes what load_config and tomllib read back, nested tables included."""

import tomllib

from liveq.config import dump_toml, load_config


def test_nested_tables_and_awkward_strings_round_trip(tmp_path):
    sections = {
        "server": {"secret": "s" * 40, "port": 8081},
        "screening": {"watch_list": ["miracle cure", 'say "cure"'], "check_phi": True},
        "x": {"emulator": {"port": 8443, "ca_file": "C:\\certs\\ca.pem"}},
    }
    text = dump_toml(sections)
    assert tomllib.loads(text) == sections
    path = tmp_path / "liveq.toml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path).raw["x"]["emulator"]["port"] == 8443
