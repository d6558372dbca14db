"""A local Maildir (for example one kept in sync by mbsync) as a mail store.

Folders are Maildir++: ``INBOX`` is the top directory, ``LinkedIn/Ignored`` is
``.LinkedIn.Ignored``. A message's ``ref`` is its unique file name before the ``:2,`` info, its
``pos`` the file's modification time in nanoseconds. Moves are renames: atomic on one file
system, so a crash leaves the message in exactly one folder.
"""

from __future__ import annotations

import email.policy
import os
import socket
import time
import zlib
from collections.abc import Iterator
from datetime import datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from responder.errors import MailboxError
from responder.mailstore import DRAFT_HEADER, FolderStatus, HeaderInfo, Peek, Scan

HEADER_LIMIT = 64 * 1024
#: Messages read per batch of a pass (the pass acts on each batch before reading the next).
BODY_BATCH = 100
FLAG_CHARS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}


def folder_path(root: Path, name: str) -> Path:
    """Return the directory of folder ``name`` (``INBOX`` is the root) in Maildir++ layout."""
    if name.upper() == "INBOX":
        return root
    return root / ("." + name.replace("/", "."))


def make_folder(path: Path) -> None:
    """Create a Maildir folder (cur, new, tmp) if missing."""
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.name.startswith("."):
        (path / "maildirfolder").touch()


def _unique_name() -> str:
    return f"{time.time_ns()}.P{os.getpid()}R{os.urandom(4).hex()}.{socket.gethostname()}"


