"""One pass through the real CLI against a real Dovecot: drafts, filing, nothing else touched."""

from __future__ import annotations

import email
import email.policy
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import EML_DIR, expected_readings
from tests.dovecot import FTS_XAPIAN, PASSWORD, Account, Dovecot, running

pytestmark = pytest.mark.imap

HERE = Path(__file__).parent


def responder(env: Mapping[str, str], *args: str, wrapper: list[str] | None = None,
              check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real ``responder`` command line in a clean environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    clean.update(env)
    argv = [sys.executable, *(wrapper or ["-m", "responder"]), *args]
    done = subprocess.run(argv, env=clean, capture_output=True, text=True, timeout=300,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def parse(raw: object) -> EmailMessage:
    assert isinstance(raw, bytes)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def corpus_ids() -> dict[str, str]:
    """Return {Message-ID: file name} of the corpus."""
    out = {}
    for path in sorted(EML_DIR.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        out[str(msg["Message-ID"]).strip()] = path.name
    return out


def flags_of(row: Mapping[bytes, object]) -> frozenset[bytes]:
    """Return a message's flags without \\Recent (which belongs to a session, not the mail)."""
    flags = row[b"FLAGS"]
    assert isinstance(flags, tuple)
    return frozenset(flags) - {b"\\Recent"}


def snapshot(mailbox: Account) -> dict[str, list[tuple[str, frozenset[bytes]]]]:
    """Return each folder's messages as (Message-ID or body hash, flags), sorted."""
    result = {}
    for name in mailbox.folders():
        rows = []
        for row in mailbox.folder(name).values():
            msg = parse(row[b"BODY[]"])
            rows.append((str(msg["Message-ID"]), flags_of(row)))
        result[name] = sorted(rows, key=lambda r: r[0])
    return result


@pytest.fixture
def loaded(mailbox: Account) -> Account:
    mailbox.deliver_all(sorted(EML_DIR.glob("*.eml")))
    return mailbox


@pytest.mark.parametrize("candidates", ["auto", "headers"])
def test_pass_leaves_exactly_the_expected_drafts_filed_and_untouched_mail(
    loaded: Account, tmp_path: Path, candidates: str
) -> None:
    """A pass over the corpus drafts, files and leaves exactly what expected.jsonl says,
    whether the server's search or the header sweep finds the LinkedIn-looking mail."""
    expected = expected_readings()
    names = corpus_ids()
    env = loaded.env(tmp_path / "state", RESPONDER_CANDIDATE_SEARCH=candidates)
    before = {parse(r[b"BODY[]"])["Message-ID"]: flags_of(r)
              for r in loaded.folder("INBOX").values()}

    responder(env, "run", "--once")

    drafts = [parse(r[b"BODY[]"]) for r in loaded.folder("Drafts").values()]
    replied_to = sorted(names[str(d["In-Reply-To"])] for d in drafts)
    assert replied_to == sorted(f for f, e in expected.items() if e["expected_action"] == "draft")
    for d in drafts:
        assert d["References"].split()[-1] == d["In-Reply-To"]
        assert d["Subject"].startswith("Re: ")
        assert not d["Subject"].startswith("Re: Re:")
        assert "dana@example.org" in d["From"]
    for row in loaded.folder("Drafts").values():
        assert b"\\Draft" in row[b"FLAGS"]

    filed = sorted(names[str(parse(r[b"BODY[]"])["Message-ID"])]
                   for r in loaded.folder("LinkedIn/Ignored").values())
    assert filed == sorted(f for f, e in expected.items() if e["expected_action"] == "file")

    inbox = {str(parse(r[b"BODY[]"])["Message-ID"]): flags_of(r)
             for r in loaded.folder("INBOX").values()}
    assert sorted(names[m] for m in inbox) == sorted(
        f for f, e in expected.items() if e["expected_action"] in ("draft", "leave",
                                                                   "flag_suspicious")
    )
    for message_id, flags in inbox.items():
        action = expected[names[message_id]]["expected_action"]
        assert b"\\Seen" not in flags, "nothing is marked as read"
        if not expected[names[message_id]]["linkedin"]:
            assert flags == before[message_id], "non-LinkedIn mail is never touched"
        if action == "flag_suspicious":
            assert b"$ResponderSuspicious" in flags
        if action == "draft":
            assert b"$ResponderDrafted" in flags


def test_second_pass_changes_nothing(loaded: Account, tmp_path: Path) -> None:
    """Running again finds nothing new and leaves every folder exactly as it was."""
    env = loaded.env(tmp_path / "state")
    responder(env, "run", "--once")
    first = snapshot(loaded)
    second_run = responder(env, "run", "--once")
    assert snapshot(loaded) == first
    assert "nothing to do" in second_run.stdout


def test_lost_state_store_creates_no_duplicate_draft(loaded: Account, tmp_path: Path) -> None:
    """Deleting the state store and running again drafts nothing twice."""
    env = loaded.env(tmp_path / "state")
    responder(env, "run", "--once")
    first = snapshot(loaded)
    for path in (tmp_path / "state").iterdir():
        if path.name.startswith("state.sqlite3"):
            path.unlink()
    responder(env, "run", "--once")
    assert snapshot(loaded) == first


def test_crash_between_append_and_state_write_creates_no_duplicate(
    loaded: Account, tmp_path: Path
) -> None:
    """kill -9 right after the first APPEND (one MULTIAPPEND carrying every draft of the
    batch); the restarted pass adds no second draft."""
    env = loaded.env(tmp_path / "state")
    crashed = responder(env, "run", "--once", wrapper=[str(HERE / "crash_after.py"),
                                                       "append_draft"], check=False)
    assert crashed.returncode == -9, crashed.stderr
    assert len(loaded.folder("Drafts")) >= 1
    responder(env, "run", "--once")
    drafts = [parse(r[b"BODY[]"]) for r in loaded.folder("Drafts").values()]
    parents = [d["In-Reply-To"] for d in drafts]
    assert len(parents) == len(set(parents))
    expected = expected_readings()
    assert len(drafts) == sum(e["expected_action"] == "draft" for e in expected.values())


def test_crash_between_move_and_state_write_loses_nothing(
    loaded: Account, tmp_path: Path
) -> None:
    """kill -9 right after the first MOVE; after a restart every message is in one place."""
    env = loaded.env(tmp_path / "state")
    crashed = responder(env, "run", "--once", wrapper=[str(HERE / "crash_after.py"), "move"],
                        check=False)
    assert crashed.returncode == -9, crashed.stderr
    responder(env, "run", "--once")
    folders = snapshot(loaded)
    ids = [m for name in ("INBOX", "LinkedIn/Ignored") for m, _ in folders[name]]
    assert sorted(ids) == sorted(corpus_ids())


def test_first_pass_ignores_mail_older_than_the_window(mailbox: Account, tmp_path: Path) -> None:
    """With the default 7-day window an old invitation is not answered; --since takes it."""
    old = datetime.now(UTC) - timedelta(days=30)
    mailbox.deliver((EML_DIR / "01-invitation-genuine.eml").read_bytes(), received=old)
    env = mailbox.env(tmp_path / "state", RESPONDER_SINCE_DAYS="7")
    responder(env, "run", "--once")
    assert mailbox.folder("Drafts") == {}
    responder(env, "run", "--once", "--since", (old - timedelta(days=1)).strftime("%Y-%m-%d"))
    assert len(mailbox.folder("Drafts")) == 1


def test_dry_run_changes_nothing(loaded: Account, tmp_path: Path) -> None:
    """--dry-run says what would happen and leaves mailbox and state untouched."""
    before = snapshot(loaded)
    env = loaded.env(tmp_path / "state")
    out = responder(env, "run", "--once", "--dry-run")
    assert snapshot(loaded) == before
    assert "would do" in out.stdout
    responder(env, "run", "--once")
    assert len(loaded.folder("Drafts")) > 0, "a dry run marks nothing as handled"


def test_bad_password_exits_with_one_line_reason(mailbox: Account, tmp_path: Path) -> None:
    """A refused login ends run --once non-zero with a one-line reason naming the account."""
    env = mailbox.env(tmp_path / "state", RESPONDER_IMAP_PASSWORD="wrong")
    done = responder(env, "run", "--once", check=False)
    assert done.returncode != 0
    assert done.stderr.strip().startswith("responder: error: login refused")
    assert "wrong" not in done.stderr


def test_bad_setting_names_the_setting(mailbox: Account, tmp_path: Path) -> None:
    """A wrong value fails at start with the setting's name and what is allowed."""
    env = mailbox.env(tmp_path / "state", RESPONDER_POLL_SECONDS="soon")
    done = responder(env, "run", "--once", check=False)
    assert done.returncode == 2
    assert "RESPONDER_POLL_SECONDS" in done.stderr


def test_check_resolves_folders(mailbox: Account, tmp_path: Path) -> None:
    """check logs in, lists capabilities and resolves Drafts by SPECIAL-USE."""
    done = responder(mailbox.env(tmp_path / "state"), "check")
    assert "drafts folder: Drafts" in done.stdout
    assert "IMAP4REV1" in done.stdout.upper()
    assert "candidate search in INBOX: server" in done.stdout
    assert "not checked yet: the folder is empty" in done.stdout
    mailbox.deliver(b"From: Ann <ann@example.org>\r\nMessage-ID: <1@t.example>\r\n\r\nhi\r\n")
    done = responder(mailbox.env(tmp_path / "state"), "check")
    assert "finds header fields (checked)" in done.stdout


#: Header blocks that present themselves as LinkedIn in ways a spoof might (an encoded display
#: name, a dotless i, only a Sender, only LinkedIn's own X- field), and two that do not.
SPOOF_SHAPES = [
    b"From: =?UTF-8?B?TGlua2VkSW4=?= <news@mailer.example>\r\n",
    b"From: =?UTF-8?Q?L=C4=B1nked=C4=B1n_Messages?= <x@l-mail.example>\r\n",
    b"From: Bob <bob@example.com>\r\nSender: messages-noreply@linkedin.com\r\n",
    b"From: Bob <bob@example.com>\r\nX-LinkedIn-Class: INVITE\r\n",
    b"From: \"Linked In\" <hello@l1nkedin-mail.example>\r\n",
    b"From: Ann <ann@example.org>\r\n",
    b"From: Shop <news@shop.example>\r\nSubject: LinkedIn tips\r\n",
]


def _candidates(mailbox: Account, mode: str) -> tuple[set[str], set[str], int]:
    """What one scan with RESPONDER_CANDIDATE_SEARCH=``mode`` reads whole, lists, and covers."""
    from responder.imap import ImapStore
    from responder.mailstore import looks_like_linkedin

    store = ImapStore.connect(host="127.0.0.1", port=mailbox.server.port, user=mailbox.user,
                              security="plain", ssl_context=None, timeout=10,
                              password=lambda: PASSWORD, candidates=mode)
    try:
        scan = store.scan("INBOX", None, None)
        assert scan is not None
        wanted = {h.ref for h in store.headers(scan.refs) if looks_like_linkedin(h.header)}
        return wanted, {ref for ref, _ in scan.refs}, scan.upto
    finally:
        store.close()


def _deliver_candidates(mailbox: Account) -> int:
    """Deliver the corpus mail and the spoof shapes; return how many messages INBOX holds."""
    mailbox.deliver_all(sorted(EML_DIR.glob("*.eml")))
    for i, head in enumerate(SPOOF_SHAPES):
        mailbox.deliver(head + f"Message-ID: <shape{i}@t.example>\r\nSubject: s\r\n\r\nhi\r\n"
                        .encode())
    return len(mailbox.folder("INBOX"))


def test_server_search_finds_what_the_header_sweep_finds(mailbox: Account) -> None:
    """The server-side candidate search misses no message the sweep would read whole, and
    says how far it looked, so the watermark passes the mail it left out."""
    total = _deliver_candidates(mailbox)
    server, headers = _candidates(mailbox, "auto"), _candidates(mailbox, "headers")
    assert server[0] == headers[0]
    assert len(headers[1]) == total  # the sweep lists every message
    assert headers[2] == 0
    assert len(server[1]) < total, "the server leaves out mail that is not LinkedIn's"
    assert server[2] == total  # UIDs 1..total: it looked through the last one
    assert len(server[0]) >= len(SPOOF_SHAPES) - 2


@pytest.fixture(scope="module")
def fts_dovecot() -> Iterator[Dovecot]:
    """A second Dovecot that answers SEARCH from Debian's FTS plugin (fts-xapian, enforced)."""
    with running("responder-dovecot-fts-", FTS_XAPIAN) as server:
        yield server


def test_auto_sweeps_headers_where_a_search_index_leaves_fields_out(
    fts_dovecot: Dovecot, captured_log: io.StringIO, tmp_path: Path
) -> None:
    """Dovecot with fts-xapian and fts_enforced misses the Sender-only and X-LinkedIn-only
    spoofs in its SEARCH; ``auto`` notices before its first search, says so, and sweeps;
    ``check`` tells the user."""
    mailbox = fts_dovecot.account(1)
    total = _deliver_candidates(mailbox)
    forced, auto, headers = (_candidates(mailbox, mode) for mode in ("server", "auto", "headers"))
    assert "FTS Xapian" in (fts_dovecot.root / "dovecot.log").read_text()  # the index answered
    assert forced[0] < headers[0], "this server's search misses spoofs the sweep reads"
    assert auto == headers
    assert len(auto[1]) == total
    assert auto[2] == 0
    assert "RESPONDER_CANDIDATE_SEARCH=headers" in captured_log.getvalue()
    done = responder(mailbox.env(tmp_path / "state"), "check")
    assert "candidate search in INBOX: headers" in done.stdout
    assert "missed a header field" in done.stdout


@pytest.mark.parametrize("with_mail", [True, False])
def test_bad_patterns_file_exits_2_and_changes_nothing(
    mailbox: Account, tmp_path: Path, with_mail: bool
) -> None:
    """The classifier loads while the pass connects, yet a bad user pattern still ends
    run --once with exit 2 and the file and line, before any message is touched."""
    if with_mail:
        mailbox.deliver_all(sorted(EML_DIR.glob("*.eml")))
    patterns = tmp_path / "mine.jsonl"
    patterns.write_text('{"id": "mine.ok", "label": "pitch", "pattern": [{"LOWER": "demo"}]}\n'
                        '{"id": "mine.bad", "label": "pitch", "pattern": [{"LOWERR": "x"}]}\n')
    before = snapshot(mailbox)
    env = mailbox.env(tmp_path / "state", RESPONDER_PATTERNS_FILE=str(patterns))
    done = responder(env, "run", "--once", check=False)
    assert done.returncode == 2, done.stderr
    assert "mine.jsonl:2" in done.stderr
    assert snapshot(mailbox) == before
