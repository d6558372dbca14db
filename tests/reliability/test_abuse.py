"""Hostile and odd input through real passes on Dovecot: loops, spoofs, injection, size, secrets.

Each group goes into one fresh mailbox together with control invitations that must be drafted
(so a group that yields no draft proves the guard, not a broken pipeline). The drafts that land
in Dovecot are fetched back and inspected.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import resource
import subprocess
import sys
import threading
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path

import pytest

from responder.logs import plain_blob, secret_forms, xoauth2_blob
from responder.runner import Runner
from responder.state import StateStore
from tests.dovecot import PASSWORD, Account, Dovecot
from tests.faultproxy import FaultProxy
from tests.reliability import harness
from tests.reliability.conftest import Ledger, Reference, new_account

pytestmark = pytest.mark.imap

FIXTURES = Path(__file__).parents[1] / "fixtures" / "eml"
CORPUS = Path(__file__).parents[1] / "corpus" / "eml"
#: Addresses a draft must never be addressed to (reliability.md I.3).
BAD_TO = re.compile(r"(^|[<\s])(no-?reply|do-?not-?reply|mailer-daemon|postmaster|owner-|"
                    r"[^@\s]*-request@|[^@\s]*-noreply@|inmail-hit-reply@|dana@example\.org)",
                    re.I)


def _deliver(account: Account, mails: Mapping[str, bytes]) -> dict[str, str]:
    """Deliver each mail; return {Message-ID: case name}."""
    ids = {}
    with account.client() as c:
        for case, raw in mails.items():
            c.append("INBOX", raw)
            ids[harness.message_id_of(raw)] = case
    return ids


def _pass(account: Account, reference: Reference, tmp: Path, **extra: str) -> None:
    settings = harness.settings_for(account, tmp, RESPONDER_REPLY_ONCE_DAYS="0", **extra)
    harness.run_until_done(settings, reference.engine)


def _controls(n: int = 2) -> dict[str, bytes]:
    return {f"control {i}": harness.invitation().as_bytes() for i in range(n)}


def _drafts_by_parent(account: Account) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for raw in harness.raw_drafts_in(account):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        out.setdefault(str(msg["In-Reply-To"]), []).append(raw)
    return out


def _unanswered(account: Account, ids: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Return (bad cases that got a draft, controls that did not)."""
    drafted = _drafts_by_parent(account)
    answered = [case for mid, case in ids.items()
                if mid in drafted and not case.startswith("control")]
    missing = [case for mid, case in ids.items()
               if case.startswith("control") and mid not in drafted]
    return answered, missing


# -- loops and bulk ------------------------------------------------------------------------------


def _bounce() -> bytes:
    inner = harness.invitation().as_bytes()
    return (
        b"Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        b"To: dana@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.example.org>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; x@linkedin.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n"
    )


