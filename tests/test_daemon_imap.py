"""The real daemon, ``python -m responder run``, against real Dovecot servers this module starts.

Each test starts the daemon as a subprocess with the settings of ``Account.env`` and watches what
it does to the mailbox, what it logs and what it says on a notify socket the test owns: a server
restart, a kicked connection, SIGTERM/SIGINT in the middle of a pass, SIGHUP reloads, a second
instance, sd_notify, IMAP IDLE and the fall-back to polling, journal-ready logs without secrets
or asks, OAuth2 against Dovecot's oauth2 passdb, and ``responder status`` afterwards.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from responder.logs import plain_blob
from tests.conftest import EML_DIR, expected_readings
from tests.dovecot import PASSWORD, Account, Dovecot, free_port

pytestmark = pytest.mark.imap

HERE = Path(__file__).parent
SLOW = [str(HERE / "daemon_slow.py")]
PATIENCE = 30.0  # seconds to wait for something that should happen soon
STOP_BOUND = 10.0  # the bound: SIGTERM/SIGINT to exit
IDLE_BOUND = 15.0  # "within a few seconds" of delivery, far below the poll interval
POLL = "10"  # the shortest poll interval the settings allow
LONG_POLL = "300"  # so that only IDLE can explain a quick reaction
IGNORED = "LinkedIn/Ignored"
ACTION_LINE = re.compile(
    r"ref=INBOX/\d+/(?P<uid>\d+) kind=\S+ action=(?P<action>\S+) label=(?P<label>\S+) "
    r"patterns=(?P<patterns>\S+)"
)
NO_IDLE_CAPABILITY = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE UIDPLUS MOVE"


# -- servers and mailboxes -------------------------------------------------------------------


def start_dovecot(extra: str = "") -> Dovecot:
    """A Dovecot of our own, rooted outside pytest's 0700 tmp dirs so its helpers can enter."""
    root = Path(tempfile.mkdtemp(prefix="responder-daemon-dovecot-"))
    server = Dovecot(root, free_port(), extra=extra)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def discard_dovecot(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    """This module's own Dovecot: tests here restart it and kick its users."""
    started = start_dovecot()
    try:
        yield started
    finally:
        discard_dovecot(started)


_users = itertools.count(1)


@pytest.fixture
def account(server: Dovecot) -> Account:
    """A fresh, empty mailbox on this module's Dovecot."""
    return server.account(next(_users))


def eml(name: str) -> bytes:
    return (EML_DIR / name).read_bytes()


def parse(raw: object) -> EmailMessage:
    assert isinstance(raw, bytes)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.compat32)["Message-ID"]).strip()


def folder_ids(account: Account, folder: str) -> dict[str, frozenset[bytes]]:
    """{Message-ID: flags} of ``folder``; empty when the folder does not exist yet."""
    if folder not in account.folders():
        return {}
    out = {}
    for row in account.folder(folder).values():
        flags = row[b"FLAGS"]
        assert isinstance(flags, tuple)
        out[str(parse(row[b"BODY[]"])["Message-ID"]).strip()] = frozenset(flags)
    return out


def drafts(account: Account) -> dict[str, EmailMessage]:
    """The drafts in Drafts, by the Message-ID they answer (In-Reply-To)."""
    out = {}
    for row in account.folder("Drafts").values():
        msg = parse(row[b"BODY[]"])
        out[str(msg["In-Reply-To"]).strip()] = msg
    return out


def handled(account: Account, name: str) -> bool:
    """True once the corpus mail ``name`` has its draft, or has been filed."""
    mid = message_id(eml(name))
    return mid in drafts(account) or mid in folder_ids(account, IGNORED)


def draft_text(account: Account, name: str) -> str:
    body = drafts(account)[message_id(eml(name))].get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def wait_until(what: str, check: Callable[[], bool], daemon: DaemonRun | None = None,
               timeout: float = PATIENCE) -> float:
    """Poll ``check`` until true; return the seconds it took. Fails when the daemon exits."""
    start = time.monotonic()
    while not check():
        if daemon is not None and daemon.proc.poll() is not None:
            pytest.fail(f"daemon exited ({daemon.proc.returncode}) before {what}:\n{daemon.log()}")
        if time.monotonic() - start > timeout:
            extra = f"\n{daemon.log()}" if daemon is not None else ""
            pytest.fail(f"gave up after {timeout:g} s waiting for {what}{extra}")
        time.sleep(0.1)
    return time.monotonic() - start


