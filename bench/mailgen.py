"""Generate big, realistic mailboxes quickly, as Maildir files written straight to disk.

LinkedIn mail is the development corpus (tests/corpus/eml) varied per copy: a unique
Message-ID and a unique person (the profile or thread link, so the once-per-person rule never
merges two asks). Every copy keeps the expected action of its original (expected.jsonl), so
the drafts and filed mail a pass must produce are known in advance. Other mail is synthetic:
personal mail, mailing lists, receipts and newsletters with text and HTML parts, a few with a
PDF attachment, of realistic and varied sizes.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "eml"
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

WORDS = (  # noqa: SIM905
    "the a of to and in for on with that this is was we you it be are at as our from by "
    "meeting schedule invoice quarter report pipeline kafka deploy weekend trip dinner "
    "project review draft budget update release notes customer order shipment team lunch "
    "please thanks regards tomorrow friday monday agenda minutes photos family school garden "
    "holiday flight hotel booking receipt payment account statement newsletter community "
    "event ticket conference talk slides data cluster consumer producer lag"
).split()


@dataclass(frozen=True)
class Template:
    """One corpus mail and what a pass must do with it."""

    name: str
    raw: bytes
    action: str  # what responder's own one-file path (``classify --json``) says
    labelled: str  # what the corpus labels (expected.jsonl) say
    token: str | None  # the part of the person link varied per copy, or None


@dataclass
class Mailbox:
    """What was generated: files on disk and the expected outcome of a full pass."""

    path: Path
    total: int = 0
    linkedin: int = 0
    linkedin_bytes: int = 0
    total_bytes: int = 0
    #: Message-ID -> expected action ("draft", "file", "leave", "flag_suspicious").
    expected: dict[str, str] = field(default_factory=dict)

    def ids(self, action: str) -> set[str]:
        """Return the Message-IDs whose expected action is ``action``."""
        return {m for m, a in self.expected.items() if a == action}

    def save(self, path: Path) -> None:
        """Write the expected outcome as JSON (the floor script reads it)."""
        data = {"total": self.total, "linkedin": self.linkedin,
                "linkedin_bytes": self.linkedin_bytes, "total_bytes": self.total_bytes,
                "expected": self.expected}
        path.write_text(json.dumps(data))


def _person_token(raw: bytes) -> str | None:
    """Return the last segment of the link the once-per-person rule keys on, if any."""
    from responder.parse import read_mail
    from responder.pipeline import person_key

    key = person_key(read_mail(raw, authserv_id="mx.example.org"))
    if key is None or not key.startswith("http"):
        return None
    return key.rstrip("/").rsplit("/", 1)[1].rstrip("=")


def reference_actions() -> dict[str, str]:
    """Return {file: action} for the corpus by the slow, simple path: one file at a time.

    ``responder classify --json`` reads, classifies and decides each .eml on its own, with no
    IMAP, batching or state, so a pass over copies of these files must agree with it.
    """
    files = sorted(str(p) for p in CORPUS.glob("*.eml"))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")},
           "RESPONDER_AUTHSERV_ID": "mx.example.org"}
    done = subprocess.run([sys.executable, "-m", "responder", "classify", "--json", *files],
                          env=env, capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {str(r["file"]): str(r["action"]) for r in rows}


_TEMPLATES: list[Template] = []


def load_templates() -> list[Template]:
    """Return the LinkedIn-looking corpus mails with their expected actions."""
    if _TEMPLATES:
        return _TEMPLATES
    rows = [json.loads(line) for line in (CORPUS / "expected.jsonl").read_text().splitlines()]
    reference = reference_actions()
    for row in rows:
        if not row["linkedin"]:
            continue
        raw = (CORPUS / row["file"]).read_bytes()
        _TEMPLATES.append(Template(row["file"], raw, reference[row["file"]],
                                   row["expected_action"], _person_token(raw)))
    return _TEMPLATES


def _code(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "".join(chars)


def _soft_pattern(text: str) -> re.Pattern[bytes]:
    """Match ``text`` even where quoted-printable soft line breaks split it."""
    return re.compile(rb"(?:=\r?\n)?".join(re.escape(c.encode()) for c in text), re.IGNORECASE)


def _replace_token(raw: bytes, token: str, new: str) -> bytes:
    """Replace every occurrence of ``token`` by ``new`` (same length), keeping soft breaks."""

    def swap(match: re.Match[bytes]) -> bytes:
        chars = iter(new.encode())
        out = bytearray()
        i = 0
        found = match.group(0)
        while i < len(found):
            if found[i : i + 1] == b"=":
                end = found.index(b"\n", i) + 1
                out += found[i:end]
                i = end
            else:
                out.append(next(chars))
                i += 1
        return bytes(out)

    return _soft_pattern(token).sub(swap, raw)


_MESSAGE_ID = re.compile(rb"^(Message-ID:[ \t]*<)([^>]*)(>)", re.IGNORECASE | re.MULTILINE)


def vary(template: Template, n: int) -> tuple[bytes, str]:
    """Return copy ``n`` of a template and its Message-ID."""
    raw = template.raw
    if template.token and len(template.token) >= 6:
        token = template.token
        raw = _replace_token(raw, token, token[:-4] + _code(n, 4))
    match = _MESSAGE_ID.search(raw)
    assert match is not None, template.name
    message_id = b"<bench" + str(n).encode() + b"." + match.group(2) + b">"
    raw = raw[: match.start(2) - 1] + message_id + raw[match.end(3) :]
    return raw, message_id.decode()


def _pool(rng: random.Random, size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14)))
        out.append(line.capitalize() + ".")
        length += len(line) + 2
    return "\n".join(out)


_TEXT = _pool(random.Random(1), 200_000)
_BLOB = base64.encodebytes(random.Random(2).randbytes(260_000)).decode()


def _paragraphs(rng: random.Random, size: int) -> str:
    """Return about ``size`` characters of text cut from a shared pool at line starts."""
    start = _TEXT.find("\n", rng.randrange(len(_TEXT) - size - 1)) + 1
    end = _TEXT.find("\n", start + size)
    return _TEXT[start : end if end > 0 else None]


def other_mail(rng: random.Random, n: int, when: datetime) -> bytes:
    """Return one ordinary (non-LinkedIn) message of realistic shape and size."""
    kind = rng.choices(["personal", "list", "receipt", "newsletter"], [3, 3, 1, 3])[0]
    sender = {
        "personal": f"Friend {n % 977} <friend{n % 977}@mail.example.net>",
        "list": "dev-list <dev-list@lists.example.org>",
        "receipt": "Shop <orders@shop.example.com>",
        "newsletter": f"News {n % 31} <news{n % 31}@news.example.com>",
    }[kind]
    size = int(min(60_000, rng.lognormvariate(8.0, 0.8)))  # median about 3 KB
    text = _paragraphs(rng, size)
    headers = (
        f"Return-Path: <bounce-{n}@example.net>\r\n"
        f"Received: from mx{n % 7}.example.net (mx{n % 7}.example.net [192.0.2.{n % 250}])\r\n"
        f"\tby mx.example.org (Postfix) with ESMTPS id {n:010X}\r\n"
        f"\tfor <dana@example.org>; {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        "Authentication-Results: mx.example.org;\r\n"
        "\tdkim=pass header.d=example.net; spf=pass smtp.mailfrom=example.net\r\n"
        f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"From: {sender}\r\n"
        "To: Dana Reyes <dana@example.org>\r\n"
        f"Subject: {' '.join(rng.choice(WORDS) for _ in range(5)).capitalize()}\r\n"
        f"Message-ID: <other{n}.{rng.getrandbits(40):x}@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    if kind == "list":
        headers += "List-Id: <dev-list.lists.example.org>\r\nPrecedence: list\r\n"
    if kind in ("personal", "list") and rng.random() > 0.03:
        return (headers + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                + text.replace("\n", "\r\n") + "\r\n").encode()
    boundary = f"b{n}x{rng.getrandbits(32):x}"
    parts = [
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text.replace("\n", "\r\n"),
        "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>"
        + text.replace("\n", "</p>\r\n<p>") + "</p></body></html>",
    ]
    if kind == "personal" or rng.random() < 0.03:
        offset = rng.randrange(0, 76 * 500, 77)
        blob = _BLOB[offset : offset + 77 * (rng.randint(30_000, 250_000) // 57)]
        parts.append("Content-Type: application/pdf; name=scan.pdf\r\n"
                     "Content-Transfer-Encoding: base64\r\n"
                     "Content-Disposition: attachment; filename=scan.pdf\r\n\r\n"
                     + blob.replace("\n", "\r\n"))
    body = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts) + f"--{boundary}--\r\n"
    return (headers + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            + body).encode()


def _plan(total: int, linkedin: int, rng: random.Random) -> Iterator[bool]:
    """Yield, per message in arrival order, whether it is LinkedIn mail (evenly spread)."""
    positions = set(rng.sample(range(total), linkedin))
    for i in range(total):
        yield i in positions


def generate(
    maildir: Path, *, total: int, linkedin: int, seed: int = 6, start_n: int = 0,
    days: int = 60,
) -> Mailbox:
    """Write ``total`` messages (``linkedin`` of them LinkedIn mail) into ``maildir``/cur.

    Arrival times spread over the last ``days`` days (file modification time, which Dovecot
    takes as INTERNALDATE). LinkedIn mail arrives unread, most other mail read.
    """
    rng = random.Random(seed)
    templates = load_templates()
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    box = Mailbox(maildir)
    now = datetime.now(UTC)
    start = now - timedelta(days=days)
    step = (now - start) / max(total, 1)
    for i, is_linkedin in enumerate(_plan(total, linkedin, rng)):
        n = start_n + i
        when = start + step * i
        if is_linkedin:
            template = templates[n % len(templates)]
            raw, message_id = vary(template, n)
            box.expected[message_id] = template.action
            box.linkedin += 1
            box.linkedin_bytes += len(raw)
            flags = ""
        else:
            raw = other_mail(rng, n, when)
            flags = "S" if rng.random() < 0.9 else ""
        stamp = int(when.timestamp())
        path = maildir / "cur" / f"{stamp}.M{n}P{os.getpid()}.bench,S={len(raw)}:2,{flags}"
        path.write_bytes(raw)
        os.utime(path, (stamp, stamp))
        box.total += 1
        box.total_bytes += len(raw)
    return box


def check_templates() -> None:
    """Fail loudly when a varied copy would read differently from its original."""
    from responder.parse import read_mail
    from responder.pipeline import person_key

    for template in load_templates():
        a, id_a = vary(template, 1)
        b, id_b = vary(template, 2)
        na = read_mail(a, authserv_id="mx.example.org")
        nb = read_mail(b, authserv_id="mx.example.org")
        orig = read_mail(template.raw, authserv_id="mx.example.org")
        assert na.message_id == id_a, template.name
        assert nb.message_id == id_b, template.name
        assert (na.kind, na.authentic, na.ask_text) == (orig.kind, orig.authentic,
                                                       orig.ask_text), template.name
        if template.action == "draft":
            assert person_key(na) != person_key(nb), f"{template.name}: same person"


def arrivals(start_n: int, linkedin: int, other: int, seed: int = 7) -> tuple[list[bytes],
                                                                              dict[str, str]]:
    """Return new mail to APPEND (LinkedIn mail first) and the expected action per Message-ID."""
    rng = random.Random(seed)
    templates = load_templates()
    raws: list[bytes] = []
    expected: dict[str, str] = {}
    for n in range(start_n, start_n + linkedin):
        template = templates[n % len(templates)]
        raw, message_id = vary(template, n)
        raws.append(raw)
        expected[message_id] = template.action
    now = datetime.now(UTC)
    raws += [other_mail(rng, start_n + linkedin + i, now) for i in range(other)]
    return raws, expected
