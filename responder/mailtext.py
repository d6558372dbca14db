"""Turning the bytes of a mail into clean text: charsets, RFC 2047, invisible characters, HTML.

Every function here is lenient: it returns the best text it can and never raises on bad input.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import KeysView
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from functools import cached_property, lru_cache
from html import unescape

from inscriptis import get_text
from inscriptis.model.config import ParserConfig

#: Most bytes of one part that are decoded; a LinkedIn notification is well under this.
MAX_PART_BYTES = 256 * 1024
#: Most characters of HTML given to the HTML-to-text step.
MAX_HTML_CHARS = 200 * 1024

# Zero-width, joiner, direction and other invisible format characters; soft hyphen; BOM.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufeff\uffa0"
)
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HTML_CONFIG = ParserConfig(display_images=False, display_links=False)


def remove_invisible(text: str) -> str:
    """Return ``text`` without zero-width and other invisible format characters."""
    if text.isascii():
        return text
    # One quick search per character beats a character-class pattern tried at every position.
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    return text


def clean_text(text: str) -> str:
    """Return text with invisible characters removed, ``\\n`` line ends, single spaces, and
    every line stripped; runs of blank lines become one blank line."""
    text = remove_invisible(text).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    return squeeze_blank_lines(text).strip()


def squeeze_blank_lines(text: str) -> str:
    """Return ``text`` with every run of three or more newlines made two (one blank line)."""
    while "\n\n\n" in text:  # a few quick passes beat a pattern tried at every newline
        text = text.replace("\n\n\n", "\n\n")
    return text


def one_line(text: str) -> str:
    """Return ``text`` on one line: control characters and line breaks become single spaces."""
    if text.isascii() and text.isprintable():  # nothing to replace or remove
        return " ".join(text.split())
    return " ".join(_CONTROL.sub(" ", remove_invisible(text)).split())


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Return ``data`` decoded with ``charset``, else UTF-8, else Windows-1252 with
    replacement characters; never raises."""
    for name in (charset, "utf-8"):
        if not name:
            continue
        try:
            codecs.lookup(name)
            return data.decode(name)
        except (LookupError, UnicodeError, ValueError):
            continue
    return data.decode("cp1252", errors="replace")


def part_text(part: Message, limit: int = MAX_PART_BYTES) -> str:
    """Return the decoded body of one non-multipart part (transfer encoding and charset
    undone), at most ``limit`` bytes of it; ``""`` when there is nothing to read."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken part reads as empty, never as an error
        return ""
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = _content_charset(part)
    except Exception:
        charset = None
    return decode_bytes(payload[:limit], charset)


#: Longest Content-Type value whose charset is remembered.
_CACHED_TYPE_CHARS = 256


def _content_charset(part: Message) -> str | None:
    """Return ``part.get_content_charset()``: remembered per Content-Type value, since the
    stdlib's parameter parsing is slow and parts' values repeat from mail to mail."""
    value = part.get("content-type")
    if isinstance(value, str) and len(value) <= _CACHED_TYPE_CHARS:
        return _charset_of(value)
    return part.get_content_charset()  # absent, long, or 8-bit (the stdlib wraps it)


@lru_cache(maxsize=512)
def _charset_of(content_type: str) -> str | None:
    """Return the charset the stdlib reads from a Content-Type value, by asking it."""
    probe = Message()
    probe["Content-Type"] = content_type
    return probe.get_content_charset()


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML document, one block per line, cleaned."""
    try:
        text = get_text(html[:MAX_HTML_CHARS], _HTML_CONFIG)
    except Exception:  # inscriptis on hostile markup: keep going with nothing
        return ""
    return clean_text(text)


#: What never shows in a fragment: comments, and the insides of style and script elements.
_HIDDEN = re.compile(r"<!--.*?(?:-->|$)|<(style|script)\b.*?(?:</\1\s*>|$)", re.I | re.S)
#: A tag that starts a new line: <br>, and the start or end of a block element.
_BREAK = re.compile(
    r"<\s*(?:br|/?(?:p|div|tr|td|th|li|ul|ol|dl|dt|dd|table|tbody|thead|tfoot|h[1-6]|"
    r"blockquote|pre|hr|section|article|header|footer|center|address))\b"
    r"""(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.I,
)
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>?""")