# -- the daemon process ----------------------------------------------------------------------


def clean_environment(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without anything that would steer the daemon, plus ``env``."""
    steering = ("RESPONDER_", "NOTIFY_SOCKET", "WATCHDOG_", "JOURNAL_STREAM", "CREDENTIALS_DIR")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(steering)}
    clean.update(env)
    return clean


def responder(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run one ``responder`` command to its end."""
    return subprocess.run([sys.executable, "-m", "responder", *args], env=clean_environment(env),
                          capture_output=True, text=True, timeout=120, check=False)


class DaemonRun:
    """One ``responder run`` process, its stderr and, when asked for, its notify socket."""

    def __init__(self, env: Mapping[str, str], workdir: Path, *, wrapper: list[str] | None = None,
                 notify: bool = False) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        child_env = clean_environment(env)
        self.notify: socket.socket | None = None
        self.datagrams: list[str] = []
        if notify:
            path = workdir / "notify.sock"
            self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.notify.bind(str(path))
            self.notify.settimeout(0.1)
            child_env["NOTIFY_SOCKET"] = str(path)
        self.stderr_path = workdir / f"daemon-{time.monotonic_ns()}.log"
        argv = [sys.executable, *(wrapper or ["-m", "responder"]), "run"]
        with self.stderr_path.open("w") as err:
            self.proc = subprocess.Popen(argv, env=child_env, stdout=subprocess.DEVNULL,
                                         stderr=err)

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def count(self, text: str) -> int:
        return sum(text in line for line in self.log().splitlines())

    def wait_for_log(self, pattern: str, count: int = 1,
                     timeout: float = PATIENCE) -> re.Match[str]:
        """Wait for the ``count``-th line matching ``pattern``; return that match."""
        found: list[re.Match[str]] = []

        def seen() -> bool:
            found[:] = [m for line in self.log().splitlines()
                        if (m := re.search(pattern, line)) is not None]
            return len(found) >= count

        wait_until(f"{count}x log /{pattern}/", seen, self, timeout)
        return found[count - 1]

    def receive(self) -> list[str]:
        """Every notify datagram that arrived so far."""
        assert self.notify is not None
        while True:
            try:
                self.datagrams.append(self.notify.recv(4096).decode())
            except TimeoutError:
                return self.datagrams

    def wait_for_datagram(self, pattern: str, count: int = 1) -> None:
        def seen() -> bool:
            return sum(re.search(pattern, d) is not None for d in self.receive()) >= count

        wait_until(f"{count}x datagram /{pattern}/", seen, self)

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, float]:
        """Send ``signum``; return the exit status and the seconds the exit took."""
        sent = time.monotonic()
        self.proc.send_signal(signum)
        try:
            code = self.proc.wait(timeout=STOP_BOUND + 20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"daemon ignored signal {signum}:\n{self.log()}")
        return code, time.monotonic() - sent

    def reap(self) -> None:
        if self.running:
            self.proc.kill()
            self.proc.wait()
        if self.notify is not None:
            self.notify.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., DaemonRun]]:
    """Start daemons for one test; any still running at its end are killed."""
    runs: list[DaemonRun] = []

    def starter(env: Mapping[str, str], **kwargs: object) -> DaemonRun:
        run = DaemonRun(env, tmp_path / "daemon", **kwargs)  # type: ignore[arg-type]
        runs.append(run)
        return run

    yield starter
    for run in runs:
        run.reap()


def settings(account: Account, tmp_path: Path, **extra: str) -> dict[str, str]:
    return account.env(tmp_path / "state", **{"RESPONDER_POLL_SECONDS": POLL, **extra})


def stop_cleanly(daemon: DaemonRun, signum: int = signal.SIGTERM) -> None:
    code, seconds = daemon.stop(signum)
    assert code == 0, daemon.log()
    assert seconds <= STOP_BOUND, f"took {seconds:.1f} s to stop"


# -- 1, 2: a server restart and a kicked connection -------------------------------------------


