"""read_mail on damaged mail: it never raises, never puts words in anyone's mouth, and never
trusts a mail our server did not pass.

The examples start from the corpus and the fixtures and are damaged the ways real mail gets
damaged: truncated, bytes lost or inserted, charsets swapped, MIME boundaries broken.
``RESPONDER_FUZZ_EXAMPLES`` sets how many (500 by default).
"""

from __future__ import annotations

import contextlib
import email
import html
import os
import random
import unicodedata
from email import policy
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inscriptis import get_text

from responder.models import Notification
from responder.parse import read_mail

HERE = Path(__file__).parent
SOURCES = sorted((HERE / "corpus" / "eml").glob("*.eml")) + sorted(
    (HERE / "fixtures" / "eml").glob("*.eml")
)
MAILS = [path.read_bytes() for path in SOURCES]
EXAMPLES = int(os.environ.get("RESPONDER_FUZZ_EXAMPLES", "500"))
CHARSETS = [
    b"iso-8859-1",
    b"iso-8859-5",
    b"utf-16",
    b"utf-7",
    b"x-no-such-charset",
    b"",
    b"us-ascii",
    b"cp1252",
    b"shift_jis",
    b"utf-8\x00",
    b"koi8-r",
]
JUNK = [
    b"\r\n--",
    b"=?utf-8?b?!!!?=",
    b"\x00" * 16,
    b"=\r\n",
    b"=ZZ",
    b"<html><b>",
    b"\xff\xfe",
    b"=?iso-8859-1?q?=E9t=E9?=",
    b"\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
    b"\r\nContent-Transfer-Encoding: base64\r\n",
    b"\xe2\x80\x8b" * 5,
    b"\r\n\r\n",
    b"----------",
]
HIDDEN = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0", "\x00"}


@st.composite
def damaged_mail(draw: st.DrawFn) -> bytes:
    """Return a corpus or fixture mail with one to four kinds of damage."""
    raw = bytearray(draw(st.sampled_from(MAILS)))
    for _ in range(draw(st.integers(1, 4))):
        size = len(raw)
        op = draw(st.sampled_from(["cut", "delete", "insert", "charset", "boundary", "flip"]))
        at = draw(st.integers(0, size))
        if op == "cut":
            del raw[at:]
        elif op == "delete":
            del raw[at : at + draw(st.integers(1, 400))]
        elif op == "insert":
            raw[at:at] = draw(st.sampled_from(JUNK) | st.binary(min_size=1, max_size=64))
        elif op == "charset":
            raw = bytearray(raw.replace(b"utf-8", draw(st.sampled_from(CHARSETS)), 2))
        elif op == "boundary":
            raw = bytearray(
                raw.replace(b"----=_Part_", draw(st.sampled_from([b"", b"--", b"x"])), 2)
            )
        elif size:
            raw[min(at, size - 1)] ^= draw(st.integers(1, 255))
    return bytes(raw)