def fragment_lines(html: str) -> list[str]:
    """Return the text lines of a short piece of HTML, one per block or ``<br>``: tags
    dropped, entities decoded, spaces squeezed, invisible characters removed.

    For reading a line or two at a known place (a headline under a name); unlike
    :func:`html_to_text` it lays out no tables and skips no hidden elements, and runs in a few
    microseconds without leaving the interpreter (a pass's fetch thread runs meanwhile).
    """
    text = _TAG.sub("", _BREAK.sub("\n", _HIDDEN.sub("", html)))
    return [" ".join(remove_invisible(unescape(line)).split()) for line in text.split("\n")]


def _repair(value: str) -> str:
    """Return a header value whose raw 8-bit bytes (kept as surrogates) are decoded."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")


def header_text(value: object) -> str:
    """Return a header value with RFC 2047 encoded words decoded and raw 8-bit text repaired;
    line folding is left as is (see ``one_line``)."""
    raw = _repair(str(value))
    if "=?" not in raw:
        return raw
    try:
        chunks = decode_header(raw)
    except Exception:  # a broken encoded word: show the text as it came
        return raw
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            out.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out)


# --- header fields -------------------------------------------------------------------------

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_MSG_ID = re.compile(rf"<?({_ATEXT}@(?:{_ATEXT}|\[[^\[\]\\\s]*\]))>?")
# The common case, one mailbox: "Quoted Name" <a@b>, Plain Name <a@b>, or <a@b>.
_ONE_MAILBOX = re.compile(
    r'\s*(?:"((?:[^"\\\r\n]|\\.){0,200})"|([^"<>,;:@\\\r\n]{0,200}?))\s*'
    r"<([^<>@\s,;:\\\"]{1,200}@[^<>@\s,;:\\\"]{1,200})>\s*"
)
_ID_IN_LIST = re.compile(r"<[^<>\s]{1,250}>")


def header_values(msg: Message, name: str) -> list[str]:
    """Return every value of header ``name``, topmost first, decoded (folding kept)."""
    return [header_text(v) for v in _header_index(msg).get(name.lower(), ())]


def raw_values(msg: Message, name: str) -> list[str]:
    """Return every value of header ``name``, topmost first, 8-bit text repaired but encoded
    words left alone (for address parsing, which must split before decoding)."""
    return [_repair(v) for v in _header_index(msg).get(name.lower(), ())]


def _header_index(msg: Message) -> dict[str, list[str]]:
    """Return the raw header values of ``msg`` by lower-cased name, built once per message
    (the stdlib looks each name up by a linear scan)."""
    index: dict[str, list[str]] | None = msg.__dict__.get("_responder_headers")
    if index is None:
        index = {}
        for key, value in msg.raw_items():
            index.setdefault(str(key).lower(), []).append(str(value))
        msg.__dict__["_responder_headers"] = index
    return index


def header_names(msg: Message) -> KeysView[str]:
    """Return the lower-cased names of the header fields of ``msg``."""
    return _header_index(msg).keys()


def first_header(msg: Message, name: str) -> str:
    """Return the first value of header ``name`` decoded and on one line, or ``""``."""
    values = header_values(msg, name)
    return one_line(values[0]) if values else ""


def message_id(value: str) -> str | None:
    """Return ``value`` as ``<left@right>`` when it is one valid msg-id, else None."""
    match = _MSG_ID.fullmatch(value.strip())
    return f"<{match.group(1)}>" if match else None


def reference_ids(value: str, limit: int = 100) -> tuple[str, ...]:
    """Return the valid msg-ids found in a References or In-Reply-To value, in order, at most
    the last ``limit`` of them."""
    ids = (message_id(found) for found in _ID_IN_LIST.findall(value))
    return tuple(dict.fromkeys(i for i in ids if i))[-limit:]


def parse_date(value: str) -> datetime | None:
    """Return a Date field as an aware datetime (UTC when it names no zone), or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def mailboxes(value: str) -> list[tuple[str, str]]:
    """Return the (display name, lower-cased address) pairs of a raw address header value;
    names are RFC 2047 decoded after splitting."""
    if not value.strip():
        return []
    simple = _ONE_MAILBOX.fullmatch(value)
    if simple:
        name = simple.group(1) or simple.group(2) or ""
        pairs = [(name.replace('\\"', '"'), simple.group(3))]
    else:
        try:
            pairs = [(n, a) for n, a in getaddresses([value]) if n or a]
        except Exception:  # the stdlib address parser on garbage
            return []
    return [(one_line(header_text(n)), a.strip().lower()) for n, a in pairs]


