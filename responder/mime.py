"""Raw mail to the ``Message`` tree that ``email.message_from_bytes`` (compat32) builds, quicker.

The stdlib's feed parser passes every line of every part through a stack of generators and
boundary tests; that is most of the cost of reading a mail. For plain, well-formed MIME the same
tree can be cut out of the text with a few searches: the header block with one pattern, the
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
# The feed parser's header block: lines starting "From ", a field name and colon, or folding.
_HEADER_BLOCK = re.compile(r"(?:(?:From |[\041-\071\073-\176]*:|[\t ])[^\n]*(?:\n|\Z))*")
# One field: its name, and its value with folded lines (blanks before the value dropped).
_FIELD = re.compile(r"([\041-\071\073-\176]+):[\t ]*([^\n]*\n?(?:[\t ][^\n]*\n?)*)")


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


def _odd_header(block: str) -> bool:
    """Return True for a header block the stdlib has special rules for (rare, left to it): one
    that starts with a folded line, or holds a "From " line or a field without a name."""
    return block.startswith((" ", "\t", ":", "From ")) or "\n:" in block or "\nFrom " in block


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
        self.dashed += [m.start() + 1 for m in _DASHED.finditer(text)]

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

    def _next_end(self, start: int, separators: tuple[str, ...], stop: int | None = None) -> int:
        """Return the start of the first line from ``start`` (up to ``stop``, else the end of
        the text) that ends the current entity, or that limit when none does."""
        limit = len(self.text) if stop is None else stop
        if not separators:
            return limit
        for at in self.dashed[bisect_left(self.dashed, start) :]:
            if at > limit:
                break
            if self._at_end(at, separators):
                return at
        return limit

    def entity(self, start: int, separators: tuple[str, ...], depth: int) -> tuple[Message, int]:
        """Return the entity whose header starts at ``start`` inside multiparts with
        ``separators``, and where the line that ends it starts."""
        msg = Message(policy=policy.compat32)
        body = self._header(msg, start, separators)
        ctype = msg.get_content_type()
        maintype = ctype.split("/")[0]
        if maintype == "message" or ctype == "multipart/digest":
            raise _Unsupported(ctype)
        if maintype == "multipart":
            if depth >= MAX_DEPTH:
                raise _Unsupported("deep nesting")
            return msg, self._multipart(msg, body, separators, depth)
        end = self._next_end(body, separators)
        payload = self.text[body:end]
        # In a multipart the newline before the boundary line belongs to it (RFC 2046).
        msg.set_payload(_chop_newline(payload) if separators else payload)
        return msg, end

    def _header(self, msg: Message, start: int, separators: tuple[str, ...]) -> int:
        """Set the header fields of ``msg`` from the text at ``start``; return where its body
        starts (after the blank line, or at the first line that is not a header line)."""
        lines = _HEADER_BLOCK.match(self.text, start)  # always: the pattern may match nothing
        block_end = lines.end() if lines else start
        end = self._next_end(start, separators, block_end)
        block = self.text[start:end]
        if _odd_header(block):
            raise _Unsupported("odd header block")
        for field in _FIELD.finditer(block):
            msg.set_raw(field[1], field[2].rstrip("\r\n"))
        if end == len(self.text) or end < block_end or self._at_end(end, separators):
            return end
        if self.text.startswith(("\n", "\r\n"), end):
            return self._next_line(end)
        msg.defects.append(errors.MissingHeaderBodySeparatorDefect())
        return end

    def _multipart(self, msg: Message, start: int, separators: tuple[str, ...], depth: int) -> int:
        """Attach the parts of multipart ``msg`` whose body starts at ``start``, set its
        preamble and epilogue; return where the line that ends it starts."""
        boundary = msg.get_boundary()
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
