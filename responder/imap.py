"""The IMAP mail store: the only module that imports imapclient.

Capabilities are checked before use, with the fallbacks of research/reliability.md section L:
MOVE, else COPY + \\Deleted + UID EXPUNGE of that one UID (UIDPLUS), else COPY + keyword and no
expunge; SPECIAL-USE \\Drafts, else the usual names; keywords only where PERMANENTFLAGS has \\*.
Bodies are read with BODY.PEEK so nothing is marked as read.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import (
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

from responder.errors import MailboxError, TransientMailboxError
from responder.logs import register_login, register_oauth2
from responder.mailstore import (
    CANDIDATE_FIELDS,
    CANDIDATE_SEARCH,
    DRAFT_HEADER,
    FolderStatus,
    HeaderInfo,
    Peek,
    Scan,
)

log = logging.getLogger(__name__)


class _NoMessageData(logging.Filter):
    """Drops imaplib's DEBUG dumps of untagged responses: they carry whole messages.

    imapclient turns on imaplib's protocol trace at DEBUG; its ``untagged_responses[...]``
    lines repeat every FETCH result, bodies included, and no log line may carry a body. The
    command and response lines (LOGIN and AUTHENTICATE already redacted) stay.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("untagged_responses[")


logging.getLogger("imapclient.imaplib").addFilter(_NoMessageData())

HEADER_BATCH = 500
BODY_BATCH = 25
#: Whole messages fetched per command in a pass: at most this many, and this many bytes.
PASS_BODY_BATCH = 100
PASS_BODY_BYTES = 8_000_000
#: UIDs per batched STORE or MOVE command.
ACT_BATCH = 500
DRAFT_NAMES = ("Drafts", "INBOX.Drafts", "INBOX/Drafts", "[Gmail]/Drafts", "Draft")
SENT_NAMES = ("Sent", "INBOX.Sent", "INBOX/Sent", "Sent Items", "Sent Messages",
              "[Gmail]/Sent Mail")
TRANSIENT = (IMAPClientAbortError, socket.timeout, TimeoutError, ConnectionError, ssl.SSLEOFError,
             OSError)


_UID_RE = re.compile(rb"\bUID (\d+)", re.IGNORECASE)
_SIZE_RE = re.compile(rb"\bRFC822\.SIZE (\d+)", re.IGNORECASE)
_FLAGS_RE = re.compile(rb"\bFLAGS \(([^)]*)\)", re.IGNORECASE)


#: How long a STATUS answer may serve further looks in the same pass, at most (seconds).
STATUS_TTL = 2.0
#: How long the Drafts and Sent folder names found by LIST are kept (seconds).
ROLE_TTL = 3600.0


def _fields_item() -> bytes:
    # Message-ID is left out: over a big backlog it would be most of the bytes of this sweep,
    # and the pass reads it from the body of the few candidates (pipeline._done_already).
    fields = [f for f in CANDIDATE_FIELDS if f != "MESSAGE-ID"]
    return b"BODY.PEEK[HEADER.FIELDS (" + " ".join(fields).encode() + b")]"


