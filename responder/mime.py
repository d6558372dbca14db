"""Raw mail to the ``Message`` tree that ``email.message_from_bytes`` (compat32) builds, quicker.

The stdlib's feed parser passes every line of every part through a stack of generators and
boundary tests; that is most of the cost of reading a mail. For plain, well-formed MIME the same
tree can be cut out of the text by finding the boundary lines, which ``parse_simple`` does. It
follows the feed parser's rules line for line (header folding, defects, where the newline before
a boundary goes, preamble and epilogue) but only for the shapes it knows; for anything else it
returns None and the caller uses the stdlib parser, so the tree is always the stdlib's.

Left to the stdlib: a CR not followed by LF, a "From " line below the first header line,
message/* and multipart/digest parts, a multipart without a boundary parameter or without its
first boundary line, a boundary line right after another or at the end of the text, and nesting
deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import re
from email import errors, policy
from email.message import Message

#: Multipart levels read here; deeper mail goes to the stdlib parser.
MAX_DEPTH = 8

# What the feed parser takes for a header line: "From ", a field name and colon, or folding.
_HEADER_LINE = re.compile(r"^(From |[\041-\071\073-\176]*:|[\t ])")
_BARE_CR = re.compile(r"\r(?!\n)")


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


class _Reader:
    """The lines of one mail (line ends kept) and the entities cut from them."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        last = self.lines.pop()
        self.lines = [line + "\n" for line in self.lines]
        if last:
            self.lines.append(last)
        # Only lines starting with "--" can be boundary lines; the scans look at these alone.
        self.dashed = [i for i, line in enumerate(self.lines) if line.startswith("--")]

    def _at_end(self, i: int, separators: tuple[str, ...]) -> bool:
        """Return True when line ``i`` is a boundary line of an enclosing multipart, which
        ends the current entity (the feed parser's false EOF)."""
        line = self.lines[i]
        return any(_boundary_end(line, s) is not None for s in separators)

    def _next_end(self, start: int, separators: tuple[str, ...]) -> int:
        """Return the index of the first line from ``start`` that ends the current entity,
        or the number of lines."""
        for i in self.dashed:
            if i >= start and self._at_end(i, separators):
                return i
        return len(self.lines)

    def entity(self, start: int, separators: tuple[str, ...], depth: int) -> tuple[Message, int]:
        """Return the entity whose header starts at line ``start`` inside multiparts with
        ``separators``, and the index of the line that ends it."""
        msg = Message(policy=policy.compat32)
        body = self._header(msg, start, separators)
        ctype = msg.get_content_type()
        if msg.get_content_maintype() == "message" or ctype == "multipart/digest":
            raise _Unsupported(ctype)
        if msg.get_content_maintype() == "multipart":
            if depth >= MAX_DEPTH:
                raise _Unsupported("deep nesting")
            return msg, self._multipart(msg, body, separators, depth)
        end = self._next_end(body, separators)
        payload = "".join(self.lines[body:end])
        # In a multipart the newline before the boundary line belongs to it (RFC 2046).
        msg.set_payload(_chop_newline(payload) if separators else payload)
        return msg, end

    def _header(self, msg: Message, start: int, separators: tuple[str, ...]) -> int:
        """Set the header fields of ``msg`` from the lines at ``start``; return where its body
        starts (after the blank line, or at the first line that is not a header line)."""
        end = start
        while end < len(self.lines) and not self._at_end(end, separators):
            if not _HEADER_LINE.match(self.lines[end]):
                break
            end += 1
        body = end
        if end < len(self.lines) and not self._at_end(end, separators):
            if self.lines[end] in ("\n", "\r\n"):
                body += 1
            else:
                msg.defects.append(errors.MissingHeaderBodySeparatorDefect())
        _set_fields(msg, self.lines[start:end])
        return body

    def _multipart(self, msg: Message, start: int, separators: tuple[str, ...], depth: int) -> int:
        """Attach the parts of multipart ``msg`` whose body starts at line ``start``, set its
        preamble and epilogue; return the index of the line that ends it."""
        boundary = msg.get_boundary()
        if boundary is None:
            raise _Unsupported("multipart without boundary")
        if str(msg.get("content-transfer-encoding", "8bit")).lower() not in (
            "7bit",
            "8bit",
            "binary",
        ):
            msg.defects.append(errors.InvalidMultipartContentTransferEncodingDefect())
        own = "--" + boundary
        inner = (*separators, own)
        at = self._next_end(start, inner)
        if (
            at == len(self.lines)
            or self._at_end(at, separators)
            or _boundary_end(self.lines[at], own)
        ):
            raise _Unsupported("no first boundary")
        if at > start:
            msg.preamble = _chop_newline("".join(self.lines[start:at]))
        while True:  # at: a boundary line between parts
            first = at + 1
            if first == len(self.lines) or self._at_end(first, inner):
                raise _Unsupported("boundary line followed by a boundary or the end")
            part, at = self.entity(first, inner, depth + 1)
            msg.attach(part)
            if at == len(self.lines) or self._at_end(at, separators):  # cut short
                msg.defects.append(errors.CloseBoundaryNotFoundDefect())
                return at
            if _boundary_end(self.lines[at], own):
                break
        end = self._next_end(at + 1, separators)
        epilogue = "".join(self.lines[at + 1 : end])
        if separators:  # a nested multipart: the newline before the boundary line is not its
            msg.epilogue = _chop_newline(epilogue) if epilogue else None
        else:
            msg.epilogue = epilogue
        return end


def _set_fields(msg: Message, lines: list[str]) -> None:
    """Store the header fields of ``lines`` on ``msg`` as the feed parser does (folded lines
    joined, the envelope "From " line as unixfrom, nameless fields dropped as defects)."""
    name_lines: list[str] = []
    for lineno, line in enumerate(lines):
        if line[0] in " \t":
            if not name_lines:
                msg.defects.append(errors.FirstHeaderLineIsContinuationDefect(line))
                continue
            name_lines.append(line)
            continue
        if name_lines:
            msg.set_raw(*msg.policy.header_source_parse(name_lines))
            name_lines = []
        if line.startswith("From "):
            if lineno:
                raise _Unsupported("misplaced From line")
            msg.set_unixfrom(_chop_newline(line))
            continue
        if line.startswith(":"):
            msg.defects.append(errors.InvalidHeaderDefect("Missing header name."))
            continue
        name_lines = [line]
    if name_lines:
        msg.set_raw(*msg.policy.header_source_parse(name_lines))


def _chop_newline(text: str) -> str:
    """Return ``text`` without one trailing CRLF or LF."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text
