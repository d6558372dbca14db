"""The review loop against a real Dovecot: a pass drafts and files, the test plays the user in a
mail client, and the next pass records each thing the user did exactly once, learns per-person
overrides from it, and ``responder report`` shows it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EML_DIR
from tests.dovecot import Account
from tests.test_pass_imap import parse, responder

pytestmark = pytest.mark.imap

GENUINE = "01-invitation-genuine.eml"
SPEAKER = "10-inmail-genuine-speaker.eml"
ZERO_WIDTH = "31-invitation-zero-width.eml"
RECRUITER = "03-invitation-recruiter.eml"
JOB_ALERT = "14-job-alert.eml"
PROFILE_VIEWS = "16-profile-views.eml"


def message_id(name: str) -> str:
    return str(parse((EML_DIR / name).read_bytes())["Message-ID"]).strip()


def uid_of(mailbox: Account, folder: str, pred: Any) -> tuple[int, bytes]:
    """The one message of ``folder`` for which ``pred(parsed message)`` holds."""
    hits = [(uid, row[b"BODY[]"]) for uid, row in mailbox.folder(folder).items()
            if pred(parse(row[b"BODY[]"]))]
    assert len(hits) == 1, f"{len(hits)} matches in {folder}"
    uid, raw = hits[0]
    assert isinstance(raw, bytes)
    return uid, raw


def draft_for(mailbox: Account, name: str) -> tuple[int, bytes]:
    return uid_of(mailbox, "Drafts", lambda m: m["In-Reply-To"] == message_id(name))


def delete(mailbox: Account, folder: str, uid: int) -> None:
    with mailbox.client() as c:
        c.select_folder(folder)
        c.delete_messages([uid])
        c.uid_expunge([uid])


def send(mailbox: Account, folder: str, uid: int, raw: bytes) -> None:
    """What a mail client does on Send: the message lands in Sent, the draft leaves Drafts."""
    with mailbox.client() as c:
        c.append("Sent", raw, flags=[b"\\Seen"])
    delete(mailbox, folder, uid)


def move(mailbox: Account, uid: int, source: str, target: str) -> None:
    with mailbox.client() as c:
        c.select_folder(source)
        c.move([uid], target)


def reply_to(name: str, text: str) -> bytes:
    """A reply the user wrote themself in their mail client."""
    parent = message_id(name)
    return (
        "From: Dana Reyes <dana@example.org>\r\nTo: someone@example.net\r\n"
        f"Subject: Re: hello\r\nMessage-ID: <own.{abs(hash(name))}@example.org>\r\n"
        f"In-Reply-To: {parent}\r\nReferences: {parent}\r\n"
        "Date: Thu, 26 Nov 2026 07:00:00 +0000\r\n\r\n"
        f"{text}\r\n"
    ).encode()


def again(name: str, new_id: str) -> bytes:
    """The same person writing again: the notification with a new Message-ID."""
    raw = (EML_DIR / name).read_bytes()
    old = message_id(name).encode()
    assert raw.count(old) == 1
    return raw.replace(old, f"<{new_id}@example.linkedin.com>".encode())


def signals(state: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(state / "state.sqlite3")
    rows = db.execute("SELECT subject, kind, label, patterns, action, person, detail "
                      "FROM signals ORDER BY id").fetchall()
    db.close()
    keys = ("subject", "kind", "label", "patterns", "action", "person", "detail")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def outcome(state: Path, name: str) -> Mapping[str, Any]:
    db = sqlite3.connect(state / "state.sqlite3")
    row = db.execute("SELECT label, patterns, action, person FROM outcomes WHERE message_id=? "
                     "AND status='done' ORDER BY id DESC LIMIT 1", (message_id(name),)).fetchone()
    db.close()
    assert row is not None, name
    return dict(zip(("label", "patterns", "action", "person"), row, strict=True))


@pytest.fixture
def reviewed(mailbox: Account, tmp_path: Path) -> tuple[Account, dict[str, str]]:
    """A first pass over the corpus, then the user's review of its work, then a second pass."""
    mailbox.deliver_all(sorted(EML_DIR.glob("*.eml")))
    env = mailbox.env(tmp_path / "state", RESPONDER_DISCARD_GRACE_DAYS="0",
                      RESPONDER_REPLY_VIA_LINKEDIN_RELAY="true", RESPONDER_REPLY_ONCE_DAYS="0")
    responder(env, "run", "--once")

    uid, raw = draft_for(mailbox, GENUINE)
    send(mailbox, "Drafts", uid, raw)  # sent exactly as drafted
    uid, raw = draft_for(mailbox, ZERO_WIDTH)
    edited = raw.replace(b"Best,", b"Looking forward to it, and thanks for the dashboard.\r\n"
                                   b"\r\nBest,")
    assert edited != raw
    send(mailbox, "Drafts", uid, edited)  # sent after an edit
    uid, _ = draft_for(mailbox, SPEAKER)
    delete(mailbox, "Drafts", uid)  # discarded (it had an email address: the relay)
    uid, _ = uid_of(mailbox, "LinkedIn/Ignored",
                    lambda m: m["Message-ID"] == message_id(RECRUITER))
    move(mailbox, uid, "LinkedIn/Ignored", "INBOX")  # rescued
    # answered, by a reply the user wrote in their client:
    mailbox.deliver(reply_to(JOB_ALERT, "Thanks, I have applied."), folder="Sent")
    uid, _ = uid_of(mailbox, "INBOX", lambda m: m["Message-ID"] == message_id(PROFILE_VIEWS))
    with mailbox.client() as c:  # answered (\Answered flag, as clients set on reply)
        c.select_folder("INBOX")
        c.add_flags([uid], [b"\\Answered"])

    responder(env, "run", "--once")
    return mailbox, env