def loop_cases() -> dict[str, bytes]:
    inv = harness.invitation
    h = "headers"
    cases: dict[str, EmailMessage | bytes] = {
        "Auto-Submitted: auto-replied": inv(**{h: {"Auto-Submitted": "auto-replied"}}),
        "Auto-Submitted: auto-generated": inv(**{h: {"Auto-Submitted": "auto-generated"}}),
        "Auto-Submitted with a comment": inv(**{h: {"Auto-Submitted":
                                                    "auto-replied (vacation)"}}),
        "AUTO-SUBMITTED upper case": inv(**{h: {"AUTO-SUBMITTED": "AUTO-REPLIED"}}),
        "Auto-Submitted empty": harness.raw_invitation(raw_headers={"Auto-Submitted": b""}),
        "Auto-Submitted no + auto-generated": harness.raw_invitation(
            raw_headers={"Auto-Submitted": b"no"}) .replace(
            b"Auto-Submitted: no", b"Auto-Submitted: no\r\nAuto-Submitted: auto-generated"),
        "X-Auto-Response-Suppress: All": inv(**{h: {"X-Auto-Response-Suppress": "All"}}),
        "X-Auto-Response-Suppress: DR, OOF": inv(**{h: {"X-Auto-Response-Suppress":
                                                       "DR, OOF,\tRN"}}),
        "Return-Path <>": inv(drop=("Return-Path",), **{h: {"Return-Path": "<>"}}),
        "Return-Path < >": harness.raw_invitation(drop=("Return-Path",),
                                                  raw_headers={"Return-Path": b"< >"}),
        "Return-Path MAILER-DAEMON": inv(drop=("Return-Path",),
                                         **{h: {"Return-Path": "<MAILER-DAEMON@linkedin.com>"}}),
        "Return-Path owner-": inv(drop=("Return-Path",),
                                  **{h: {"Return-Path": "<owner-list@linkedin.com>"}}),
        "Return-Path -request": inv(drop=("Return-Path",),
                                    **{h: {"Return-Path": "<list-request@linkedin.com>"}}),
        "From MAILER-DAEMON": inv(from_addr="MAILER-DAEMON@linkedin.com"),
        "List-Id (mailing-list redistribution)": inv(**{h: {"List-Id":
                                                            "<friends.lists.example.com>"}}),
        "List-Post": inv(**{h: {"List-Post": "<mailto:friends@lists.example.com>"}}),
        "bounce report carrying an invitation": _bounce(),
        "responder's own draft header": inv(**{h: {"X-Responder-Draft": "1"}}),
        "the user's own mail": inv(name="Dana Reyes", from_addr="dana@example.org"),
        "no-reply address in the note": inv(note=harness.GENUINE_NOTE
                                            + " Write to noreply@example.com please."),
        "MAILER-DAEMON address in the note": inv(note=harness.GENUINE_NOTE
                                                 + " Mail me: mailer-daemon@example.com"),
        "-request address in the note": inv(note=harness.GENUINE_NOTE
                                            + " Reach me at team-request@example.com"),
        "own address in the note": inv(note=harness.GENUINE_NOTE + " or dana@example.org"),
    }
    return {k: v if isinstance(v, bytes) else v.as_bytes() for k, v in cases.items()}


def test_loops_and_bulk_never_get_a_draft(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    account = new_account(dovecot)
    cases = loop_cases()
    ids = _deliver(account, {**cases, **_controls()})
    _pass(account, reference, tmp_path / "s1")
    # One of our drafts, copied back into INBOX (a sent copy bounced or quoted back).
    own = harness.raw_drafts_in(account)
    assert own, "the controls must have been drafted"
    ids.update(_deliver(account, {"responder's own draft, delivered back": own[0]}))
    _pass(account, reference, tmp_path / "s1")
    answered, missing = _unanswered(account, ids)
    guarded = [c for c in answered if "in the note" in c]
    bad_to = [d for raws in _drafts_by_parent(account).values() for d in raws
              if BAD_TO.search(str(email.message_from_bytes(d)["To"] or ""))]
    unsafe = len([c for c in answered if c not in guarded]) + len(bad_to)
    ledger.record("loops", "automatic, bounce, list, own and system mail",
                  inputs=len(cases) + 1, unsafe=unsafe,
                  note=f"{len(guarded)} with a system address in the note drafted without it")
    assert not missing, missing
    assert [c for c in answered if c not in guarded] == []
    assert bad_to == []


# -- spoofs ------------------------------------------------------------------------------------


def spoof_cases() -> dict[str, bytes]:
    inv = harness.invitation
    ar = "Authentication-Results"

    def with_ar(value: str, **kw: object) -> EmailMessage:
        return inv(drop=(ar,), headers={ar: value}, **kw)  # type: ignore[arg-type]

    cases: dict[str, EmailMessage | bytes] = {
        "no Authentication-Results": inv(drop=(ar,)),
        "foreign authserv-id": with_ar(harness.AR_OURS.replace("mx.example.org",
                                                               "evil.example")),
        "authserv-id look-alike": with_ar(harness.AR_OURS.replace(
            "mx.example.org", "mx.example.org.evil.example")),
        "ours: dkim=fail dmarc=fail": with_ar(
            "mx.example.org; dkim=fail header.d=linkedin.com; dmarc=fail header.from=linkedin.com"),
        "ours: dkim=none": with_ar("mx.example.org; dkim=none; dmarc=none"),
        "ours: dkim=pass for evil.example": with_ar(
            "mx.example.org; dkim=pass header.d=evil.example; dmarc=none"),
        "ours: dkim=pass header.i look-alike": with_ar(
            "mx.example.org; dkim=pass header.i=@linkedin.com.evil.example"),
        "forged pass below our none": inv(drop=(ar,)).as_bytes().replace(
            b"Return-Path:", b"Authentication-Results: mx.example.org; dkim=none\r\n"
            b"Authentication-Results: " + harness.AR_OURS.encode() + b"\r\nReturn-Path:", 1),
        "from linkedin.com.evil.example": inv(from_addr="invitations@linkedin.com.evil.example"),
        "from evil-linkedin.com": inv(from_addr="invitations@evil-linkedin.com"),
        "from linked1n.com": inv(from_addr="invitations@linked1n.com"),
        "from linkedln.com": inv(from_addr="invitations@linkedln.com"),
        "from punycode look-alike": inv(from_addr="invitations@xn--lnkedin-9db.com"),
        "display-name spoof": with_ar("mx.example.org; dkim=pass header.d=evil.example; "
                                      "dmarc=pass header.from=evil.example",
                                      name="LinkedIn", from_addr="invitations@evil.example"),
        "unknown LinkedIn sender": inv(from_addr="hello@linkedin.com"),
        "unknown template": inv(headers={"X-LinkedIn-Template": "email_surprise_99"},
                                drop=("X-LinkedIn-Template",)),
        "two From fields": harness.raw_invitation(
            raw_headers={"From": b"Eve <invitations@evil.example>"}),
    }
    for kind, ctype in (("pdf", "application/pdf"), ("html", "text/html"),
                        ("exe", "application/octet-stream")):
        msg = inv()
        maintype, subtype = ctype.split("/")
        msg.add_attachment(b"MZ\x90\x00payload", maintype=maintype, subtype=subtype,
                           filename=f"invitation.{kind}")
        cases[f"attachment .{kind}"] = msg
    out = {k: v if isinstance(v, bytes) else v.as_bytes() for k, v in cases.items()}
    expected = {str(r["file"]): r for r in _jsonl(FIXTURES / "expected.jsonl")}
    for path in sorted(FIXTURES.glob("nm-*.eml")):
        if not expected[path.name]["authentic"]:
            out[f"fixture {path.name}"] = path.read_bytes()
    corpus = {str(r["file"]): r for r in _jsonl(CORPUS / "expected.jsonl")}
    for name, row in corpus.items():
        if row["linkedin"] and not row["authentic"]:
            out[f"corpus {name}"] = (CORPUS / name).read_bytes()
    return out


def _jsonl(path: Path) -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in path.read_text().splitlines() if line]


