"""What a pass needs from a mailbox, whatever holds it: an IMAP server or a local Maildir.

A message is named by ``ref`` (the UID as text on IMAP, the file key in a Maildir) and ordered
by ``pos`` (the UID, or the file's modification time in nanoseconds): the watermark a pass
stores is the highest ``pos`` handled, under the folder's ``uidvalidity``.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from typing import Protocol

#: Keywords responder sets on mail it handled (only where the server keeps custom keywords).
KEYWORD_DRAFTED = "$ResponderDrafted"
KEYWORD_FILED = "$ResponderFiled"
KEYWORD_SUSPICIOUS = "$ResponderSuspicious"
#: Header on every draft responder creates, so it never answers its own drafts.
DRAFT_HEADER = "X-Responder-Draft"

_LOOKS_LINKEDIN = re.compile(rb"l[i1l|!\xc4\xb1]nked[i1l|!\xc4\xb1]n", re.IGNORECASE)
_X_LINKEDIN = re.compile(rb"^x-linkedin-", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Scan:
    """New messages in a folder since the watermark: ``refs`` as (ref, pos), oldest first.

    ``upto`` is the highest position the scan looked at, when the server already left out
    mail that cannot be LinkedIn's (a server-side search): the watermark may pass it even
    though no ref is that high. 0 when ``refs`` are every new message.
    """

    uidvalidity: int
    refs: list[tuple[str, int]]
    reset: bool
    upto: int = 0


@dataclass(frozen=True)
class HeaderInfo:
    """The few header fields that tell whether a message is worth downloading whole."""

    ref: str
    pos: int
    size: int
    keywords: frozenset[str]
    header: bytes


@dataclass(frozen=True)
class FolderStatus:
    """A folder's counters from one STATUS: enough to tell cheaply whether anything changed.

    ``modseq`` is HIGHESTMODSEQ where the server has CONDSTORE (flag changes move it), else 0.
    """

    uidvalidity: int
    uidnext: int
    messages: int
    modseq: int = 0


@dataclass(frozen=True)
class Peek:
    """A few header fields and the flags of one message of a folder, read without changing it."""

    ref: str
    pos: int
    header: bytes
    flags: frozenset[str]


class MailStore(Protocol):
    """The operations a pass performs; implemented by ``imap.ImapStore`` and ``maildir``."""

    def capabilities(self) -> tuple[str, ...]:
        """Return the server's capabilities (empty for a Maildir)."""

    def drafts_folder(self) -> str:
        """Return the Drafts folder's name; raise MailboxError when none can be found."""

    def ignore_folder(self, name: str, *, create: bool) -> str:
        """Return the server name of the ignore folder, creating it when asked and missing."""

    def scan(
        self, folder: str, mark: tuple[int, int] | None, since: datetime | None
    ) -> Scan | None:
        """Select ``folder`` and list messages after ``mark``; None when nothing is new."""

    def headers(self, refs: list[tuple[str, int]]) -> list[HeaderInfo]:
        """Return header info for messages of the selected folder, in the order given."""

    def body_batches(self, refs: list[str]) -> Iterator[list[tuple[str, bytes]]]:
        """Yield lists of (ref, raw bytes) of whole messages, a fetch at a time, in order,
        without marking them read. The pass may fetch the next list on another thread while
        it works on the last, and uses the store for nothing else meanwhile."""

    def draft_ids(self, folder: str) -> set[str]:
        """Return the Message-IDs of the drafts responder created that are in ``folder``."""

    def append_draft(self, folder: str, raw: bytes) -> None:
        """Store ``raw`` in ``folder`` flagged as a draft."""

    def append_drafts(self, folder: str, raws: list[bytes]) -> None:
        """Append several drafts, in one command where the store can (all or none)."""

    def add_keyword(self, ref: str, keyword: str) -> bool:
        """Set ``keyword`` on a message of the selected folder; False when not supported."""

    def move(self, ref: str, folder: str) -> None:
        """Move one message of the selected folder to ``folder``; never expunges others."""

    # -- read-only looks used by the feedback loop (responder.feedback) ------------------

    def sent_folder(self) -> str | None:
        """Return the folder of sent mail (SPECIAL-USE \\Sent, else a usual name), or None."""

    def folder_status(self, folder: str) -> FolderStatus | None:
        """Return the folder's counters, or None when the folder does not exist."""

    def peek_headers(
        self, folder: str, after: int, fields: tuple[str, ...], since: datetime | None = None
    ) -> list[Peek]:
        """Return ``fields`` and flags of messages of ``folder`` with ``pos`` above ``after``.

        Read-only (EXAMINE, BODY.PEEK); the folder selected before stays selected.
        """

    def peek_messages(self, folder: str, refs: list[str]) -> dict[str, bytes]:
        """Return whole messages of ``folder`` by ref, read-only; missing ones are left out."""

    def answered(self, folder: str, refs: list[str]) -> dict[str, bytes]:
        """Return {ref: Message-ID header field} of those ``refs`` flagged \\Answered."""

    def close(self) -> None:
        """Log out or release the store."""


def looks_like_linkedin(header: bytes) -> bool:
    """True when the header block presents itself as LinkedIn (so it must be read whole).

    Deliberately wide (look-alike spellings, display names, X-LinkedIn-* fields): a spoof has
    to be downloaded to be flagged; everything else is never downloaded at all.
    """
    if _LOOKS_LINKEDIN.search(header) or _X_LINKEDIN.search(header):
        return True
    if b"=?" not in header:
        return False
    parsed = BytesHeaderParser(policy=email.policy.default).parsebytes(header)
    try:
        decoded = " ".join(str(v) for v in parsed.values()).encode("utf-8", "replace")
    except Exception:
        return True
    return bool(_LOOKS_LINKEDIN.search(decoded))


#: The server-side search that picks candidates where the server searches by substring, as
#: RFC 3501 (6.4.4) asks: every spelling _LOOKS_LINKEDIN knows ("linkedin", "linkedln",
#: "l1nkedin", "Lınkedın", encoded display names, which the server decodes) holds "nked", and
#: LinkedIn's own mail carries X-LinkedIn-Class. The header sweep still judges each hit.
CANDIDATE_SEARCH: tuple[str, ...] = (
    "OR", "FROM", "nked", "OR", "HEADER", "SENDER", "nked",
    "OR", "HEADER", "X-LinkedIn-Class", "", "HEADER", "X-LinkedIn-Template", "",
)

#: The header fields fetched to pick candidates (and the Message-ID, to skip handled mail).
CANDIDATE_FIELDS = ("FROM", "SENDER", "MESSAGE-ID", "X-LINKEDIN-CLASS", "X-LINKEDIN-TEMPLATE")