def test_next_pass_records_each_review_action_once(
    reviewed: tuple[Account, dict[str, str]], tmp_path: Path
) -> None:
    """Sent as is, sent edited, discarded, rescued and answered: one signal each, with the
    label and winning patterns of the decision; more passes add none."""
    mailbox, env = reviewed
    state = tmp_path / "state"
    got = {s["subject"]: s for s in signals(state)}
    want = {
        GENUINE: "sent_as_is",
        ZERO_WIDTH: "sent_edited",
        SPEAKER: "discarded",
        RECRUITER: "rescued",
        JOB_ALERT: "answered",
        PROFILE_VIEWS: "answered",
    }
    assert {k: got[message_id(k)]["kind"] for k in want if message_id(k) in got} == want
    assert len(got) == len(want)
    for name in want:
        s, o = got[message_id(name)], outcome(state, name)
        assert (s["label"], s["patterns"], s["action"], s["person"]) == (
            o["label"], o["patterns"], o["action"], o["person"])
    assert json.loads(got[message_id(RECRUITER)]["patterns"]), "recruiter won by a pattern"
    assert "changed" in got[message_id(ZERO_WIDTH)]["detail"]

    responder(env, "run", "--once")
    responder(env, "run", "--once")
    assert len(signals(state)) == len(want)
    # The rescued mail stays where the user put it.
    assert uid_of(mailbox, "INBOX", lambda m: m["Message-ID"] == message_id(RECRUITER))


