"""TLS for the IMAP connection: always verified, never optional.

There is deliberately no switch that turns verification off. A server with a private CA is
reached by naming that CA file; a plaintext connection is allowed only to this machine.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

from responder.errors import ConfigError


def make_ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    """A client context that checks the chain and host name, TLS 1.2 or newer.

    *ca_file* (PEM) replaces the system trust store; ConfigError when it cannot be loaded.
    """
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"CA file {ca_file} cannot be loaded: {exc}") from None
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    if context.minimum_version < ssl.TLSVersion.TLSv1_2:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback address (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_plain_allowed(host: str) -> None:
    """Return when a connection without TLS to *host* is acceptable; ConfigError otherwise."""
    if not is_loopback(host):
        raise ConfigError(
            f"refusing an unencrypted IMAP connection to {host}: plaintext is allowed only to "
            "localhost/127.0.0.1/::1; use TLS (port 993) or STARTTLS"
        )