def _normal(text: str) -> str:
    """Return ``text`` without invisible characters (format category and fillers)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and ch not in HIDDEN)


def _decodings(data: bytes, charset: str | None) -> list[str]:
    texts = [data.decode("utf-8", "replace"), data.decode("cp1252", "replace")]
    if charset:
        with contextlib.suppress(LookupError, ValueError):
            texts.append(data.decode(charset, "replace"))
    return texts


def _mail_text(raw: bytes) -> str:
    """Return every text a reader could see in ``raw``: raw bytes, each decoded part, HTML
    rendered to text, with invisible characters removed."""
    texts = _decodings(raw, None)
    msg = email.message_from_bytes(raw[: 1024 * 1024], policy=policy.compat32)
    for part in msg.walk():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        for text in _decodings(payload, part.get_content_charset()):
            texts.append(text)
            if "<" in text:
                texts.append(html.unescape(text))
                texts.append(get_text(text))
    return _normal("\n".join(texts))


def _check(raw: bytes) -> None:
    got = read_mail(raw, authserv_id="mx.example.org")
    assert isinstance(got, Notification)
    if got.authentic:  # trust still needs our server's pass, whatever the damage
        assert got.linkedin
        assert b"mx.example.org" in raw
        assert b"=pass" in raw
    if got.ask_text is None:
        assert not got.has_ask
        return
    assert got.has_ask
    assert got.ask_text.strip()
    seen = _mail_text(raw)
    missing = [word for word in got.ask_text.split() if _normal(word) not in seen]
    assert not missing, missing[:5]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damaged_mail())
def test_damaged_mail_never_raises_nor_invents_an_ask(raw: bytes) -> None:
    _check(raw)


def test_every_source_mail_passes_the_word_check() -> None:
    for raw in MAILS:
        _check(raw)


def _header_block(raw: bytes) -> bytes:
    return raw.partition(b"\r\n\r\n")[0]


def test_ten_megabyte_body() -> None:
    head = _header_block(MAILS[0]).replace(b"multipart/alternative", b"text/plain")
    head = head.replace(b'\tboundary="', b'\tx-old-boundary="')
    raw = head + b"\r\n\r\n" + b"Hi Dana,\r\n\r\n" + b"all work and no play " * 500_000
    assert len(raw) > 10_000_000
    got = read_mail(raw, authserv_id="mx.example.org")
    assert got.problem
    assert got.problem.startswith("oversized")
    assert not got.authentic


def test_ten_megabytes_of_binary_junk() -> None:
    junk = random.Random(7).randbytes(10 * 1024 * 1024)
    assert isinstance(read_mail(junk, authserv_id="mx.example.org"), Notification)
    with_headers = _header_block(MAILS[0]) + b"\r\n\r\n" + junk
    got = read_mail(with_headers, authserv_id="mx.example.org")
    assert not got.authentic


def test_deeply_nested_multipart() -> None:
    depth = 2000
    opening = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1)
        for i in range(depth)
    )
    raw = (
        b'From: a@example.net\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
        + opening
        + b"--b%d\r\nContent-Type: text/plain\r\n\r\nhello\r\n" % depth
    )
    assert isinstance(read_mail(raw, authserv_id="mx.example.org"), Notification)


def test_many_header_fields_and_a_huge_header() -> None:
    raw = b"".join(b"X-Junk-%d: %s\r\n" % (i, b"y" * 100) for i in range(20000))
    raw += b"From: " + b"a" * 200_000 + b"@linkedin.com\r\n\r\nbody"
    assert isinstance(read_mail(raw, authserv_id="mx.example.org"), Notification)


def _add_header(raw: bytes, line: bytes) -> bytes:
    first, _, rest = raw.partition(b"\r\n")
    return first + b"\r\n" + line + b"\r\n" + rest


def _pathological() -> dict[str, bytes]:
    """Inputs shaped to make a careless regex backtrack for ever."""
    corpus = HERE / "corpus" / "eml"
    inmail = (corpus / "08-inmail-recruiter.eml").read_bytes()
    invite = (corpus / "01-invitation-genuine.eml").read_bytes()
    message = (corpus / "13-message-full-text.eml").read_bytes()
    return {
        "url run": inmail.replace(b"I lead technical", b"http://" * 20000),
        "a-r token": _add_header(
            invite, b"Authentication-Results: mx.example.org; " + b"a" * 300000
        ),
        "markup spaces": invite.replace(
            b"<body dir", b"<p x=" + b" " * 200000 + b">y</p><body dir"
        ),
        "encoded words": _add_header(invite, b"Subject: " + b"=?utf-8?q?a?= " * 20000),
        "references": _add_header(invite, b"References: " + b"<a@b> " * 100000),
        "display name": invite.replace(b"From: Oskar Lindqvist", b"From: " + b"via " * 100000),
        "type params": invite.replace(b'charset="utf-8"', b"a=b; " * 50000),
        "thread paths": message.replace(b"Hi Dana mam", b"https://a/" * 20000),
        "tracking name": invite.replace(
            b"X-LinkedIn-Template: email_m2m_invite_single_01\r\n", b""
        ).replace(b"trk=3D", b"trk=3Deml-" + b"a" * 1000),
    }


def test_pathological_inputs_are_read() -> None:
    for name, raw in _pathological().items():
        got = read_mail(raw, authserv_id="mx.example.org")
        assert isinstance(got, Notification), name
        assert len(got.problem or "") < 200, name
        assert len(got.subject) <= len(raw), name