def test_report_json_shows_the_review(
    reviewed: tuple[Account, dict[str, str]], tmp_path: Path
) -> None:
    """report --json counts the verdicts per label and estimates agreement from them."""
    _mailbox, env = reviewed
    out = json.loads(responder(env, "report", "--json", "--since", "30d").stdout)
    labels = out["labels"]
    genuine = labels["genuine"]
    assert genuine["sent_as_is"] == 1
    assert genuine["sent_edited"] == 1
    assert genuine["discarded"] == 1
    assert genuine["precision"] == pytest.approx(2 / 3, abs=0.001)
    filed_as = outcome(tmp_path / "state", RECRUITER)["label"]
    assert labels[filed_as]["rescued"] == 1
    assert labels[filed_as]["filed"] >= 1
    assert labels["-"]["answered"] == 2, "notifications with no ask are shown as -"
    assert out["totals"]["answered"] == 2
    assert out["signals"] == 6
    assert any("agreed" in line for line in out["verdict"])
    text = responder(env, "report").stdout
    assert "genuine" in text
    assert "asks per week" in text
    page = tmp_path / "report.html"
    responder(env, "report", "--html", str(page))
    body = page.read_text()
    assert "<svg" in body
    assert "genuine" in body
    assert "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_overrides_change_the_next_decision(
    reviewed: tuple[Account, dict[str, str]], tmp_path: Path
) -> None:
    """The rescued sender is drafted next time, the discarded draft's sender filed; removing
    an override restores the label's own action."""
    mailbox, env = reviewed
    state = tmp_path / "state"
    listed = json.loads(responder(env, "overrides", "--json").stdout)
    by_person = {o["person"]: o["action"] for o in listed}
    recruiter = outcome(state, RECRUITER)["person"]
    speaker = outcome(state, SPEAKER)["person"]
    assert by_person == {recruiter: "draft", speaker: "file"}

    mailbox.deliver(again(RECRUITER, "again-1"))
    mailbox.deliver(again(SPEAKER, "again-2"))
    responder(env, "run", "--once")
    assert uid_of(mailbox, "Drafts",
                  lambda m: m["In-Reply-To"] == "<again-1@example.linkedin.com>")
    assert uid_of(mailbox, "LinkedIn/Ignored",
                  lambda m: m["Message-ID"] == "<again-2@example.linkedin.com>")

    done = responder(env, "overrides", "--remove", recruiter)
    assert "removed" in done.stdout
    mailbox.deliver(again(RECRUITER, "again-3"))
    responder(env, "run", "--once")
    assert uid_of(mailbox, "LinkedIn/Ignored",
                  lambda m: m["Message-ID"] == "<again-3@example.linkedin.com>")
    assert responder(env, "overrides", "--remove", recruiter, check=False).returncode == 1


def test_a_quiet_pass_costs_a_few_round_trips(mailbox: Account, tmp_path: Path) -> None:
    """With drafts and filings awaiting a verdict and nothing changed, a pass is a few STATUS
    commands: Sent, Drafts and the inbox for the feedback loop (and the scan's own)."""
    from responder.config import load_settings
    from responder.imap import ImapStore
    from responder.pipeline import Engine, Pass
    from responder.runner import open_store
    from responder.state import StateStore

    mailbox.deliver_all([EML_DIR / GENUINE, EML_DIR / RECRUITER, EML_DIR / JOB_ALERT])
    settings = load_settings(None, mailbox.env(tmp_path / "state"))
    engine = Engine.build(settings)
    state = StateStore.open(settings.state_dir, settings.account)
    store = open_store(settings)
    assert isinstance(store, ImapStore)
    try:
        first = Pass(store, state, engine).run()
        assert first.summary.counts == {"draft": 1, "file": 1, "leave": 1}
        Pass(store, state, engine).run()  # Drafts changed (the new draft): listed once

        imap = store._client._imap
        sent: list[bytes] = []
        real_send = imap.send

        def send(data: bytes) -> None:
            sent.append(data)
            real_send(data)

        imap.send = send
        quiet = Pass(store, state, engine).run()
        imap.send = real_send
    finally:
        store.close()
        state.close()
    commands = [line.split(b" ", 2)[1].upper() for line in sent if line[:1].isalnum()]
    assert quiet.summary.counts == {}
    assert set(commands) == {b"STATUS"}, commands  # no LIST, SELECT, SEARCH or FETCH
    assert len(commands) <= 4, commands  # Sent, Drafts, the inbox (and the scan's own)


