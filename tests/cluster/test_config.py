"""The [cluster] section: a mistake is named with the key and what was expected."""

import pytest

from liveq.config import ConfigError
from tests.fixtures_server import write_config


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"redis_url": "127.0.0.1:6379"}, "cluster.redis_url should start with redis://"),
        ({"lease_seconds": 0.2}, "cluster.lease_seconds should be between 1 and 60"),
        ({"namespace": "a b"}, "cluster.namespace should be letters, digits, - or _"),
        ({"redis": "redis://x"}, "unknown key cluster.redis"),
    ],
)
def test_a_bad_cluster_section_is_explained(tmp_path, values, said):
    with pytest.raises(ConfigError, match=said):
        write_config(tmp_path, cluster=values)


def test_without_the_section_liveq_is_one_process(tmp_path):
    assert write_config(tmp_path).cluster.redis_url == ""
