"""Raw mail to the ``Message`` tree that ``email.message_from_bytes`` (compat32) builds, quicker.

The stdlib's feed parser passes every line of every part through a stack of generators and
boundary tests; that is most of the cost of reading a mail. For plain, well-formed MIME the same
tree can be cut out of the text with a few searches: header fields with one pattern each, the
parts at the lines that start with ``--``. ``parse_simple`` does that, following the feed
parser's rules (folded fields, where the newline before a boundary goes, preamble, epilogue,
defects) but only for the shapes it knows; for anything else it returns None and the caller
uses the stdlib parser, so the tree is always the stdlib's.

Left to the stdlib: a CR not followed by LF; a header block that starts with a folded line or
holds a "From " line or a field without a name; message/* and multipart/digest parts; a
multipart without a boundary parameter or without its first boundary line; a boundary line
right after another or at the very end; and nesting deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from email import errors, policy
from email.message import Message

#: Multipart levels read here; deeper mail goes to the stdlib parser.
MAX_DEPTH = 8

_BARE_CR = re.compile(r"\r(?!\n)")
# Lines that start with "--" (the first line aside): only these can be boundary lines.
_DASHED = re.compile(r"\n--")
# What the feed parser takes for a header line: "From ", a field name and colon, or folding.
_HEADER_LINE = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")
# One field: its name, and its value with folded lines (blanks before the value dropped).
# Possessive (++, *+): nothing is ever given back, so there is no backtracking state to keep.
_FIELD = re.compile(r"([\041-\071\073-\176]++):[\t ]*+([^\n]*+\n?+(?:[\t ][^\n]*+\n?+)*+)")
# A Content-Type value the stdlib's parameter parsing merely unquotes: type/subtype, then
# name=token or name="text" parameters; no backslashes, stars (RFC 2231), angle brackets,
# stray quotes, or semicolons inside quotes.
_WS = "[ \t\r\n]*"
_WORD = r"[A-Za-z0-9!#$&^_.+-]+"
_PLAIN_TYPE = re.compile(
    rf"{_WS}{_WORD}/{_WORD}{_WS}"
    rf'(?:;{_WS}(?:{_WORD}{_WS}={_WS}(?:[^\s";\\<>*]+|"[^"\\;<>\r\n]*"){_WS})?)*'
)
_BOUNDARY_PARAM = re.compile(rf';{_WS}boundary{_WS}={_WS}(?:"([^"]*)"|([^\s;]+))', re.I)


class _Unsupported(Exception):
    """The mail has a shape this module leaves to the stdlib parser."""


def parse_simple(raw: bytes) -> Message | None:
    """Return the compat32 ``Message`` tree of ``raw`` exactly as the stdlib parser builds it,
    or None when the mail is not of a shape read here (then use the stdlib parser)."""
    text = raw.decode("ascii", "surrogateescape")
    if _BARE_CR.search(text):
        return None
    try:
        msg, _ = _Reader(text).entity(0, (), 0)
    except _Unsupported:
        return None
    return msg


def _boundary_end(line: str, separator: str) -> bool | None:
    """Return None when ``line`` is not a boundary line for ``separator`` (``--`` and the
    boundary), else True for the closing boundary and False for one between parts; the same
    test as the feed parser's boundary pattern for lines that end in LF or CRLF."""
    if not line.startswith(separator):
        return None
    rest = line[len(separator) :].rstrip("\r\n")
    closing = rest.startswith("--")
    if rest[2:].strip(" \t") if closing else rest.strip(" \t"):
        return None
    return closing


def _boundary(msg: Message) -> str | None:
    """Return ``msg.get_boundary()``: read straight from a plain Content-Type value, else (odd
    syntax, 8-bit text) by the stdlib, whose parameter parsing is slow."""
    value = msg.get("content-type")
    if not (isinstance(value, str) and _PLAIN_TYPE.fullmatch(value)):
        return msg.get_boundary()
    found = _BOUNDARY_PARAM.search(value)
    if found is None:
        return None
    return (found[2] if found[1] is None else found[1]).rstrip()