def test_the_loop_works_on_a_maildir_too(tmp_path: Path) -> None:
    """A mail client on a Maildir: a draft moved to .Sent is sent as is, a filed message
    renamed back into the inbox is rescued."""
    from responder.maildir import folder_path, make_folder

    root = tmp_path / "Maildir"
    make_folder(root)
    for name in (GENUINE, RECRUITER):
        (root / "new" / f"{name}.x").write_bytes((EML_DIR / name).read_bytes())
    env = {
        "RESPONDER_MAILDIR": str(root),
        "RESPONDER_STATE_DIR": str(tmp_path / "state"),
        "RESPONDER_AUTHSERV_ID": "mx.example.org",
        "RESPONDER_FROM_NAME": "Dana Reyes",
        "RESPONDER_FROM_ADDRESS": "dana@example.org",
        "RESPONDER_PHONE": "+1 555 0100",
        "RESPONDER_SINCE_DAYS": "36500",
    }
    make_folder(folder_path(root, "Sent"))
    responder(env, "run", "--once")

    drafts = list((folder_path(root, "Drafts") / "cur").iterdir())
    assert len(drafts) == 1
    drafts[0].rename(folder_path(root, "Sent") / "cur" / drafts[0].name)
    filed = list((folder_path(root, "LinkedIn/Ignored") / "cur").iterdir())
    assert len(filed) == 1
    filed[0].rename(root / "cur" / filed[0].name)
    responder(env, "run", "--once")
    responder(env, "run", "--once")

    kinds = sorted(s["kind"] for s in signals(tmp_path / "state"))
    assert kinds == ["rescued", "sent_as_is"]
    assert (root / "cur" / filed[0].name).exists(), "the rescued message stays in the inbox"


def test_a_deleted_draft_counts_as_discarded_only_after_the_grace_period(
    tmp_path: Path,
) -> None:
    """A draft gone from Drafts is a discard only when nothing was sent within
    RESPONDER_DISCARD_GRACE_DAYS; until then it waits, and a later send still counts."""
    from datetime import UTC, datetime, timedelta

    from responder.config import load_settings
    from responder.maildir import MaildirStore, folder_path, make_folder
    from responder.pipeline import Engine, Pass
    from responder.state import StateStore

    root = tmp_path / "Maildir"
    make_folder(root)
    make_folder(folder_path(root, "Sent"))
    for name in (GENUINE, ZERO_WIDTH):
        (root / "new" / f"{name}.x").write_bytes((EML_DIR / name).read_bytes())
    settings = load_settings(None, {
        "RESPONDER_MAILDIR": str(root), "RESPONDER_STATE_DIR": str(tmp_path / "state"),
        "RESPONDER_AUTHSERV_ID": "mx.example.org", "RESPONDER_FROM_NAME": "Dana Reyes",
        "RESPONDER_FROM_ADDRESS": "dana@example.org", "RESPONDER_PHONE": "+1 555 0100",
        "RESPONDER_SINCE_DAYS": "36500", "RESPONDER_DISCARD_GRACE_DAYS": "3",
    })
    engine = Engine.build(settings)
    state = StateStore.open(settings.state_dir, settings.account)
    store = MaildirStore(root)
    t0 = datetime.now(UTC)

    def run_at(days: float) -> None:
        Pass(store, state, engine, now=lambda: t0 + timedelta(days=days)).run()

    run_at(0)
    drafts = {parse(p.read_bytes())["In-Reply-To"]: p
              for p in (folder_path(root, "Drafts") / "cur").iterdir()}
    assert len(drafts) == 2
    for path in drafts.values():
        path.unlink()  # both drafts deleted ...
    run_at(1)
    assert signals(tmp_path / "state") == []
    late = drafts[message_id(ZERO_WIDTH)]
    (folder_path(root, "Sent") / "cur" / "late:2,S").write_bytes(
        reply_to(ZERO_WIDTH, "Sorry for the slow answer: happy to talk."))  # ... one answered
    run_at(2)
    assert [s["kind"] for s in signals(tmp_path / "state")] == ["sent_edited"]
    run_at(3.5)  # the grace period runs from the pass that first saw the draft gone (day 1)
    assert len(signals(tmp_path / "state")) == 1
    run_at(4.5)
    run_at(5)
    state.close()
    got = {s["subject"]: s["kind"] for s in signals(tmp_path / "state")}
    assert got == {message_id(ZERO_WIDTH): "sent_edited", message_id(GENUINE): "discarded"}
    assert not late.exists()