class ImapStore:
    """One logged-in IMAP connection and the folder currently selected."""

    def __init__(self, client: Any, *, label: str, candidates: str = "auto") -> None:
        self._client = client
        self._label = label
        self._selected: str | None = None
        self._keywords_ok = False
        self._sizes: dict[int, int] = {}
        #: STATUS answers shared by the looks of one pass (feedback, then scan), briefly.
        self._status_cache: dict[str, tuple[float, FolderStatus]] = {}
        #: Drafts and Sent as found by LIST, re-read at most every ROLE_TTL seconds.
        self._roles: dict[str, tuple[float, str | None]] = {}
        # Per folder, the UIDNEXT the last scan covered: IDLE starts by comparing against it.
        self._scanned_uidnext: dict[str, int] = {}
        self._caps: tuple[str, ...] = tuple(
            c.decode() if isinstance(c, bytes) else str(c) for c in client.capabilities()
        )
        #: Whether the server picks LinkedIn-looking mail (CANDIDATE_SEARCH) so that only
        #: its headers are fetched; else every new message's headers are (the sweep).
        self.server_search = _server_search(candidates, self._caps)
        #: ``auto`` checks once, before its first search, that the server searches headers
        #: itself (:meth:`_header_search_works`); a full-text index may not.
        self._check_search = candidates == "auto" and self.server_search
        #: Why candidates are picked as they are, for ``responder check``.
        self._search_reason = (
            f"RESPONDER_CANDIDATE_SEARCH={candidates}" if candidates != "auto"
            else "the server's SEARCH" if self.server_search
            else "Gmail's SEARCH matches whole words, not substrings"
        )

    @classmethod
    def connect(
        cls,
        *,
        host: str,
        port: int,
        user: str,
        security: str,
        ssl_context: ssl.SSLContext | None,
        timeout: float,
        password: Callable[[], str] | None = None,
        oauth2_token: Callable[[], str] | None = None,
        candidates: str = "auto",
    ) -> ImapStore:
        """Connect, secure the channel, log in, and return the store.

        Raises TransientMailboxError when the server cannot be reached (worth retrying) and
        MailboxError when it refuses the login or the TLS certificate does not verify.
        """
        label = f"{user}@{host}:{port}"
        try:
            client = IMAPClient(
                host, port=port, ssl=security == "ssl", ssl_context=ssl_context, timeout=timeout
            )
            _no_delay(client)
            if security == "starttls":
                client.starttls(ssl_context)
            if oauth2_token is not None:
                token = oauth2_token()
                register_oauth2(user, token)  # the token and the SASL blob carrying it
                # OAUTHBEARER (RFC 7628) has its own payload (a GS2 header first); sending the
                # XOAUTH2 one under its name is refused.
                if "AUTH=OAUTHBEARER" in _caps(client):
                    client.oauthbearer_login(user, token)
                else:
                    client.oauth2_login(user, token, mech="XOAUTH2")
            else:
                secret = password() if password else ""
                register_login(user, secret)  # the password and its AUTH=PLAIN form
                client.login(user, secret)
        except LoginError:
            raise MailboxError(
                f"login refused for {label}: check the user name and password"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise MailboxError(
                f"TLS certificate of {host} does not verify ({exc.verify_message}); "
                "set RESPONDER_IMAP_CA_FILE for a private CA"
            ) from None
        except socket.gaierror as exc:
            raise TransientMailboxError(f"cannot resolve {host}: {exc.strerror}") from None
        except TRANSIENT as exc:
            raise TransientMailboxError(f"cannot connect to {host}:{port}: {exc}") from None
        except IMAPClientError as exc:
            raise MailboxError(f"{label}: {exc}") from None
        return cls(client, label=label, candidates=candidates)

    # -- helpers -------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TRANSIENT as exc:
            self._selected = None
            raise TransientMailboxError(f"{self._label}: {what}: {exc}") from None
        except IMAPClientError as exc:
            raise MailboxError(f"{self._label}: {what}: {exc}") from None

    def _select(self, folder: str, *, readonly: bool = False) -> dict[bytes, Any]:
        info: dict[bytes, Any] = self._call(
            f"SELECT {folder}", self._client.select_folder, folder, readonly=readonly
        )
        self._selected = None if readonly else folder
        flags = info.get(b"PERMANENTFLAGS", ())
        self._keywords_ok = b"\\*" in flags
        return info

    # -- MailStore ------------------------------------------------------------------------

    def capabilities(self) -> tuple[str, ...]:
        """Return the server's capabilities as text."""
        return self._caps

    def delimiter(self) -> str:
        """Return the hierarchy separator of the personal namespace."""
        try:
            personal = self._client.namespace().personal
            if personal and personal[0][1]:
                sep = personal[0][1]
                return sep.decode() if isinstance(sep, bytes) else str(sep)
        except (CapabilityError, IMAPClientError):
            pass
        folders = self._call("LIST", self._client.list_folders, "", "INBOX")
        if folders and folders[0][1]:
            sep = folders[0][1]
            return sep.decode() if isinstance(sep, bytes) else str(sep)
        return "/"

    def _role(self, role: str, find: Callable[[], str | None]) -> str | None:
        """Return a folder found by LIST, asking again at most every ROLE_TTL seconds."""
        now = time.monotonic()
        cached = self._roles.get(role)
        if cached is not None and now - cached[0] < ROLE_TTL:
            return cached[1]
        name = find()
        self._roles[role] = (now, name)
        return name

    def new_pass(self) -> None:
        """Forget STATUS answers: a new pass looks afresh."""
        self._status_cache.clear()

    def drafts_folder(self) -> str:
        """Return the folder with SPECIAL-USE \\Drafts, else the first usual name that exists.

        Found once and kept for ROLE_TTL: a daemon's idle poll then costs no LIST.
        """
        name = self._role("drafts", self._find_drafts)
        if name is None:
            del self._roles["drafts"]
            raise MailboxError(
                f"{self._label}: no Drafts folder (no SPECIAL-USE \\Drafts and none of "
                f"{', '.join(DRAFT_NAMES)}); set RESPONDER_DRAFTS_FOLDER"
            )
        return name

    def _find_drafts(self) -> str | None:
        found = self._call("LIST", self._client.find_special_folder, b"\\Drafts")
        if found:
            return str(found)
        for name in DRAFT_NAMES:
            if self._call("LIST", self._client.folder_exists, name):
                return name
        return None

    def ignore_folder(self, name: str, *, create: bool) -> str:
        """Return ``name`` with '/' mapped to the server's separator; create it when asked."""
        server_name = name.replace("/", self.delimiter())
        if self._call("LIST", self._client.folder_exists, server_name):
            return server_name
        if not create:
            raise MailboxError(f"{self._label}: ignore folder {server_name} does not exist")
        self._status_cache.clear()
        self._call(f"CREATE {server_name}", self._client.create_folder, server_name)
        try:
            self._client.subscribe_folder(server_name)
        except IMAPClientError:
            log.info("could not subscribe to %s; it exists all the same", server_name)
        log.info("created ignore folder %s", server_name)
        return server_name

    def folder_exists(self, name: str) -> bool:
        """True when ``name`` exists on the server."""
        return bool(self._call("LIST", self._client.folder_exists, name))

    def scan(
        self, folder: str, mark: tuple[int, int] | None, since: datetime | None
    ) -> Scan | None:
        """Return messages after the watermark (or since ``since`` on a first pass).

        Uses STATUS first so an idle poll costs one round trip and no SELECT.
        """
        status = self.folder_status(folder)
        if status is None:
            raise MailboxError(f"{self._label}: folder {folder} does not exist")
        self._status_cache.pop(folder, None)  # the pass may change it from here on
        uidvalidity = status.uidvalidity
        uidnext = status.uidnext
        self._scanned_uidnext[folder] = uidnext
        fresh = mark is None or mark[0] != uidvalidity
        if not fresh and mark is not None and uidnext <= mark[1] + 1:
            return None
        self._select(folder)
        criteria: list[Any] = []
        if not fresh and mark is not None:
            criteria += ["UID", f"{mark[1] + 1}:*"]
        if fresh and since is not None:
            # First pass or UIDVALIDITY changed: only the recent window, never the backlog.
            criteria += ["SINCE", since.date()]
        self._check_server_search(uidnext)
        if self.server_search:
            criteria += CANDIDATE_SEARCH
        uids = self._call("SEARCH", self._client.search, criteria or ["ALL"])
        floor = 0 if fresh or mark is None else mark[1]
        refs = [(str(u), int(u)) for u in sorted(uids) if int(u) > floor]
        # What the search left out is covered too, up to the last UID STATUS announced
        # (mail arriving later has a higher UID and is searched next time).
        upto = max(uidnext - 1, refs[-1][1] if refs else 0) if self.server_search else 0
        return Scan(uidvalidity=uidvalidity, refs=refs, reset=fresh and mark is not None,
                    upto=upto)

    def candidate_search(self, folder: str) -> str:
        """Say how LinkedIn-looking mail in ``folder`` is picked, and why (checking the
        server's SEARCH first, as ``auto`` does before a pass's first search)."""
        status = self.folder_status(folder)
        if status is None:
            raise MailboxError(f"{self._label}: folder {folder} does not exist")
        if self._check_search and status.uidnext > 1:
            self._select(folder)
        self._check_server_search(status.uidnext)
        if self.server_search:
            how = "server (one UID SEARCH; only the hits' headers are fetched)"
        else:
            how = "headers (From and Sender of every new message are fetched)"
        pending = " (not checked yet: the folder is empty)" if self._check_search else ""
        return f"{how}: {self._search_reason}{pending}"

    def _check_server_search(self, uidnext: int) -> None:
        """Once per connection, for ``auto``: fall back to the sweep if the selected folder's
        SEARCH misses header fields (nothing to check in an empty folder: later, then)."""
        if self._check_search and uidnext > 1:
            self._check_search = False
            if self._header_search_works(uidnext):
                self._search_reason += ", which finds header fields (checked)"
            else:
                self.server_search = False
                self._search_reason = "the server's SEARCH missed a header field (checked)"

    def _header_search_works(self, uidnext: int) -> bool:
        """True when SEARCH HEADER finds the Message-ID field of the newest message.

        A server that answers SEARCH from a full-text index (Dovecot with an FTS plugin and
        ``fts_enforced = yes``) may not look at fields it does not index, such as Sender or
        X-LinkedIn-Class, and the candidate search would then miss spoofs carrying only
        those; tested against Dovecot with fts-xapian. A newest message without a Message-ID
        also reads as False: the header sweep is always correct, only slower.
        """
        probe = ["UID", f"{uidnext - 1}:*", "HEADER", "MESSAGE-ID", ""]
        if self._call("SEARCH", self._client.search, probe):
            return True
        log.warning(
            "%s: the server's SEARCH did not find the Message-ID field of the newest message "
            "(a full-text index that leaves header fields out?); LinkedIn-looking mail is "
            "picked by fetching the From and Sender of new mail instead. Set "
            "RESPONDER_CANDIDATE_SEARCH=headers to skip this check, or =server to trust the "
            "server's search anyway", self._label,
        )
        return False

    def headers(self, refs: list[tuple[str, int]]) -> list[HeaderInfo]:
        """Fetch candidate header fields, sizes and flags in batches.

        No INTERNALDATE and no Message-ID: on a 50,000-message backlog they would be a third
        of the bytes of this sweep, and nothing needs them before a body is read.
        """
        out: list[HeaderInfo] = []
        self._sizes = {}
        item = _fields_item()
        for start in range(0, len(refs), HEADER_BATCH):
            batch = [pos for _, pos in refs[start : start + HEADER_BATCH]]
            data = self._call("FETCH headers", self._fetch_headers, batch, item)
            for uid in batch:
                row = data.get(uid)
                if row is None:
                    continue  # expunged meanwhile
                size, flags, header = row
                self._sizes[uid] = size
                out.append(
                    HeaderInfo(
                        ref=str(uid),
                        pos=uid,
                        size=size,
                        keywords=flags,
                        header=header or b"",
                    )
                )
        return out

    def _fetch_headers(
        self, uids: list[int], item: bytes
    ) -> dict[int, tuple[int, frozenset[str], bytes]]:
        """UID FETCH sizes, flags and header fields: {uid: (size, flags, header)}.

        Sent through imaplib directly and read with three regular expressions: imapclient's
        general response parser costs about 0.3 ms a message, which over a 50,000-message
        backlog is most of the time of the header sweep.
        """
        imap = self._client._imap
        typ, data = imap.uid(
            "FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE FLAGS " + item.decode() + ")"
        )
        if typ != "OK":
            raise IMAPClientError(f"FETCH failed: {data!r}")
        out: dict[int, tuple[int, frozenset[str], bytes]] = {}
        for i, part in enumerate(data):
            if not isinstance(part, tuple):
                continue  # the ")" after a literal, or an unsolicited response
            after = data[i + 1] if i + 1 < len(data) and isinstance(data[i + 1], bytes) else b""
            meta = part[0] + b" " + after
            uid = _UID_RE.search(meta)
            size = _SIZE_RE.search(meta)
            flags = _FLAGS_RE.search(meta)
            if uid is None or b"BODY[HEADER" not in part[0].upper():
                continue
            out[int(uid.group(1))] = (
                int(size.group(1)) if size else 0,
                frozenset(f.decode() for f in flags.group(1).split()) if flags else frozenset(),
                part[1] or b"",
            )
        missing = [uid for uid in uids if uid not in out]
        if missing:
            # Not a literal (a quoted string or NIL, as some servers send short values), or
            # expunged meanwhile: ask imapclient's parser, which reads every form.
            item_name = item.replace(b".PEEK", b"")
            for uid, row in self._client.fetch(missing, [item, b"RFC822.SIZE", b"FLAGS"]).items():
                header = next((v for k, v in row.items() if k.startswith(item_name[:11])), b"")
                keywords = frozenset(f.decode() if isinstance(f, bytes) else str(f)
                                     for f in row.get(b"FLAGS", ()))
                out[int(uid)] = (int(row.get(b"RFC822.SIZE", 0)), keywords, header or b"")
        return out

    def body_batches(self, refs: list[str]) -> Iterator[list[tuple[str, bytes]]]:
        """Yield whole messages with BODY.PEEK[], one list per FETCH (nothing marked read).

        A batch is up to PASS_BODY_BATCH messages and PASS_BODY_BYTES (by the sizes the
        header sweep saw), so memory stays bounded however big the backlog or the mail.
        """
        for batch in self._body_batches([int(r) for r in refs]):
            data = self._call("FETCH bodies", self._client.fetch, batch, [b"BODY.PEEK[]"])
            yield [(str(uid), bytes(data[uid][b"BODY[]"])) for uid in batch
                   if uid in data and b"BODY[]" in data[uid]]

    def _body_batches(self, uids: list[int]) -> Iterator[list[int]]:
        batch: list[int] = []
        size = 0
        for uid in uids:
            one = self._sizes.get(uid, 0)
            if batch and (len(batch) >= PASS_BODY_BATCH or size + one > PASS_BODY_BYTES):
                yield batch
                batch, size = [], 0
            batch.append(uid)
            size += one
        if batch:
            yield batch

    def draft_ids(self, folder: str) -> set[str]:
        """Return Message-IDs of responder's drafts in ``folder`` (one EXAMINE and a search).

        The folder selected before stays selected afterwards.
        """
        previous = self._selected
        self._select(folder, readonly=True)
        uids = self._call("SEARCH drafts", self._client.search, ["HEADER", DRAFT_HEADER, ""])
        ids: set[str] = set()
        for start in range(0, len(uids), HEADER_BATCH):
            batch = uids[start : start + HEADER_BATCH]
            data = self._call(
                "FETCH draft ids",
                self._client.fetch,
                batch,
                [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"],
            )
            for row in data.values():
                header = next((v for k, v in row.items() if k.startswith(b"BODY[HEADER")), b"")
                value = header.decode("ascii", "replace").partition(":")[2].strip()
                if value:
                    ids.add(value)
        if previous is not None:
            self._select(previous)
        return ids

    def find_drafts(self, folder: str, ids: list[str]) -> set[str]:
        """Return which of ``ids`` are Message-IDs of messages in ``folder``.

        One EXAMINE and one SEARCH for just these ids (and a FETCH when any is there), so
        a pass with a few new drafts costs a few hundred bytes however full Drafts is. The
        folder selected before stays selected afterwards.
        """
        if not ids:
            return set()
        previous = self._selected
        self._select(folder, readonly=True)
        criteria: list[Any] = []
        for i, message_id in enumerate(ids):
            if i < len(ids) - 1:
                criteria.append("OR")
            criteria += ["HEADER", "Message-ID", message_id]
        uids = self._call("SEARCH drafts", self._client.search, criteria)
        found: set[str] = set()
        if uids:
            data = self._call("FETCH draft ids", self._client.fetch, uids,
                              [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for row in data.values():
                header = next((v for k, v in row.items() if k.startswith(b"BODY[HEADER")), b"")
                value = header.decode("ascii", "replace").partition(":")[2].strip()
                if value in ids:
                    found.add(value)
        if previous is not None:
            self._select(previous)
        return found

    def append_draft(self, folder: str, raw: bytes) -> None:
        """APPEND ``raw`` to ``folder`` with \\Draft and \\Seen."""
        self._status_cache.clear()
        self._call(
            f"APPEND {folder}", self._client.append, folder, raw, flags=(b"\\Draft", b"\\Seen")
        )

    def append_drafts(self, folder: str, raws: list[bytes]) -> None:
        """APPEND several drafts: one MULTIAPPEND command where offered (RFC 3502, all or
        none), else one APPEND each."""
        if len(raws) > 1 and "MULTIAPPEND" in self._caps:
            self._status_cache.clear()
            flags = (b"\\Draft", b"\\Seen")
            what = f"APPEND {folder} ({len(raws)} drafts)"
            typ, data = self._call(what, self._client.multiappend, folder,
                                   [{"msg": raw, "flags": flags} for raw in raws])
            if typ != "OK":  # imapclient hands back a NO ([OVERQUOTA]...) instead of raising
                text = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
                raise MailboxError(f"{self._label}: {what}: {typ} {text}")
            return
        for raw in raws:
            self.append_draft(folder, raw)

    def add_keyword(self, ref: str, keyword: str) -> bool:
        """Set a keyword on one message of the selected folder, where the server keeps them."""
        self._status_cache.clear()
        if not self._keywords_ok:
            return False
        self._call("STORE keyword", self._client.add_flags, [int(ref)], [keyword.encode()], True)
        return True

    def add_keyword_many(self, refs: list[str], keyword: str) -> bool:
        """Set a keyword on messages of the selected folder with one STORE per ACT_BATCH."""
        self._status_cache.clear()
        if not self._keywords_ok or not refs:
            return self._keywords_ok
        uids = [int(r) for r in refs]
        for start in range(0, len(uids), ACT_BATCH):
            self._call("STORE keyword", self._client.add_flags, uids[start : start + ACT_BATCH],
                       [keyword.encode()], True)
        return True

    def move_many(self, refs: list[str], folder: str) -> None:
        """Move messages with one MOVE per ACT_BATCH; else as ``move`` does, one by one."""
        self._status_cache.clear()
        uids = [int(r) for r in refs]
        if "MOVE" not in self._caps:
            for ref in refs:
                self.move(ref, folder)
            return
        for start in range(0, len(uids), ACT_BATCH):
            self._call(f"MOVE to {folder}", self._client.move, uids[start : start + ACT_BATCH],
                       folder)

    def move(self, ref: str, folder: str) -> None:
        """Move one message: MOVE, else COPY + \\Deleted + UID EXPUNGE of that UID only."""
        self._status_cache.clear()
        uid = [int(ref)]
        if "MOVE" in self._caps:
            self._call(f"MOVE to {folder}", self._client.move, uid, folder)
            return
        if not self._copy_in(uid[0], folder):
            self._call(f"COPY to {folder}", self._client.copy, uid, folder)
        if "UIDPLUS" in self._caps:
            self._call("STORE \\Deleted", self._client.add_flags, uid, [b"\\Deleted"], True)
            self._call("UID EXPUNGE", self._client.uid_expunge, uid)
        else:
            # No safe single-message expunge: leave the original, marked, rather than risk
            # expunging messages the user flagged \Deleted.
            log.warning("server has neither MOVE nor UIDPLUS: copied UID %s, original kept", ref)

    # -- read-only looks for the feedback loop ------------------------------------------

    def sent_folder(self) -> str | None:
        """Return the folder with SPECIAL-USE \\Sent, else the first usual name, else None.

        Found once and kept for ROLE_TTL: a daemon's idle poll then costs no LIST.
        """
        return self._role("sent", self._find_sent)

    def _find_sent(self) -> str | None:
        listed = self._call("LIST", self._client.list_folders)
        for flags, _sep, name in listed:
            if b"\\Sent" in flags:
                return str(name)
        names = {str(name) for _f, _s, name in listed}
        return next((n for n in SENT_NAMES if n in names), None)

    def folder_status(self, folder: str) -> FolderStatus | None:
        """One STATUS (with HIGHESTMODSEQ where CONDSTORE is offered); None if it is missing."""
        cached = self._status_cache.get(folder)
        if cached is not None and time.monotonic() - cached[0] < STATUS_TTL:
            return cached[1]
        items = [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"]
        if "CONDSTORE" in self._caps:
            items.append(b"HIGHESTMODSEQ")
        try:
            status = self._call(f"STATUS {folder}", self._client.folder_status, folder, items)
        except MailboxError:
            if not self.folder_exists(folder):
                return None
            raise
        answer = FolderStatus(
            uidvalidity=int(status[b"UIDVALIDITY"]),
            uidnext=int(status[b"UIDNEXT"]),
            messages=int(status[b"MESSAGES"]),
            modseq=int(status.get(b"HIGHESTMODSEQ", 0)),
        )
        self._status_cache[folder] = (time.monotonic(), answer)
        return answer

    def _examine(self, folder: str) -> str | None:
        previous = self._selected
        self._select(folder, readonly=True)
        return previous

    def _restore(self, previous: str | None) -> None:
        if previous is not None:
            self._select(previous)

    def peek_headers(
        self, folder: str, after: int, fields: tuple[str, ...], since: datetime | None = None
    ) -> list[Peek]:
        """EXAMINE ``folder``, UID SEARCH above ``after`` and fetch ``fields`` and FLAGS."""
        previous = self._examine(folder)
        criteria: list[Any] = ["UID", f"{after + 1}:*"]
        if since is not None:
            criteria += ["SINCE", since.date()]
        uids = [int(u) for u in self._call("SEARCH", self._client.search, criteria)]
        uids = sorted(u for u in uids if u > after)
        out = self._peek(uids, fields)
        self._restore(previous)
        return out

    def _peek(self, uids: list[int], fields: tuple[str, ...]) -> list[Peek]:
        item = b"BODY.PEEK[HEADER.FIELDS (" + " ".join(fields).upper().encode() + b")]"
        out: list[Peek] = []
        for start in range(0, len(uids), HEADER_BATCH):
            batch = uids[start : start + HEADER_BATCH]
            data = self._call("FETCH peek", self._client.fetch, batch, [item, b"FLAGS"])
            for uid in batch:
                row = data.get(uid)
                if row is None:
                    continue
                header = next((v for k, v in row.items() if k.startswith(b"BODY[HEADER")), b"")
                flags = frozenset(
                    f.decode() if isinstance(f, bytes) else str(f) for f in row.get(b"FLAGS", ())
                )
                out.append(Peek(str(uid), uid, header or b"", flags))
        return out

    def peek_messages(self, folder: str, refs: list[str]) -> dict[str, bytes]:
        """EXAMINE ``folder`` and fetch whole messages with BODY.PEEK[] (nothing marked read)."""
        if not refs:
            return {}
        previous = self._examine(folder)
        out: dict[str, bytes] = {}
        uids = [int(r) for r in refs]
        for start in range(0, len(uids), BODY_BATCH):
            batch = uids[start : start + BODY_BATCH]
            data = self._call("FETCH peek bodies", self._client.fetch, batch, [b"BODY.PEEK[]"])
            for uid in batch:
                row = data.get(uid)
                if row is not None and b"BODY[]" in row:
                    out[str(uid)] = bytes(row[b"BODY[]"])
        self._restore(previous)
        return out

    def answered(self, folder: str, refs: list[str]) -> dict[str, bytes]:
        """One UID SEARCH ANSWERED over ``refs``; the Message-ID of each hit, to check it."""
        if not refs:
            return {}
        previous = self._examine(folder)
        wanted = ",".join(str(int(r)) for r in refs)
        hits = self._call("SEARCH answered", self._client.search, ["ANSWERED", "UID", wanted])
        found = {p.ref: p.header for p in self._peek(sorted(int(u) for u in hits),
                                                     ("MESSAGE-ID",))}
        self._restore(previous)
        return found

    def _copy_in(self, uid: int, folder: str) -> bool:
        """True when ``folder`` already holds a copy of message ``uid`` (same Message-ID).

        The COPY fallback is two steps; a crash or a dropped connection after the COPY would
        otherwise make the next pass copy the message a second time.
        """
        data = self._call("FETCH Message-ID", self._client.fetch, [uid],
                          [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        row = data.get(uid) or {}
        header = next((v for k, v in row.items() if k.startswith(b"BODY[HEADER")), b"")
        message_id = bytes(header).decode("ascii", "replace").partition(":")[2].strip()
        if not message_id:
            return False
        previous = self._examine(folder)
        try:
            found = self._call("SEARCH copy", self._client.search,
                               ["HEADER", "Message-ID", message_id])
        finally:
            self._restore(previous)
        return bool(found)

    def noop(self) -> None:
        """Round-trip once to check the connection."""
        self._call("NOOP", self._client.noop)

    def idle_wait(self, folder: str, timeout: float, stop: threading.Event) -> bool:
        """IDLE on ``folder`` up to ``timeout`` seconds; True when the server reported news.

        Checks ``stop`` every second so a SIGTERM never waits for the IDLE to end. Mail that
        arrived after the last scan's STATUS but before this SELECT is news too: IDLE would
        only announce mail arriving after it starts.
        """
        if "IDLE" not in self._caps:
            raise MailboxError(f"{self._label}: server has no IDLE")
        info = self._select(folder, readonly=True)
        scanned = self._scanned_uidnext.get(folder)
        if scanned is not None and int(info.get(b"UIDNEXT", 0)) > scanned:
            return True
        self._call("IDLE", self._client.idle)
        deadline = time.monotonic() + timeout
        responses: list[Any] = []
        try:
            while not responses and not stop.is_set() and time.monotonic() < deadline:
                responses = self._call("IDLE wait", self._client.idle_check, timeout=1)
        finally:
            self._call("IDLE done", self._client.idle_done)
        if any(len(r) > 0 and r[0] == b"BYE" for r in responses):
            raise TransientMailboxError(f"{self._label}: server said BYE")
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    def close(self) -> None:
        """Log out, ignoring a connection that is already gone."""
        with contextlib.suppress(IMAPClientError, OSError):
            self._client.logout()


def _server_search(candidates: str, caps: tuple[str, ...]) -> bool:
    """True when candidates are picked by a server-side search (RESPONDER_CANDIDATE_SEARCH).

    ``auto`` trusts the server to search by substring as RFC 3501 asks, except Gmail
    (X-GM-EXT-1), whose SEARCH matches whole words and would miss "linkedin.com" in "nked".
    """
    if candidates == "auto":
        return "X-GM-EXT-1" not in {c.upper() for c in caps}
    return candidates == "server"


def _no_delay(client: Any) -> None:
    """Turn off Nagle's algorithm on the connection.

    imaplib sends an APPEND literal and its closing CRLF as two writes; with Nagle the CRLF
    waits for the server's delayed ACK of the literal, about 40 ms per draft on Linux.
    """
    with contextlib.suppress(AttributeError, OSError):
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _caps(client: Any) -> set[str]:
    return {c.decode() if isinstance(c, bytes) else str(c) for c in client.capabilities()}