def _chop_newline(text: str) -> str:
    """Return ``text`` without one trailing CRLF or LF."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


class _Reader:
    """The text of one mail and the entities cut from it; positions are offsets of line
    starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.dashed = [0] if text.startswith("--") else []
        self.dashed += [found.start() + 1 for found in _DASHED.finditer(text)]

    def _line(self, at: int) -> str:
        """Return the line that starts at ``at``, with its line end."""
        end = self.text.find("\n", at)
        return self.text[at : end + 1] if end >= 0 else self.text[at:]

    def _next_line(self, at: int) -> int:
        """Return where the line after the one at ``at`` starts (the end of the text if
        none)."""
        end = self.text.find("\n", at)
        return end + 1 if end >= 0 else len(self.text)

    def _at_end(self, at: int, separators: tuple[str, ...]) -> bool:
        """Return True when the line at ``at`` is a boundary line of an enclosing multipart,
        which ends the current entity (the feed parser's false end of file)."""
        line = self._line(at)
        return any(_boundary_end(line, s) is not None for s in separators)

    def _next_end(self, start: int, separators: tuple[str, ...]) -> int:
        """Return the start of the first line from ``start`` that ends the current entity, or
        the end of the text when none does."""
        if separators:
            for at in self.dashed[bisect_left(self.dashed, start) :]:
                if self._at_end(at, separators):
                    return at
        return len(self.text)

    def entity(self, start: int, separators: tuple[str, ...], depth: int) -> tuple[Message, int]:
        """Return the entity whose header starts at ``start`` inside multiparts with
        ``separators``, and where the line that ends it starts."""
        msg = Message(policy=policy.compat32)
        end = self._next_end(start, separators)
        body = self._header(msg, start, end)
        ctype = msg.get_content_type()
        maintype = ctype.split("/")[0]
        if maintype == "message" or ctype == "multipart/digest":
            raise _Unsupported(ctype)
        if maintype == "multipart":
            if depth >= MAX_DEPTH:
                raise _Unsupported("deep nesting")
            return msg, self._multipart(msg, body, separators, depth)
        payload = self.text[body:end]
        # In a multipart the newline before the boundary line belongs to it (RFC 2046).
        msg.set_payload(_chop_newline(payload) if separators else payload)
        return msg, end

    def _header(self, msg: Message, start: int, end: int) -> int:
        """Set the header fields of ``msg`` from the text at ``start`` of an entity that ends
        at ``end``; return where its body starts (after the blank line, or at the first line
        that is not a header line)."""
        at = start
        while field := _FIELD.match(self.text, at, end):
            msg.set_raw(field[1], field[2].rstrip("\r\n"))
            at = field.end()
        if at == end:
            return at
        if _HEADER_LINE.match(self.text, at):  # "From ", a nameless field, a folded first line
            raise _Unsupported("odd header block")
        if self.text.startswith(("\n", "\r\n"), at):
            return self._next_line(at)
        msg.defects.append(errors.MissingHeaderBodySeparatorDefect())
        return at

    def _multipart(self, msg: Message, start: int, separators: tuple[str, ...], depth: int) -> int:
        """Attach the parts of multipart ``msg`` whose body starts at ``start``, set its
        preamble and epilogue; return where the line that ends it starts."""
        boundary = _boundary(msg)
        if boundary is None:
            raise _Unsupported("multipart without boundary")
        encoding = str(msg.get("content-transfer-encoding", "8bit")).lower()
        if encoding not in ("7bit", "8bit", "binary"):
            msg.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
        own = "--" + boundary
        inner = (*separators, own)
        at = self._next_end(start, inner)
        if (
            at == len(self.text)
            or self._at_end(at, separators)
            or _boundary_end(self._line(at), own)
        ):
            raise _Unsupported("no first boundary")
        if at > start:
            msg.preamble = _chop_newline(self.text[start:at])
        while True:  # at: a boundary line between parts
            first = self._next_line(at)
            if first == len(self.text) or self._at_end(first, inner):
                raise _Unsupported("boundary line followed by a boundary or the end")
            part, at = self.entity(first, inner, depth + 1)
            msg.attach(part)
            if at == len(self.text) or self._at_end(at, separators):  # cut short
                msg.defects.append(errors.CloseBoundaryNotFoundDefect())
                return at
            if _boundary_end(self._line(at), own):
                break
        after = self._next_line(at)
        end = self._next_end(after, separators)
        epilogue = self.text[after:end]
        if separators:  # a nested multipart: the newline before the boundary line is not its
            msg.epilogue = _chop_newline(epilogue) if epilogue else None
        else:
            msg.epilogue = epilogue
        return end