def test_spoofs_never_get_a_draft_and_are_never_moved(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    account = new_account(dovecot)
    cases = spoof_cases()
    ids = _deliver(account, {**cases, **_controls()})
    _pass(account, reference, tmp_path / "s")
    answered, missing = _unanswered(account, ids)
    state = harness.end_state(account)
    moved = [case for mid, case in ids.items()
             if not case.startswith("control") and "INBOX" not in
             [f for f, rows in state.items() for k, _ in rows if k == mid]]
    ledger.record("spoofs", "forged, look-alike, unaligned, attachments",
                  inputs=len(cases), unsafe=len(answered) + len(moved))
    assert not missing, missing
    assert answered == []
    assert moved == [], "a spoof is flagged at most, never filed away"


# -- injection ---------------------------------------------------------------------------------

NOTE_PAYLOADS = {
    "jinja expression": "{{ 7*7 }} {{ identity.phone }}",
    "jinja statement": "{% for x in range(3) %}LOOP{% endfor %}",
    "jinja sandbox escape": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "str.format fields": "{phone} {0.__class__} %(phone)s ${7*7} #{7*7}",
    "CRLF header in note": "ok\r\nBcc: evil@evil.example\r\nX-Injected: 1",
    "MIME boundary in note": "\r\n--===============0==\r\nContent-Type: text/html\r\n\r\n<b>x",
    "SMTP end of data": "line\r\n.\r\nMAIL FROM:<evil@evil.example>",
    "C0 controls and NUL": "a\x00b\x01c\x07d\x1b[31mred\x7f",
    "Unicode line separators": "a\u2028b\u2029c\u0085d\u202eevil",
}
SUBJECT_PAYLOADS = {
    "subject: encoded CRLF Bcc": b"=?utf-8?q?hi=0D=0ABcc:_evil@evil.example?=",
    "subject: doubly encoded CRLF": (
        b"=?utf-8?b?PT91dGYtOD9xP2hpPTBEPTBBQmNjOl9ldmlsQGV2aWwuZXhhbXBsZT89?="
    ),
    "subject: encoded NUL and ESC": b"=?utf-8?q?a=00b=1B[31mc?=",
    "subject: 5000 characters": b"x" * 5000,
}
NAME_PAYLOADS = {
    "name: encoded CRLF Bcc": b"=?utf-8?q?Eve=0D=0ABcc:_evil@evil.example?=",
    "name: quotes and angle brackets": b"\"Eve <evil@evil.example>, Bob\"",
    "name: template syntax": b"{{ 7*7 }} Lindqvist",
    "name: encoded NUL": b"=?utf-8?q?Os=00kar?= Lindqvist",
}


def injection_cases() -> dict[str, bytes]:
    cases: dict[str, bytes] = {}
    for case, payload in NOTE_PAYLOADS.items():
        cases[case] = harness.invitation(note=harness.GENUINE_NOTE + " " + payload).as_bytes()
    for case, value in SUBJECT_PAYLOADS.items():
        cases[case] = harness.raw_invitation(drop=("Subject",), raw_headers={"Subject": value})
    for case, value in NAME_PAYLOADS.items():
        raw = harness.raw_invitation(drop=("From",),
                                     raw_headers={"From": value + b" <invitations@linkedin.com>"})
        cases[case] = raw
    return cases


def _draft_problems(raw: bytes, baseline_names: list[str]) -> list[str]:
    problems = []
    head = raw.split(b"\r\n\r\n", 1)[0]
    if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", head):
        problems.append("control character in the header block")
    if re.search(rb"(?<!\r)\n|\r(?!\n)", raw):
        problems.append("bare CR or LF")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    names = sorted(k.lower() for k in msg if k.lower() != "to")
    if names != baseline_names:
        problems.append(f"header fields {names} differ from a plain draft's {baseline_names}")
    if len(msg.get_all("To") or []) > 1 or (msg["To"] is not None
                                             and len(msg["To"].addresses) != 1):
        problems.append("more than one recipient")
    if msg.is_multipart():
        problems.append("draft became multipart")
    body = msg.get_content() if not msg.is_multipart() else ""
    if re.search(r"(?<![\w-])49(?![\w-])|LOOPLOOP|<class", body):
        problems.append("template syntax was executed")
    if any(len(line) > 998 for line in raw.split(b"\r\n")):
        problems.append("line over 998 octets")
    return problems


def test_injection_never_adds_headers_or_parts_or_runs_templates(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    account = new_account(dovecot)
    cases = injection_cases()
    ids = _deliver(account, {**cases, **_controls(1)})
    _pass(account, reference, tmp_path / "s")
    drafted = _drafts_by_parent(account)
    control = next(drafted[m][0] for m, c in ids.items() if c.startswith("control"))
    baseline = sorted(k.lower() for k in email.message_from_bytes(
        control, policy=email.policy.default) if k.lower() != "to")
    problems: dict[str, list[str]] = {}
    inspected = 0
    for mid, case in ids.items():
        for raw in drafted.get(mid, []):
            inspected += 1
            found = _draft_problems(raw, baseline)
            if found:
                problems[case] = found
    ledger.record("injection", "CR/LF, controls and template syntax in names, subjects, notes",
                  inputs=len(cases), unsafe=len(problems),
                  note=f"{inspected - 1} drafts made from them, fetched back and inspected")
    assert problems == {}
    assert inspected - 1 >= len(cases) // 2, "most hostile inputs must still yield a draft"


# -- size and shape ----------------------------------------------------------------------------


def _linkedin_head(subject: str) -> bytes:
    msg = harness.invitation(subject=subject)
    return msg.as_bytes().split(b"\r\n\r\n", 1)[0].replace(
        b"Content-Type: text/plain; charset=\"utf-8\"", b"X-Dummy: 1")


def _multipart(parts: list[bytes], boundary: str) -> bytes:
    b = boundary.encode()
    return b"".join(b"--" + b + b"\r\n" + p + b"\r\n" for p in parts) + b"--" + b + b"--\r\n"


def size_cases() -> dict[str, bytes]:
    plain = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + harness.GENUINE_NOTE.encode()
    many = _multipart([plain] * 1000, "many")
    nested = plain
    for depth in range(400):
        nested = (f"Content-Type: multipart/mixed; boundary=\"n{depth}\"\r\n\r\n".encode()
                  + _multipart([nested], f"n{depth}"))

    def mail(subject: str, body: bytes, ctype: bytes | None = None) -> bytes:
        head = _linkedin_head(subject).replace(
            b"\r\nMIME-Version: 1.0", b"") + b"\r\nMIME-Version: 1.0"
        if ctype is not None:
            return head + b"\r\nContent-Type: " + ctype + b"\r\n\r\n" + body
        return head + b"\r\n" + body

    big_line = b"A" * (4 * 1024 * 1024)
    return {
        "25 MB mail": mail("big", b"Content-Type: text/plain\r\n\r\n"
                           + (b"x" * 998 + b"\r\n") * (25 * 1024)),
        "4 MB single line": mail("long line", b"Content-Type: text/plain\r\n\r\n" + big_line),
        "1,000 MIME parts": mail("many parts", many, b"multipart/mixed; boundary=\"many\""),
        "multiparts nested 400 deep": mail("nested", nested),
        "unknown charset": mail("charset", b"Content-Type: text/plain; charset=x-no-such"
                                b"\r\n\r\n" + harness.GENUINE_NOTE.encode("utf-16")),
        "invalid UTF-8": mail("utf8", b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
                              b"\xff\xfe\xc3\x28 " + harness.GENUINE_NOTE.encode()),
        "path as charset": mail("path", b"Content-Type: text/plain; charset=\"../../etc/pw\""
                                b"\r\n\r\nhello"),
        "broken base64": mail("b64", b"Content-Type: text/plain; charset=utf-8\r\n"
                              b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64===\r\n"),
        "100,000-character header": _linkedin_head("h") + b"\r\nX-Long: " + b"y" * 100_000
        + b"\r\n\r\nbody",
        "10,000 header fields": _linkedin_head("many headers") + b"".join(
            b"\r\nX-F%d: v" % i for i in range(10_000)) + b"\r\n\r\nbody",
        "no body, no blank line": _linkedin_head("nothing"),
    }


def test_huge_and_malformed_mail_is_bounded_and_never_answered(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    account = new_account(dovecot)
    cases = size_cases()
    ids = _deliver(account, {**cases, **_controls()})
    settings = harness.settings_for(account, tmp_path / "s", RESPONDER_REPLY_ONCE_DAYS="0")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            runner = Runner(settings=settings, engine=harness.engine_for(reference.engine,
                                                                         settings),
                            state=StateStore.open(settings.state_dir, settings.account))
            runner.run_pass(threading.Event())
            runner.close()
        except BaseException:
            code = 4
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    answered, missing = _unanswered(account, ids)
    state = harness.end_state(account)
    placed = {case: [f for f, rows in state.items() for k, _ in rows if k == mid]
              for mid, case in ids.items() if not case.startswith("control")}
    lost = [case for case, folders in placed.items() if len(folders) != 1]
    filed = sorted(case for case, folders in placed.items() if folders == [harness.IGNORED])
    store = StateStore.open(settings.state_dir, settings.account)
    errors = store.last_errors(50)
    store.close()
    grown_mb = max(0, usage.ru_maxrss - base_rss) // 1024
    ledger.record("size", "huge, many-part, deeply nested, bad charset, bad encoding",
                  inputs=len(cases), unsafe=len(answered), losses=len(lost),
                  note=f"pass child peak RSS {usage.ru_maxrss // 1024} MB; filed as invitations "
                  f"without a note: {len(filed)}")
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 0
    assert not missing, missing
    assert answered == []
    assert lost == [], "odd mail is in exactly one place"
    assert placed["25 MB mail"] == ["INBOX"], "over the size limit: never read, never moved"
    assert any("RESPONDER_MAX_MESSAGE_BYTES" in m for _, _, m in errors), errors
    assert grown_mb < 400, f"a pass over these grew the process by {grown_mb} MB"


def test_max_message_bytes_is_configurable(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    account = new_account(dovecot)
    big = harness.invitation(note=harness.GENUINE_NOTE + " " + "padding " * 40_000).as_bytes()
    ids = _deliver(account, {"300 KB invitation": big, **_controls()})
    _pass(account, reference, tmp_path / "s", RESPONDER_MAX_MESSAGE_BYTES="200000")
    answered, missing = _unanswered(account, ids)
    ledger.record("size", "RESPONDER_MAX_MESSAGE_BYTES=200000 and a 300 KB invitation",
                  inputs=1, unsafe=len(answered))
    assert not missing
    assert answered == []


# -- secrets -----------------------------------------------------------------------------------


def _cli(env: Mapping[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    return subprocess.run([sys.executable, "-m", "responder", *argv], env={**clean, **env},
                          capture_output=True, text=True, timeout=300, check=False)


def test_no_secret_in_logs_errors_status_or_state(
    dovecot: Dovecot, tmp_path: Path, ledger: Ledger
) -> None:
    """DEBUG logs of good and failing runs (password from the environment, a file or a
    command, an OAuth2 token the server refuses, a wrong password, broken connections),
    status, status --json, check and the state database never contain a secret, in any of
    its forms (as is, repr, SASL PLAIN or XOAUTH2 base64)."""
    account = new_account(dovecot)
    harness.load_backlog(account)
    wrong = "Wr0ng-Secret-Xyz"
    forms = secret_forms(PASSWORD) | {plain_blob(account.user, PASSWORD)} | secret_forms(wrong)
    forms |= {plain_blob(account.user, wrong)}
    state_dir = tmp_path / "state"
    debug = {"RESPONDER_LOG_LEVEL": "DEBUG"}
    outputs: dict[str, str] = {}

    def run(name: str, env: Mapping[str, str], *argv: str) -> None:
        done = _cli(env, *argv)
        outputs[name] = done.stdout + done.stderr

    run("pass at DEBUG", account.env(state_dir, **debug), "run", "--once", "-v")
    run("wrong password", account.env(state_dir, RESPONDER_IMAP_PASSWORD=wrong, **debug),
        "run", "--once", "-v")
    for trigger, action in ((b"LOGIN", "drop"), (b"BODY.PEEK[]", "reset"), (b"APPEND", "cut")):
        other = new_account(dovecot)
        harness.load_backlog(other)
        with FaultProxy(dovecot.port, trigger=trigger, action=action) as proxy:
            env = other.env(tmp_path / f"s-{action}", RESPONDER_IMAP_PORT=str(proxy.port),
                            RESPONDER_IMAP_TIMEOUT="2", **debug)
            run(f"{action} during {trigger.decode()}", env, "run", "--once", "-v")
            run(f"check after {action}", env, "check")
    token = "ya29.Tok3n-Secret-Abc"
    forms |= secret_forms(token) | {xoauth2_blob(account.user, token)}
    without_password = {k: v for k, v in account.env(state_dir, **debug).items()
                        if k != "RESPONDER_IMAP_PASSWORD"}
    run("OAuth2 token refused", {**without_password,
                                 "RESPONDER_IMAP_OAUTH2_TOKEN_CMD": f"/bin/echo {token}"},
        "run", "--once", "-v")
    secret_file = tmp_path / "password"
    secret_file.write_text(PASSWORD + "\n")
    secret_file.chmod(0o600)
    run("password from a file", {**without_password,
                                 "RESPONDER_IMAP_PASSWORD_FILE": str(secret_file)},
        "run", "--once", "-v")
    run("password from a command", {**without_password,
                                    "RESPONDER_IMAP_PASSWORD_CMD": f"/bin/cat {secret_file}"},
        "run", "--once", "-v")
    run("password command failing", {**without_password,
                                     "RESPONDER_IMAP_PASSWORD_CMD": f"/bin/false {PASSWORD}"},
        "run", "--once", "-v")
    run("status", account.env(state_dir), "status")
    run("status --json", account.env(state_dir), "status", "--json")
    run("check", account.env(state_dir, **debug), "check")
    for path in state_dir.iterdir():
        if path.is_file():
            outputs[f"state file {path.name}"] = path.read_bytes().decode("latin-1")
    leaks = sorted({name for name, text in outputs.items() for f in forms if f in text})
    ledger.record("secrets", "DEBUG runs, failures, status, check, state files",
                  inputs=len(outputs), unsafe=len(leaks))
    assert "login refused" in outputs["wrong password"]
    assert leaks == []
