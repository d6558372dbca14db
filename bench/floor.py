"""The floor: the least IMAP work any tool must do to leave the mailbox as a pass leaves it.

It is told the answer (the generated labels, by Message-ID), so it does no reading,
classifying or composing. It finds LinkedIn-looking mail with one server-side SEARCH,
downloads exactly that mail in batches, APPENDs one small threaded draft per ask worth
answering (the drafts of each batch in one MULTIAPPEND command where the server offers it,
as responder does; ``--single-appends`` sends one APPEND per draft instead), and in a few
batched commands MOVEs the noise to the ignore folder and sets the same keywords a pass sets.
Nothing else: no state, no checks.

Usage: ``python bench/floor.py PORT USER PASSWORD EXPECTED.json [--single-appends]``.
"""

from __future__ import annotations

import json
import re
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

from imapclient import IMAPClient

BATCH = 100
IGNORE = "LinkedIn/Ignored"
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>]*>)", re.IGNORECASE | re.MULTILINE)


def draft(message_id: str) -> bytes:
    """Return a short threaded reply to ``message_id``."""
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        "From: Dana Reyes <dana@example.org>\r\n"
        "To: someone@example.org\r\n"
        "Subject: Re: your invitation\r\n"
        f"Date: {now}\r\n"
        f"Message-ID: <reply.{message_id.strip('<>')}>\r\n"
        f"In-Reply-To: {message_id}\r\n"
        f"References: {message_id}\r\n"
        "X-Responder-Draft: floor\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hi, thanks for reaching out. Happy to talk: call me on +1 555 0100 or on Skype\r\n"
        "(dana.reyes), whichever suits you. Best, Dana\r\n"
    ).encode()


def main(port: int, user: str, password: str, expected: dict[str, str], *,
         multiappend: bool = True) -> int:
    """Do the work; return the number of LinkedIn-looking messages handled."""
    c = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=60)
    c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as responder does
    c.login(user, password)
    c.select_folder("INBOX")
    # "nked" is in linkedin, linkedln, l1nkedin... and in display names such as "LinkedIn".
    uids = c.search(["FROM", "nked"])
    drafted: list[int] = []
    filed: list[int] = []
    suspicious: list[int] = []
    together = multiappend and c.has_capability("MULTIAPPEND")
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        replies: list[bytes] = []
        for uid, row in c.fetch(batch, [b"BODY.PEEK[]"]).items():
            match = _MESSAGE_ID.search(row[b"BODY[]"])
            message_id = match.group(1).decode() if match else ""
            action = expected.get(message_id)
            if action == "draft":
                replies.append(draft(message_id))
                drafted.append(uid)
            elif action == "file":
                filed.append(uid)
            elif action == "flag_suspicious":
                suspicious.append(uid)
        if together and replies:  # one APPEND command for the batch's drafts (RFC 3502)
            c.multiappend("Drafts", [{"msg": r, "flags": (b"\\Draft", b"\\Seen")}
                                     for r in replies])
        else:
            for r in replies:
                c.append("Drafts", r, flags=(b"\\Draft", b"\\Seen"))
    for uids_, keyword in ((drafted, b"$ResponderDrafted"), (filed, b"$ResponderFiled"),
                           (suspicious, b"$ResponderSuspicious")):
        for start in range(0, len(uids_), 1000):
            c.add_flags(uids_[start : start + 1000], [keyword], silent=True)
    if filed and not c.folder_exists(IGNORE):
        c.create_folder(IGNORE)
    for start in range(0, len(filed), 1000):
        c.move(filed[start : start + 1000], IGNORE)
    c.logout()
    return len(uids)


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[4]).read_text())
    found = main(int(sys.argv[1]), sys.argv[2], sys.argv[3], data["expected"],
                 multiappend="--single-appends" not in sys.argv[5:])
    print(f"floor: {found} LinkedIn-looking messages")
