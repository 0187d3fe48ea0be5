"""TLS for the local X API emulator: a throwaway CA from trustme.

The emulator serves real HTTPS for the hostnames tweepy and our media helper
use, so the client code under test is the production code path; only the
resolver and the trusted CA differ.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme

# Every name a client may ask for: tweepy uses api.twitter.com, the v2 media
# docs use api.x.com, older tools use upload.twitter.com; the rest are for
# people poking at the emulator with curl.
EMULATED_HOSTS: tuple[str, ...] = (
    "api.twitter.com",
    "upload.twitter.com",
    "api.x.com",
    "localhost",
    "127.0.0.1",
)


class EmulatorCA:
    """A CA and one leaf certificate covering :data:`EMULATED_HOSTS`."""

    def __init__(self, hosts: tuple[str, ...] = EMULATED_HOSTS) -> None:
        self._ca = trustme.CA(organization_name="liveq X API emulator")
        self._leaf = self._ca.issue_cert(*hosts)
        self.hosts = hosts

    @property
    def ca_pem(self) -> bytes:
        """The CA certificate (PEM); trust this to talk to the emulator."""
        return self._ca.cert_pem.bytes()

    def write_ca_pem(self, path: str | Path) -> Path:
        """Write the CA certificate to ``path`` so another process can trust it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._ca.cert_pem.write_to_path(str(path))
        return path

    def server_ssl_context(self) -> ssl.SSLContext:
        """The server side: presents the leaf certificate."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._leaf.configure_cert(ctx)
        return ctx

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA and nothing else."""
        return ssl.create_default_context(cadata=self.ca_pem.decode("ascii"))


def client_ssl_context_from_file(ca_file: str | Path) -> ssl.SSLContext:
    """A client context trusting only the CA in ``ca_file``.

    Only that CA: a client set up for the emulator must never be able to
    reach the real X by accident.
    """
    return ssl.create_default_context(cafile=str(ca_file))