def test_server_restart_is_one_lost_and_one_restored_line_and_later_mail_is_handled(
    server: Dovecot, account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    """Dovecot stops and starts again under a polling daemon, which rides it out."""
    account.deliver(eml("01-invitation-genuine.eml"))
    daemon = start(settings(account, tmp_path))
    wait_until("the first mail handled", lambda: handled(account, "01-invitation-genuine.eml"),
               daemon)
    server.stop()
    try:
        daemon.wait_for_log("connection lost")
    finally:
        server.start()
    account.deliver(eml("02-invitation-stale-reconnect.eml"))
    wait_until("mail delivered after the restart handled",
               lambda: handled(account, "02-invitation-stale-reconnect.eml"), daemon)
    daemon.wait_for_log("connection restored")
    assert daemon.running
    assert daemon.count("connection lost") == 1
    assert daemon.count("connection restored") == 1
    stop_cleanly(daemon)


@pytest.mark.parametrize("idle", [False, True], ids=["polling", "idle"])
def test_kicked_connection_is_restored_and_new_mail_handled(
    server: Dovecot, account: Account, start: Callable[..., DaemonRun], tmp_path: Path,
    idle: bool
) -> None:
    """``doveadm kick`` drops the daemon's connection; it reconnects and goes on."""
    account.deliver(eml("01-invitation-genuine.eml"))
    daemon = start(settings(account, tmp_path, RESPONDER_IDLE=str(idle).lower()))
    wait_until("the first mail handled", lambda: handled(account, "01-invitation-genuine.eml"),
               daemon)
    server.doveadm("kick", account.user)
    account.deliver(eml("03-invitation-recruiter.eml"))
    daemon.wait_for_log("connection lost")
    daemon.wait_for_log("connection restored")
    wait_until("mail delivered after the kick handled",
               lambda: handled(account, "03-invitation-recruiter.eml"), daemon)
    assert daemon.count("connection lost") == 1
    assert daemon.count("connection restored") == 1
    stop_cleanly(daemon)


# -- 3: SIGTERM and SIGINT in the middle of a pass ---------------------------------------------


@dataclass(frozen=True)
class Row:
    ref: str
    message_id: str
    status: str
    action: str
    draft_message_id: str | None


def outcomes(state_dir: Path) -> list[Row]:
    db = sqlite3.connect(state_dir / "state.sqlite3")
    try:
        rows = db.execute(
            "SELECT ref, message_id, status, action, draft_message_id FROM outcomes"
        ).fetchall()
    finally:
        db.close()
    return [Row(*row) for row in rows]


def assert_nothing_half_done(account: Account, rows: list[Row]) -> None:
    """Every recorded outcome is complete in the mailbox, and every change is recorded."""
    assert [r for r in rows if r.status != "done"] == []
    inbox = folder_ids(account, "INBOX")
    filed = folder_ids(account, IGNORED)
    draft_ids = {str(m["Message-ID"]).strip() for m in drafts(account).values()}
    for r in rows:
        if r.action == "draft":
            assert r.draft_message_id in draft_ids
            assert b"$ResponderDrafted" in inbox[r.message_id]
        elif r.action == "file":
            assert r.message_id in filed
            assert r.message_id not in inbox
        elif r.action == "flag_suspicious":
            assert b"$ResponderSuspicious" in inbox[r.message_id]
    assert draft_ids == {r.draft_message_id for r in rows if r.action == "draft"}
    assert set(filed) == {r.message_id for r in rows if r.action == "file"}
    recorded = {r.message_id for r in rows}
    for mid, flags in inbox.items():
        if mid not in recorded:
            assert not any(f.startswith(b"$Responder") for f in flags), mid


def mailbox_state(account: Account) -> dict[str, object]:
    """What a pass leaves behind, comparable across mailboxes: folders, flags, drafted-for."""
    def flags(folder: str) -> dict[str, frozenset[bytes]]:
        return {mid: f - {b"\\Recent"} for mid, f in folder_ids(account, folder).items()}

    return {"INBOX": flags("INBOX"), IGNORED: flags(IGNORED), "drafts": sorted(drafts(account))}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signal_mid_pass_finishes_the_message_in_hand_and_nothing_else(
    server: Dovecot, account: Account, start: Callable[..., DaemonRun], tmp_path: Path, signum: int
) -> None:
    """The signal lands while a draft is being written: that one completes, the pass stops."""
    account.deliver_all(sorted(EML_DIR.glob("*.eml")))
    env = settings(account, tmp_path)
    daemon = start(env, wrapper=[*SLOW, "0.5"])  # every mailbox change takes half a second
    in_hand = daemon.wait_for_log(ACTION_LINE.pattern)
    stop_cleanly(daemon, signum)

    rows = outcomes(tmp_path / "state")
    assert [r.status for r in rows if r.ref == in_hand["uid"]] == ["done"]
    assert_nothing_half_done(account, rows)
    status = json.loads(responder(env, "status", "--json").stdout)
    assert status["last_pass"]["outcome"] == "stopped"

    # The next run picks up exactly where this one stopped and ends where one uninterrupted
    # pass over the same mail ends: every draft once, everything filed, nothing lost.
    done = responder(env, "run", "--once")
    assert done.returncode == 0, done.stderr
    resumed = outcomes(tmp_path / "state")
    assert_nothing_half_done(account, resumed)
    assert len(rows) < len(resumed), "the stopped pass left mail for the next one"
    assert len(account.folder("Drafts")) == len(drafts(account))
    reference = server.account(next(_users))
    reference.deliver_all(sorted(EML_DIR.glob("*.eml")))
    once = responder(settings(reference, tmp_path / "reference"), "run", "--once")
    assert once.returncode == 0, once.stderr
    assert mailbox_state(account) == mailbox_state(reference)


# -- 4: SIGHUP -------------------------------------------------------------------------------


def test_sighup_reloads_templates_and_a_broken_one_keeps_the_old(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    """A reload picks up an edited template; a broken edit is refused and the old one kept."""
    templates = tmp_path / "templates"
    init = responder(account.env(tmp_path / "state"), "templates", "init", str(templates))
    assert init.returncode == 0, init.stderr
    genuine = templates / "genuine.txt.j2"
    original = genuine.read_text()
    block = "{% block message %}"
    assert block in original

    def edit(marker: str) -> None:
        genuine.write_text(original.replace(block, f"{block}\n{marker}\n", 1))

    edit("MARKER-ONE")
    account.deliver(eml("01-invitation-genuine.eml"))
    env = settings(account, tmp_path, RESPONDER_IDLE="true", RESPONDER_POLL_SECONDS=LONG_POLL,
                   RESPONDER_TEMPLATES_DIR=str(templates))
    daemon = start(env)
    wait_until("the first draft", lambda: handled(account, "01-invitation-genuine.eml"), daemon)
    assert "MARKER-ONE" in draft_text(account, "01-invitation-genuine.eml")

    edit("MARKER-TWO")
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_for_log("reloaded templates and patterns")
    account.deliver(eml("10-inmail-genuine-speaker.eml"))
    wait_until("a draft after the reload",
               lambda: handled(account, "10-inmail-genuine-speaker.eml"), daemon)
    assert "MARKER-TWO" in draft_text(account, "10-inmail-genuine-speaker.eml")

    genuine.write_text(original.replace(block, block + "\n{% if %}\n", 1))
    daemon.proc.send_signal(signal.SIGHUP)
    failed = daemon.wait_for_log("reload failed.*")
    assert "genuine.txt.j2" in failed.group(0)
    account.deliver(eml("31-invitation-zero-width.eml"))
    wait_until("a draft after the failed reload",
               lambda: handled(account, "31-invitation-zero-width.eml"), daemon)
    assert "MARKER-TWO" in draft_text(account, "31-invitation-zero-width.eml")
    assert daemon.count("reloaded templates and patterns") == 1
    stop_cleanly(daemon)


# -- 5: one instance per state dir -----------------------------------------------------------


def test_second_instance_on_the_same_state_dir_exits_saying_already_running(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    account.deliver(eml("01-invitation-genuine.eml"))
    env = settings(account, tmp_path)
    first = start(env)
    wait_until("the first mail handled", lambda: handled(account, "01-invitation-genuine.eml"),
               first)
    for args in (["run"], ["run", "--once"]):
        second = responder(env, *args)
        assert second.returncode != 0
        assert "already running" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
    assert first.running
    stop_cleanly(first)


# -- 6: sd_notify ----------------------------------------------------------------------------


def test_notify_socket_gets_ready_status_watchdog_and_stopping(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    account.deliver(eml("01-invitation-genuine.eml"))
    account.deliver(eml("03-invitation-recruiter.eml"))
    env = settings(account, tmp_path, WATCHDOG_USEC="2000000")
    daemon = start(env, notify=True)
    daemon.wait_for_datagram(r"^READY=1$")
    daemon.wait_for_datagram(r"^STATUS=last pass .*: 2 considered, draft 1, file 1")
    daemon.wait_for_datagram(r"^WATCHDOG=1$", count=3)
    stop_cleanly(daemon)
    got = daemon.receive()
    ready = got.index("READY=1")
    status = next(i for i, d in enumerate(got) if d.startswith("STATUS=last pass"))
    assert ready < status < got.index("STOPPING=1")
    assert got.index("STOPPING=1") > max(i for i, d in enumerate(got) if d == "WATCHDOG=1")


# -- 7: IDLE ---------------------------------------------------------------------------------


def test_idle_handles_new_mail_within_seconds(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    account.deliver(eml("01-invitation-genuine.eml"))
    env = settings(account, tmp_path, RESPONDER_IDLE="true", RESPONDER_POLL_SECONDS=LONG_POLL,
                   RESPONDER_LOG_LEVEL="DEBUG")
    daemon = start(env)
    wait_until("the first mail handled", lambda: handled(account, "01-invitation-genuine.eml"),
               daemon)
    for name in ("02-invitation-stale-reconnect.eml", "03-invitation-recruiter.eml"):
        time.sleep(1)
        account.deliver(eml(name))
        wait_until(f"{name} handled while idling", lambda n=name: handled(account, n),  # type: ignore[misc]
                   daemon, IDLE_BOUND)
    assert daemon.count("new mail announced") >= 2
    stop_cleanly(daemon)


def test_idle_sees_mail_that_arrived_during_a_pass(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    """Mail that lands after a pass looked but before IDLE began is not left for the poll."""
    account.deliver(eml("01-invitation-genuine.eml"))
    account.deliver(eml("03-invitation-recruiter.eml"))
    env = settings(account, tmp_path, RESPONDER_IDLE="true", RESPONDER_POLL_SECONDS=LONG_POLL)
    daemon = start(env, wrapper=[*SLOW, "0.5"])
    daemon.wait_for_log(ACTION_LINE.pattern)
    account.deliver(eml("02-invitation-stale-reconnect.eml"))
    wait_until("mail delivered mid-pass handled",
               lambda: handled(account, "02-invitation-stale-reconnect.eml"), daemon, IDLE_BOUND)
    stop_cleanly(daemon)


def test_without_idle_on_the_server_it_polls(
    start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    plain = start_dovecot(extra=f"imap_capability = {NO_IDLE_CAPABILITY}\n")
    try:
        account = plain.account(1)
        account.deliver(eml("01-invitation-genuine.eml"))
        daemon = start(settings(account, tmp_path, RESPONDER_IDLE="true"))
        wait_until("the first mail handled",
                   lambda: handled(account, "01-invitation-genuine.eml"), daemon)
        daemon.wait_for_log("does not offer IDLE")
        account.deliver(eml("03-invitation-recruiter.eml"))
        wait_until("mail handled by the next poll",
                   lambda: handled(account, "03-invitation-recruiter.eml"), daemon)
        assert daemon.count("connection lost") == 0
        assert daemon.count("does not offer IDLE") == 1
        stop_cleanly(daemon)
    finally:
        discard_dovecot(plain)


# -- 8: logs fit the journal and carry no secret and no ask ----------------------------------


def normalised(text: str) -> str:
    return " ".join(text.split())


def body_lines(raw: bytes) -> list[str]:
    """Longer lines of a mail's plain-text body, as a reader of the log might spot them."""
    body = parse(raw).get_body(preferencelist=("plain",))
    if body is None:
        return []
    try:
        text = str(body.get_content())
    except (LookupError, ValueError):
        return []
    return [normalised(line) for line in text.splitlines() if len(line.strip()) >= 40]


def test_journal_logs_at_debug_carry_no_secret_and_no_ask(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    paths = sorted(EML_DIR.glob("*.eml"))
    account.deliver_all(paths)
    expected = expected_readings()
    env = settings(account, tmp_path, RESPONDER_LOG_LEVEL="DEBUG", JOURNAL_STREAM="8:4242")
    daemon = start(env)
    daemon.wait_for_log(r"last pass .* considered")
    stop_cleanly(daemon)
    log = daemon.log()

    for secret in (PASSWORD, plain_blob(account.user, PASSWORD)):
        assert secret not in log
    lines = log.splitlines()
    assert lines
    for line in lines:
        assert re.match(r"<[0-7]>[\w.]+: ", line), f"not a journal line: {line!r}"
        assert not re.match(r"<\d>[\w.]+: \[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d", line), line
    actions = [m for line in lines if (m := ACTION_LINE.search(line)) is not None]
    uids = [m["uid"] for m in actions]
    assert len(uids) == len(set(uids)), "one line per message"
    rows = outcomes(tmp_path / "state")
    assert sorted(uids) == sorted(r.ref for r in rows), "every recorded outcome has its line"
    by_action = {m["action"] for m in actions}
    assert {"draft", "file", "flag_suspicious"} <= by_action
    assert all(m["patterns"] != "-" for m in actions if m["action"] in ("draft", "file"))

    flat = normalised(log)
    for name, e in expected.items():
        ask = normalised(str(e.get("ask_text") or ""))
        for piece in (ask[:40], ask[-40:]):
            if len(piece) >= 20:
                assert piece not in flat, f"ask text of {name} in the log"
        for line in body_lines(eml(name)):
            assert line not in flat, f"body of {name} in the log: {line!r}"


# -- 9: OAuth2 -------------------------------------------------------------------------------


class Introspection:
    """An OAuth2 token introspection endpoint (RFC 7662) for Dovecot's oauth2 passdb."""

    def __init__(self, user: str) -> None:
        self.tokens: list[str] = []
        seen = self.tokens

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                token = form.get("token", [""])[0]
                seen.append(token)
                active = token.startswith("tok-")
                body = json.dumps({"active": active, "username": user} if active
                                  else {"active": False}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/introspect"

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


TOKEN_SCRIPT = """\
import pathlib, sys
counter = pathlib.Path(sys.argv[1])
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
print(f"tok-{n}-Vq3xK9pLm2")
"""


@pytest.mark.parametrize(("mechanisms", "expected"), [
    ("xoauth2 oauthbearer", "OAUTHBEARER"),
    ("xoauth2", "XOAUTH2"),
])
def test_oauth2_token_command_runs_at_every_login(
    start: Callable[..., DaemonRun], tmp_path: Path, mechanisms: str, expected: str
) -> None:
    """Dovecot checks the bearer token with our introspection endpoint; after a kick the
    daemon runs the token command again and logs in with the new token."""
    user = "user1"
    endpoint = Introspection(user)
    root = Path(tempfile.mkdtemp(prefix="responder-oauth2-"))
    os.chmod(root, 0o755)  # noqa: S103 - Dovecot's auth process reads the file below
    oauth_conf = root / "dovecot-oauth2.conf.ext"
    oauth_conf.write_text(f"introspection_mode = post\nintrospection_url = {endpoint.url}\n"
                          "username_attribute = username\nactive_attribute = active\n"
                          "active_value = true\n")
    oauth_conf.chmod(0o644)
    server = start_dovecot(extra=(
        f"auth_mechanisms = plain login {mechanisms}\n"
        f"passdb {{\n  driver = oauth2\n  mechanisms = {mechanisms}\n  args = {oauth_conf}\n}}\n"
    ))
    try:
        account = server.account(1)
        account.deliver(eml("01-invitation-genuine.eml"))
        account.deliver(eml("03-invitation-recruiter.eml"))
        script = tmp_path / "token.py"
        script.write_text(TOKEN_SCRIPT)
        counter = tmp_path / "token-count"
        env = settings(account, tmp_path, RESPONDER_IDLE="true", RESPONDER_LOG_LEVEL="DEBUG",
                       RESPONDER_IMAP_OAUTH2_TOKEN_CMD=f"{sys.executable} {script} {counter}")
        del env["RESPONDER_IMAP_PASSWORD"]
        daemon = start(env)
        for name in ("01-invitation-genuine.eml", "03-invitation-recruiter.eml"):
            wait_until(f"{name} handled", lambda n=name: handled(account, n),  # type: ignore[misc]
                       daemon)
        assert message_id(eml("03-invitation-recruiter.eml")) not in folder_ids(account, "INBOX")
        assert counter.read_text() == "1"

        server.doveadm("kick", account.user)
        account.deliver(eml("02-invitation-stale-reconnect.eml"))
        wait_until("mail after the kick handled",
                   lambda: handled(account, "02-invitation-stale-reconnect.eml"), daemon)
        daemon.wait_for_log("connection restored")
        assert counter.read_text() == "2"
        assert [t.split("-")[1] for t in endpoint.tokens] == ["1", "2"]
        dovecot_log = (server.root / "dovecot.log").read_text()
        logins = re.findall(rf"Login: user=<{user}>, method=(\S+),", dovecot_log)
        assert [m for m in logins if m != "PLAIN"] == [expected, expected]  # PLAIN: the test's
        stop_cleanly(daemon)
        log = daemon.log()
        assert "Vq3xK9pLm2" not in log
        assert PASSWORD not in log
    finally:
        discard_dovecot(server)
        endpoint.close()
        shutil.rmtree(root, ignore_errors=True)


# -- 10: responder status after a daemon run --------------------------------------------------


def test_status_after_a_daemon_run(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    for name in ("01-invitation-genuine.eml", "03-invitation-recruiter.eml",
                 "06-invitation-default-note.eml"):
        account.deliver(eml(name))
    big = eml("08-inmail-recruiter.eml").rstrip() + b"\r\n" + b"padding " * 20_000 + b"\r\n"
    account.deliver(big)
    env = settings(account, tmp_path, RESPONDER_MAX_MESSAGE_BYTES="100000")
    daemon = start(env)
    daemon.wait_for_log(r"last pass .*: 4 considered")
    stop_cleanly(daemon)

    shown = responder(env, "status")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert re.search(r"^last pass: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+\.\d\ds, ok, "
                     r"\d+ looked at, \d+ error\(s\)$", out, re.M), out
    db = sqlite3.connect(tmp_path / "state" / "state.sqlite3")
    done = db.execute("SELECT action, label FROM outcomes WHERE status='done'").fetchall()
    db.close()
    counts = dict(Counter(f"{action}/{label}" for action, label in done))
    assert sum(counts.values()) == 3
    assert {c.split("/")[0] for c in counts} == {"draft", "file"}
    for title in ("today", "total"):
        line = next(x for x in out.splitlines() if x.startswith(f"{title}: "))
        assert line == f"{title}: " + ", ".join(f"{k}={n}" for k, n in sorted(counts.items()))
    assert re.search(r"^error .* over RESPONDER_MAX_MESSAGE_BYTES", out, re.M), out

    as_json = responder(env, "status", "--json")
    data = json.loads(as_json.stdout)
    assert data["today"] == data["total"] == counts
    assert data["last_pass"]["outcome"] == "ok"
    assert data["last_pass"]["seconds"] >= 0
    assert len(data["last_errors"]) == 1
    for text in (out, as_json.stdout, shown.stderr, as_json.stderr):
        assert PASSWORD not in text


# -- signals while the daemon is still starting up ---------------------------------------------


def wait_for_lock(daemon: DaemonRun, state_dir: Path) -> None:
    """Wait until the daemon holds its lock: it is past start-up's first step, not yet polling."""
    def locked() -> bool:
        return any(str(daemon.proc.pid) in p.read_text() for p in state_dir.glob("*.lock"))

    wait_until("the instance lock", locked, daemon)


def test_sigterm_while_starting_up_exits_cleanly(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    daemon = start(settings(account, tmp_path))
    wait_for_lock(daemon, tmp_path / "state")
    stop_cleanly(daemon)
    assert "Traceback" not in daemon.log()


def test_sighup_while_starting_up_is_not_fatal(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    """A reload asked for before the first pass changes nothing: the files are loaded anyway."""
    account.deliver(eml("01-invitation-genuine.eml"))
    daemon = start(settings(account, tmp_path))
    wait_for_lock(daemon, tmp_path / "state")
    daemon.proc.send_signal(signal.SIGHUP)
    wait_until("the first mail handled", lambda: handled(account, "01-invitation-genuine.eml"),
               daemon)
    stop_cleanly(daemon)


# -- a server that stops answering -----------------------------------------------------------


class SilentServer:
    """Accepts IMAP connections and never says a word, like a server that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.sock.accept()[0])

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def test_sigterm_while_the_server_does_not_answer_exits_within_the_bound(
    account: Account, start: Callable[..., DaemonRun], tmp_path: Path
) -> None:
    """Blocked on a silent server (60 s timeout), the daemon still stops within 10 s."""
    silent = SilentServer()
    try:
        env = settings(account, tmp_path, RESPONDER_IMAP_PORT=str(silent.port),
                       RESPONDER_IMAP_TIMEOUT="60")
        daemon = start(env)
        wait_until("the daemon to connect", lambda: bool(silent.accepted), daemon)
        stop_cleanly(daemon)
        daemon.wait_for_log("not answering")
    finally:
        silent.close()