def parse_address(value: str) -> tuple[str, str]:
    """Return (display name, lower-cased address) of the first mailbox in a raw value."""
    pairs = mailboxes(value)
    return pairs[0] if pairs else ("", "")


def address_domain(address: str) -> str:
    """Return the lower-cased domain of ``address``, or ``""``."""
    return address.rpartition("@")[2].strip(" <>.").lower() if "@" in address else ""


# --- MIME structure ------------------------------------------------------------------------

_MAX_PARTS = 64
_TEXT_LIMIT = 64 * 1024
_REPORT_TYPES = ("message/delivery-status", "message/disposition-notification")
_NAME_PARAM = re.compile(r";\s*name\*?\s*=", re.I)


class MailBody:
    """What the MIME walk found: the mail's own content type, the first text/plain and
    text/html parts, the count of attachments, and whether it is a report. The bodies are
    decoded only when asked for."""

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        self.plain_part: Message | None = None
        self.html_part: Message | None = None
        self.attachments = 0
        self.report = False

    @cached_property
    def plain(self) -> str:
        """The decoded text/plain body, or ``""``."""
        return part_text(self.plain_part) if self.plain_part is not None else ""

    @cached_property
    def html(self) -> str:
        """The decoded text/html body, or ``""``."""
        return part_text(self.html_part) if self.html_part is not None else ""

    @cached_property
    def text(self) -> str:
        """The text a person reads, cleaned: the plain body, else the HTML turned to text."""
        if self.plain.strip():
            return clean_text(self.plain[:_TEXT_LIMIT])
        return html_to_text(self.html) if self.html else ""


def read_body(msg: Message) -> MailBody:
    """Return the first text/plain and text/html parts of ``msg`` and its shape facts; looks
    at no more than 64 parts."""
    body = MailBody(msg.get_content_type())
    queue: list[Message] = [msg]
    seen = 0
    while queue and seen < _MAX_PARTS:
        part = queue.pop(0)
        seen += 1
        ctype = body.content_type if part is msg else part.get_content_type()
        if part.is_multipart():
            body.report = body.report or ctype == "multipart/report" or ctype in _REPORT_TYPES
            payload = part.get_payload()
            if ctype.startswith("message/"):
                body.attachments += 1
            elif isinstance(payload, list):
                queue.extend(p for p in payload if isinstance(p, Message))
            continue
        _take_part(body, part, ctype)
    return body


def _take_part(body: MailBody, part: Message, ctype: str) -> None:
    """Record one leaf part as the plain or HTML body, an attachment, or report content."""
    index = _header_index(part)
    disposition = " ".join(index.get("content-disposition", ())).lower()
    named = _NAME_PARAM.search(" ".join(index.get("content-type", ()))) is not None
    if "attachment" in disposition or "filename" in disposition or named:
        body.attachments += 1
    elif not ctype.startswith("text/"):
        body.attachments += 1
        body.report = body.report or ctype in _REPORT_TYPES
    elif ctype == "text/plain" and body.plain_part is None:
        body.plain_part = part
    elif ctype == "text/html" and body.html_part is None:
        body.html_part = part