def test_an_override_never_drafts_scam_nor_beats_a_safety_rule() -> None:
    """decide() takes the override after every safety rule; scam is never drafted."""
    from responder.decide import Policy, decide
    from responder.models import Classification, Notification

    n = Notification(linkedin=True, authentic=True, kind="invitation", has_ask=True,
                     ask_text="hello")
    policy = Policy()
    recruiter = Classification("recruiter", (), "recruiter scored 1", {}, "en")
    scam = Classification("scam", (), "scam scored 1", {}, "en")
    genuine = Classification("genuine", (), "genuine scored 1", {}, "en")
    assert decide(n, recruiter, policy, override="draft").action == "draft"
    assert "override" in decide(n, recruiter, policy, override="draft").reason
    assert decide(n, scam, policy, override="draft").action == "file"
    assert decide(n, genuine, policy, override="file").action == "file"
    assert decide(n, genuine, policy, override=None).action == "draft"
    spoof = Notification(linkedin=True, authentic=False, kind="invitation", has_ask=True)
    assert decide(spoof, genuine, policy, override="draft").action == "flag_suspicious"


def test_filed_mail_moved_to_a_chosen_folder_is_rescued_elsewhere_not(tmp_path: Path) -> None:
    """A filed message the user moves to one of RESPONDER_RESCUE_FOLDERS is rescued; moved to
    any other folder (say, a trash) it is not."""
    from responder.config import load_settings
    from responder.maildir import MaildirStore, folder_path, make_folder
    from responder.pipeline import Engine, Pass
    from responder.state import StateStore

    root = tmp_path / "Maildir"
    make_folder(root)
    for folder in ("Archive", "Trash"):
        make_folder(folder_path(root, folder))
    pitch = "07-invitation-reminder.eml"
    for name in (RECRUITER, pitch):
        (root / "new" / f"{name}.x").write_bytes((EML_DIR / name).read_bytes())
    settings = load_settings(None, {
        "RESPONDER_MAILDIR": str(root), "RESPONDER_STATE_DIR": str(tmp_path / "state"),
        "RESPONDER_AUTHSERV_ID": "mx.example.org", "RESPONDER_FROM_NAME": "Dana Reyes",
        "RESPONDER_FROM_ADDRESS": "dana@example.org", "RESPONDER_PHONE": "+1 555 0100",
        "RESPONDER_SINCE_DAYS": "36500", "RESPONDER_RESCUE_FOLDERS": "Archive",
    })
    engine = Engine.build(settings)
    state = StateStore.open(settings.state_dir, settings.account)
    store = MaildirStore(root)
    Pass(store, state, engine).run()
    filed = {parse(p.read_bytes())["Message-ID"]: p
             for p in (folder_path(root, "LinkedIn/Ignored") / "cur").iterdir()}
    assert set(filed) == {message_id(RECRUITER), message_id(pitch)}
    kept = filed[message_id(RECRUITER)]
    kept.rename(folder_path(root, "Archive") / "cur" / kept.name)
    binned = filed[message_id(pitch)]
    binned.rename(folder_path(root, "Trash") / "cur" / binned.name)
    Pass(store, state, engine).run()
    state.close()
    got = signals(tmp_path / "state")
    assert [(s["subject"], s["kind"], s["detail"]) for s in got] == [
        (message_id(RECRUITER), "rescued", "you moved it back to Archive")]