class MaildirStore:
    """A Maildir tree; the selected folder is the one last scanned."""

    def __init__(self, root: Path) -> None:
        if not (root / "cur").is_dir() or not (root / "new").is_dir():
            raise MailboxError(f"RESPONDER_MAILDIR={root} is not a Maildir (no cur/ and new/)")
        self.root = root
        self._selected = root
        self._files: dict[str, Path] = {}

    def capabilities(self) -> tuple[str, ...]:
        """A Maildir has no IMAP capabilities."""
        return ()

    def drafts_folder(self) -> str:
        """Return ``Drafts``, creating ``.Drafts`` when missing (as mail clients do)."""
        make_folder(folder_path(self.root, "Drafts"))
        return "Drafts"

    def ignore_folder(self, name: str, *, create: bool) -> str:
        """Return ``name``; create its directory when asked and missing."""
        path = folder_path(self.root, name)
        if not (path / "cur").is_dir():
            if not create:
                raise MailboxError(f"ignore folder {path} does not exist")
            make_folder(path)
        return name

    def _index(self, folder: Path) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            directory = folder / sub
            if not directory.is_dir():
                raise MailboxError(f"{folder} is not a Maildir folder")
            for entry in os.scandir(directory):
                if entry.is_file() and not entry.name.startswith("."):
                    files[entry.name.split(":", 1)[0]] = Path(entry.path)
        return files

    def scan(
        self, folder: str, mark: tuple[int, int] | None, since: datetime | None
    ) -> Scan | None:
        """List messages whose file changed after the watermark (or since ``since``)."""
        self._selected = folder_path(self.root, folder)
        self._files = self._index(self._selected)
        floor = mark[1] if mark is not None else 0
        since_ns = int(since.timestamp() * 1e9) if since is not None else 0
        refs: list[tuple[str, int]] = []
        for ref, path in self._files.items():
            pos = path.stat().st_mtime_ns
            if pos > floor and pos >= since_ns:
                refs.append((ref, pos))
        if not refs:
            return None
        refs.sort(key=lambda r: (r[1], r[0]))
        return Scan(uidvalidity=1, refs=refs, reset=False)

    def headers(self, refs: list[tuple[str, int]]) -> list[HeaderInfo]:
        """Read the header block of each message (at most 64 KiB of it)."""
        out = []
        for ref, pos in refs:
            path = self._files.get(ref)
            if path is None or not path.exists():
                continue
            with path.open("rb") as fh:
                head = fh.read(HEADER_LIMIT)
            end = head.find(b"\r\n\r\n")
            end = head.find(b"\n\n") if end < 0 else end
            header = head if end < 0 else head[: end + 2]
            info = path.name.split(":2,", 1)
            flags = frozenset(FLAG_CHARS[c] for c in (info[1] if len(info) > 1 else "")
                              if c in FLAG_CHARS)
            out.append(
                HeaderInfo(
                    ref=ref,
                    pos=pos,
                    size=path.stat().st_size,
                    keywords=flags,
                    header=header,
                )
            )
        return out

    def body_batches(self, refs: list[str]) -> Iterator[list[tuple[str, bytes]]]:
        """Yield the whole files of the messages, BODY_BATCH at a time."""
        for start in range(0, len(refs), BODY_BATCH):
            batch = []
            for ref in refs[start : start + BODY_BATCH]:
                path = self._files.get(ref)
                if path is not None and path.exists():
                    batch.append((ref, path.read_bytes()))
            yield batch

    def draft_ids(self, folder: str) -> set[str]:
        """Return Message-IDs of the drafts in ``folder`` that carry responder's header."""
        ids: set[str] = set()
        parser = BytesHeaderParser(policy=email.policy.compat32)
        for path in self._index(folder_path(self.root, folder)).values():
            with path.open("rb") as fh:
                headers = parser.parsebytes(fh.read(HEADER_LIMIT))
            if headers.get(DRAFT_HEADER) is not None and headers.get("Message-ID"):
                ids.add(str(headers["Message-ID"]).strip())
        return ids

    def append_draft(self, folder: str, raw: bytes) -> None:
        """Write the draft to tmp/ then rename it into cur/ with the D and S flags."""
        path = folder_path(self.root, folder)
        make_folder(path)
        name = _unique_name()
        tmp = path / "tmp" / name
        with tmp.open("wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path / "cur" / f"{name}:2,DS")

    def append_drafts(self, folder: str, raws: list[bytes]) -> None:
        """Write each draft as ``append_draft`` does."""
        for raw in raws:
            self.append_draft(folder, raw)

    def add_keyword(self, ref: str, keyword: str) -> bool:
        """A plain Maildir keeps no custom keywords: the state store records the outcome."""
        return False

    def move(self, ref: str, folder: str) -> None:
        """Rename the message's file into the other folder's cur/ (atomic)."""
        source = self._files.get(ref)
        if source is None or not source.exists():
            raise MailboxError(f"message {ref} is no longer in {self._selected}")
        target_dir = folder_path(self.root, folder)
        make_folder(target_dir)
        name = source.name if ":2," in source.name else source.name + ":2,"
        os.replace(source, target_dir / "cur" / name)
        del self._files[ref]

    # -- read-only looks for the feedback loop ------------------------------------------
    # A message's ``pos`` here is the later of its mtime and ctime: a rename (a mail client
    # moving a message back) changes the ctime, so a returned message counts as new.

    def _changed(self, name: str) -> dict[str, tuple[Path, int]] | None:
        path = folder_path(self.root, name)
        if not (path / "cur").is_dir():
            return None
        out: dict[str, tuple[Path, int]] = {}
        for ref, file in self._index(path).items():
            st = file.stat()
            out[ref] = (file, max(st.st_mtime_ns, st.st_ctime_ns))
        return out

    def sent_folder(self) -> str | None:
        """Return ``Sent`` when the Maildir has that folder."""
        return "Sent" if (folder_path(self.root, "Sent") / "cur").is_dir() else None

    def folder_status(self, folder: str) -> FolderStatus | None:
        """Counters from a directory listing; ``modseq`` changes when any flag or file does."""
        files = self._changed(folder)
        if files is None:
            return None
        newest = max((pos for _, pos in files.values()), default=0)
        names = "\n".join(sorted(p.name for p, _ in files.values()))
        return FolderStatus(1, newest + 1, len(files), zlib.crc32(names.encode()) + 1)

    def peek_headers(
        self, folder: str, after: int, fields: tuple[str, ...], since: datetime | None = None
    ) -> list[Peek]:
        """Headers and flags of files that changed after ``after`` (``fields`` are all kept)."""
        files = self._changed(folder) or {}
        floor = max(after, int(since.timestamp() * 1e9) - 1 if since is not None else 0)
        out = []
        for ref, (path, pos) in sorted(files.items(), key=lambda kv: (kv[1][1], kv[0])):
            if pos <= floor:
                continue
            with path.open("rb") as fh:
                head = fh.read(HEADER_LIMIT)
            end = head.find(b"\r\n\r\n")
            end = head.find(b"\n\n") if end < 0 else end
            out.append(Peek(ref, pos, head if end < 0 else head[: end + 2], _flags(path)))
        return out

    def peek_messages(self, folder: str, refs: list[str]) -> dict[str, bytes]:
        """The whole files of ``refs`` in ``folder``."""
        files = self._changed(folder) or {}
        return {r: files[r][0].read_bytes() for r in refs if r in files}

    def answered(self, folder: str, refs: list[str]) -> dict[str, bytes]:
        """Those ``refs`` whose file name carries the R (replied) flag, with their header."""
        files = self._changed(folder) or {}
        out: dict[str, bytes] = {}
        for ref in refs:
            if ref in files and "\\Answered" in _flags(files[ref][0]):
                with files[ref][0].open("rb") as fh:
                    out[ref] = fh.read(HEADER_LIMIT)
        return out

    def close(self) -> None:
        """Nothing to release."""


def _flags(path: Path) -> frozenset[str]:
    info = path.name.split(":2,", 1)
    return frozenset(FLAG_CHARS[c] for c in (info[1] if len(info) > 1 else "") if c in FLAG_CHARS)
