"""Private Dovecot instances for the server-fault tests: capability profiles, ACLs, quota.

Each starts on its own port with its own mail directory, so restarting or reconfiguring one
never disturbs the session's server.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.dovecot import Dovecot, free_port, server_root, started

#: Dovecot 2.3's default post-login capabilities that matter here (reliability.md section K).
FULL_CAPS = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SEARCHRES WITHIN CHILDREN NAMESPACE "
    "UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT UNSELECT MOVE "
    "SPECIAL-USE LITERAL+ LIST-STATUS BINARY MULTIAPPEND"
)


def caps_without(*names: str) -> str:
    """An ``imap_capability`` line with ``names`` taken out of FULL_CAPS."""
    kept = [c for c in FULL_CAPS.split() if c not in names]
    return "imap_capability = " + " ".join(kept) + "\n"


def no_special_use(conf: str) -> str:
    """Drop the special_use attributes, so LIST says nothing about \\Drafts."""
    return re.sub(r"^\s*special_use = .*\n", "", conf, flags=re.M)


def no_drafts(conf: str) -> str:
    """Drop the Drafts mailbox definition, so new accounts have no Drafts folder at all."""
    return re.sub(r"  mailbox Drafts \{\n(?:.*\n)*?  \}\n", "", conf)


#: INBOX without the 'w' right: \Seen and \Deleted may be stored, keywords may not, so
#: SELECT INBOX answers PERMANENTFLAGS (\Deleted \Seen) without \* (tested in reliability.md
#: terms: a server that keeps no custom keywords). Drafts and other folders keep every right.
NO_KEYWORDS_ACL = "INBOX owner lrstiekxa\n"
ACL_CONF = """
mail_plugins = $mail_plugins acl
protocol imap {
  mail_plugins = $mail_plugins imap_acl
}
plugin {
  acl = vfile:@ROOT@/global-acl
}
"""
QUOTA_CONF = """
mail_plugins = $mail_plugins quota
plugin {
  quota = count:User quota
  quota_rule = *:storage=@STORAGE@
  quota_max_mail_size = @MAXSIZE@
  quota_vsizes = yes
}
"""


@dataclass
class PrivateDovecot(Dovecot):
    """A Dovecot whose written config can be edited (and reloaded) by a test."""

    edit: Callable[[str], str] | None = None

    def write_config(self) -> None:
        super().write_config()
        if self.edit is not None:
            self.conf.write_text(self.edit(self.conf.read_text()))

    def reload(self, extra: str) -> None:
        """Rewrite the config with a new ``extra`` part and make Dovecot re-read it."""
        self.extra = extra
        self.write_config()
        subprocess.run(["dovecot", "-c", str(self.conf), "reload"], check=True)
        time.sleep(1.0)  # the master re-execs its children; new logins get the new config

    def restart(self) -> None:
        """Stop and start again on the same port, every session cut as a real restart does.

        Dovecot 2.3's master does not take running imap sessions down with it when stopped,
        so the sessions are kicked first (each gets ``* BYE`` and its connection closed).
        """
        for line in self.doveadm("who", "-1").splitlines()[1:]:
            if line.split():
                self.doveadm("kick", line.split()[0])
        self.stop()
        for _ in range(50):
            try:
                self.start()
                return
            except (RuntimeError, subprocess.CalledProcessError):
                time.sleep(0.2)
        self.start()


@contextmanager
def private_dovecot(
    extra: str = "", edit: Callable[[str], str] | None = None, acl: str | None = None
) -> Iterator[PrivateDovecot]:
    """Start a private Dovecot; ``extra`` may say @ROOT@ for its directory."""
    root = server_root("responder-rel-dovecot-")
    if acl is not None:
        (root / "global-acl").write_text(acl)
        (root / "global-acl").chmod(0o644)
        extra = ACL_CONF + extra
    with started(PrivateDovecot(root, free_port(), extra=extra.replace("@ROOT@", str(root)),
                                edit=edit)) as server:
        yield server


def quota(storage: str, max_size: str) -> str:
    return QUOTA_CONF.replace("@STORAGE@", storage).replace("@MAXSIZE@", max_size)
