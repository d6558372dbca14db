"""TLS verification against a real Dovecot (implicit TLS and STARTTLS) with a generated cert."""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from responder.errors import ConfigError
from responder.tls import check_plain_allowed, is_loopback, make_ssl_context


@dataclass(frozen=True)
class TlsDovecot:
    """A throwaway Dovecot with ssl = yes: STARTTLS on ``port``, implicit TLS on ``tls_port``."""

    port: int
    tls_port: int
    cert: Path
    directory: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _make_cert(directory: Path, name: str, san: str) -> tuple[Path, Path]:
    """A self-signed certificate and key for *san* (openssl, as a user would make one)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName={san}"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _dovecot_conf(d: Path, port: int, tls_port: int, cert: Path, key: Path) -> str:
    root = os.getuid() == 0
    user = "nobody" if root else _whoami()
    group = "nogroup" if root else _whoami(group=True)
    uid = int(subprocess.check_output(["id", "-u", user]))
    gid = int(subprocess.check_output(["getent", "group", group]).split(b":")[2])
    if root:
        os.chown(d / "mail", uid, gid)
    service_users = (
        ""
        if root
        else (
            f"service auth {{\n  user = {user}\n}}\n"
            f"service stats {{\n  unix_listener stats-reader {{\n    user = {user}\n  }}\n"
            f"  unix_listener stats-writer {{\n    user = {user}\n  }}\n}}\n"
        )
    )
    return f"""instance_name = tlsdv-{port}
base_dir = {d}/run
state_dir = {d}/run/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0secs
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{d}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
{service_users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
"""


def _whoami(group: bool = False) -> str:
    return subprocess.check_output(["id", "-gn" if group else "-un"], text=True).strip()


def _wait_for_greeting(port: int, tls: bool) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only a readiness probe; never how we connect
    try:
        with socket.create_connection(("127.0.0.1", port), 1) as raw:
            if tls:
                with context.wrap_socket(raw) as sock:
                    return sock.recv(512).startswith(b"* OK")
            return raw.recv(512).startswith(b"* OK")
    except OSError:
        return False


@pytest.fixture(scope="module")
def tls_dovecot() -> Iterator[TlsDovecot]:
    assert shutil.which("dovecot"), "dovecot-imapd is needed for the TLS tests"
    # Not under pytest's tmp dir: as root that is 0700, and Dovecot's auth runs as nobody.
    d = Path(tempfile.mkdtemp(prefix="responder-tls-dovecot-"))
    for sub in ("run", "mail"):
        (d / sub).mkdir()
    d.chmod(0o755)
    (d / "run").chmod(0o755)
    cert, key = _make_cert(d, "localhost", "DNS:localhost,IP:127.0.0.1")
    (d / "users").write_text("alice:{PLAIN}alicepw::::::\n")
    (d / "users").chmod(0o644)
    port, tls_port = _free_port(), _free_port()
    conf = d / "dovecot.conf"
    conf.write_text(_dovecot_conf(d, port, tls_port, cert, key))
    subprocess.run(["dovecot", "-c", str(conf)], check=True, timeout=60)
    try:
        deadline = time.monotonic() + 30
        while not (_wait_for_greeting(port, False) and _wait_for_greeting(tls_port, True)):
            if time.monotonic() > deadline:
                log = (d / "dovecot.log").read_text() if (d / "dovecot.log").exists() else ""
                pytest.fail(f"dovecot did not come up:\n{log}")
            time.sleep(0.1)
        yield TlsDovecot(port, tls_port, cert, d)
    finally:
        subprocess.run(["dovecot", "-c", str(conf), "stop"], check=False, timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def test_self_signed_server_is_refused_without_its_ca(tls_dovecot: TlsDovecot) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match=r"self.signed"):
        IMAPClient("localhost", tls_dovecot.tls_port, ssl=True,
                   ssl_context=make_ssl_context(None), timeout=10)  # fmt: skip


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_implicit_tls_with_the_ca_file(tls_dovecot: TlsDovecot, host: str) -> None:
    context = make_ssl_context(tls_dovecot.cert)
    with IMAPClient(host, tls_dovecot.tls_port, ssl=True, ssl_context=context, timeout=10) as c:
        c.login("alice", "alicepw")
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
        assert c.socket().version() in {"TLSv1.2", "TLSv1.3"}


def test_starttls_refused_without_the_ca(tls_dovecot: TlsDovecot) -> None:
    client = IMAPClient("localhost", tls_dovecot.port, ssl=False, timeout=10)
    try:
        assert b"STARTTLS" in client.capabilities()
        with pytest.raises(ssl.SSLCertVerificationError):
            client.starttls(make_ssl_context(None))
    finally:
        with contextlib.suppress(Exception):
            client.shutdown()


def test_starttls_with_the_ca_file(tls_dovecot: TlsDovecot) -> None:
    client = IMAPClient("localhost", tls_dovecot.port, ssl=False, timeout=10)
    try:
        client.starttls(make_ssl_context(tls_dovecot.cert))
        client.login("alice", "alicepw")
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        client.logout()
    except BaseException:
        client.shutdown()
        raise


def _tls_listener(cert: Path, key: Path) -> tuple[socket.socket, threading.Thread]:
    """A bare TLS server on 127.0.0.1 that handshakes once and hangs up."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, contextlib.suppress(OSError):
            server_context.wrap_socket(conn, server_side=True).close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def test_certificate_for_another_name_is_refused(tmp_path: Path) -> None:
    cert, key = _make_cert(tmp_path, "elsewhere", "DNS:elsewhere.invalid")
    listener, thread = _tls_listener(cert, key)
    port = listener.getsockname()[1]
    context = make_ssl_context(cert)
    try:
        with (
            socket.create_connection(("127.0.0.1", port), 10) as raw,
            pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"),
        ):
            context.wrap_socket(raw, server_hostname="localhost")
    finally:
        thread.join(10)
        listener.close()


def test_context_settings_cannot_be_relaxed() -> None:
    context = make_ssl_context(None)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert list(inspect.signature(make_ssl_context).parameters) == ["ca_file"]


def test_unloadable_ca_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be loaded"):
        make_ssl_context(tmp_path / "missing.pem")
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="cannot be loaded"):
        make_ssl_context(bogus)


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]
)
def test_plaintext_allowed_to_loopback(host: str) -> None:
    assert is_loopback(host)
    check_plain_allowed(host)


@pytest.mark.parametrize(
    "host", ["imap.example.com", "10.0.0.1", "192.168.1.5", "::2", "localhost.example.com", ""]
)
def test_plaintext_refused_elsewhere(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ConfigError, match="refusing an unencrypted IMAP connection"):
        check_plain_allowed(host)
