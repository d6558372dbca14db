"""Server faults: restart mid-pass, UIDVALIDITY changes, folders vanishing, quota, and servers
without MOVE, UIDPLUS, SPECIAL-USE, CONDSTORE or custom keywords.

Where the server behaves as Dovecot's defaults do, the mailbox must end exactly as in the
fault-free reference run. Where a capability is missing, the profile's own clean run is the
reference (the documented fallback changes where things land, never what is decided), and
faults on that profile must end the same as it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from responder.imap import ImapStore
from responder.state import StateStore
from tests.dovecot import Account, Dovecot
from tests.reliability import harness, servers
from tests.reliability.conftest import Ledger, Reference, new_account

pytestmark = pytest.mark.imap

DELETED_ID = harness.message_id_of(harness.USER_DELETED)


@contextmanager
def after_nth(cls: type, name: str, n: int, action: Callable[[], None]) -> Iterator[None]:
    """Run ``action`` right after the ``n``-th call of ``cls.name`` (in this process)."""
    original = getattr(cls, name)
    calls = 0

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        result = original(self, *args, **kwargs)
        calls += 1
        if calls == n:
            action()
        return result

    setattr(cls, name, wrapper)
    try:
        yield
    finally:
        setattr(cls, name, original)


def drafted_parents(state: harness.EndState) -> list[str]:
    return sorted(k for k, _ in state.get("Drafts", []) if k.startswith("draft-for:"))


def where(state: harness.EndState, message_id: str) -> list[str]:
    return [folder for folder, rows in state.items() for k, _ in rows if k == message_id]


# -- restart, UIDVALIDITY, folders ------------------------------------------------------------


@pytest.mark.parametrize(("method", "n"), [("headers", 1), ("body_batches", 1),
                                           ("append_drafts", 1),
                                           ("move_many", 1), ("add_keyword_many", 2)])
def test_dovecot_restarted_mid_pass(
    method: str, n: int, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    if not hasattr(ImapStore, method):
        pytest.fail(f"ImapStore has no {method}: update the suite")
    with servers.private_dovecot() as server:
        account = server.account(1)
        delivered = harness.load_backlog(account)
        settings = harness.settings_for(account, tmp_path / "state")
        restarted: list[bool] = []
        with after_nth(ImapStore, method, n, lambda: restarted.append(True) or server.restart()):
            failures, _ = harness.run_until_done(settings, reference.engine)
        damage = harness.compare(reference.state, harness.end_state(account), delivered)
    ledger.record("server", f"Dovecot restarted after {method}#{n}", faults=len(restarted),
                  duplicates=damage.duplicates, losses=damage.losses,
                  note=f"{failures} failed pass(es)")
    assert restarted, f"{method} was not called {n} times: update the suite"
    assert failures >= 1
    assert damage.clean, damage.differences


def _uidvalidity(account: Account, folder: str) -> int:
    with account.client() as c:
        return int(c.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])


@pytest.mark.parametrize("folders", [("INBOX",), ("Drafts",), ("INBOX", "Drafts")])
@pytest.mark.parametrize("crash", [False, True])
def test_uidvalidity_change_between_passes(
    folders: tuple[str, ...], crash: bool, dovecot: Dovecot, reference: Reference,
    tmp_path: Path, ledger: Ledger,
) -> None:
    """Half the backlog, a pass (or a killed pass), new UIDVALIDITY, the rest, a pass."""
    account = new_account(dovecot)
    paths = harness.corpus_paths()
    account.deliver_all(paths[: len(paths) // 2])
    settings = harness.settings_for(account, tmp_path / "state")
    if crash:
        point = harness.KillPoint("append_draft", 1)
        assert harness.forked_pass(settings, reference.engine, point) == "killed"
    else:
        harness.run_until_done(settings, reference.engine)
    for folder in folders:
        dovecot.doveadm("mailbox", "update", "-u", account.user, "--uid-validity",
                        str(_uidvalidity(account, folder) + 1000), folder)
    account.deliver_all(paths[len(paths) // 2 :])
    with account.client() as c:
        c.append("INBOX", harness.USER_DELETED, flags=[b"\\Deleted"])
    harness.run_until_done(settings, reference.engine)
    harness.run_until_done(settings, reference.engine)
    damage = harness.compare(reference.state, harness.end_state(account), reference.delivered)
    ledger.record("server", f"UIDVALIDITY of {'+'.join(folders)} changed"
                  + (" after a kill -9" if crash else ""), faults=1 + crash,
                  duplicates=damage.duplicates, losses=damage.losses)
    assert damage.clean, damage.differences


def test_ignore_folder_deleted_while_running(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    """The user deletes LinkedIn/Ignored right after the pass found (or made) it."""
    account = new_account(dovecot)
    delivered = harness.load_backlog(account)
    settings = harness.settings_for(account, tmp_path / "state")

    def delete() -> None:
        with account.client() as c:
            c.delete_folder(harness.IGNORED)

    with after_nth(ImapStore, "ignore_folder", 1, delete):
        first = harness.run_until_done(settings, reference.engine)[1]
    harness.run_until_done(settings, reference.engine)
    damage = harness.compare(reference.state, harness.end_state(account), delivered)
    ledger.record("server", "ignore folder deleted while running", faults=1,
                  duplicates=damage.duplicates, losses=damage.losses,
                  note=f"{first.summary.errors} error(s) in the pass that lost it")
    assert damage.clean, damage.differences


def test_drafts_folder_missing(reference: Reference, tmp_path: Path, ledger: Ledger) -> None:
    """No Drafts anywhere: no draft is written elsewhere, nothing is lost; once the user
    makes Drafts, the next pass drafts what it could not before, once."""
    with servers.private_dovecot(edit=servers.no_drafts) as server:
        account = server.account(1)
        delivered = harness.load_backlog(account)
        assert "Drafts" not in account.folders()
        settings = harness.settings_for(account, tmp_path / "state")
        first = harness.run_until_done(settings, reference.engine)[1]
        after_first = harness.end_state(account)
        created = sorted(set(after_first) - {"INBOX", harness.IGNORED, "Sent", "Junk"})
        with account.client() as c:
            c.create_folder("Drafts")
        harness.run_until_done(settings, reference.engine)
        harness.run_until_done(settings, reference.engine)
        damage = harness.compare(reference.state, harness.end_state(account), delivered)
    unsafe = len(created)
    ledger.record("server", "Drafts folder missing, then created by the user", faults=1,
                  duplicates=damage.duplicates, losses=damage.losses, unsafe=unsafe,
                  note=f"{first.summary.errors} error(s) while missing")
    assert created == [], "no folder is made up for drafts"
    assert first.summary.errors >= 1, "the missing folder is reported"
    assert damage.clean, damage.differences


def test_quota_exceeded_on_append(reference: Reference, tmp_path: Path, ledger: Ledger) -> None:
    """APPEND refused with [OVERQUOTA], then [LIMIT]: nothing lost, no draft half-made, the
    error is in `status`; once there is room the drafts are made, once each."""
    with servers.private_dovecot(servers.quota("1G", "100M")) as server:
        account = server.account(1)
        delivered = harness.load_backlog(account)
        settings = harness.settings_for(account, tmp_path / "state")
        used_kb = _quota_used_kb(server, account)
        server.reload(servers.quota(f"{used_kb}k", "100M"))  # full: no room for a draft
        over = harness.run_until_done(settings, reference.engine)[1]
        mid = harness.end_state(account)
        server.reload(servers.quota("1G", "1k"))  # room, but drafts are "too big"
        limit = harness.run_until_done(settings, reference.engine)[1]
        server.reload(servers.quota("1G", "100M"))
        harness.run_until_done(settings, reference.engine)
        damage = harness.compare(reference.state, harness.end_state(account), delivered)
        errors = _status_errors(settings)
    ledger.record("server", "quota: [OVERQUOTA] then [LIMIT] on APPEND, then room again",
                  faults=2, duplicates=damage.duplicates, losses=damage.losses,
                  note=f"{over.summary.errors}+{limit.summary.errors} refused APPENDs reported")
    assert mid.get("Drafts", []) == []
    assert over.summary.errors >= 1
    assert limit.summary.errors >= 1
    assert any("OVERQUOTA" in e or "Quota" in e for e in errors), errors
    assert damage.clean, damage.differences


def _quota_used_kb(server: servers.PrivateDovecot, account: Account) -> int:
    out = server.doveadm("quota", "get", "-u", account.user)
    for line in out.splitlines():
        if "STORAGE" in line:
            return int(line.split()[3])
    raise AssertionError(out)


def _status_errors(settings: Any) -> list[str]:
    state = StateStore.open(settings.state_dir, settings.account)
    try:
        return [m for _, _, m in state.last_errors(50)]
    finally:
        state.close()


# -- capability profiles ------------------------------------------------------------------------

PROFILES: dict[str, dict[str, Any]] = {
    "no MOVE": {"extra": servers.caps_without("MOVE")},
    "no MOVE, no UIDPLUS": {"extra": servers.caps_without("MOVE", "UIDPLUS")},
    "no SPECIAL-USE": {"extra": servers.caps_without("SPECIAL-USE"),
                       "edit": servers.no_special_use},
    "no CONDSTORE/QRESYNC": {"extra": servers.caps_without("CONDSTORE", "QRESYNC")},
    "no custom keywords (ACL)": {"acl": servers.NO_KEYWORDS_ACL},
    "minimal (all of the above, and no MULTIAPPEND)": {
        "extra": servers.caps_without("MOVE", "UIDPLUS", "SPECIAL-USE", "CONDSTORE", "QRESYNC",
                                      "MULTIAPPEND"),
        "edit": servers.no_special_use, "acl": servers.NO_KEYWORDS_ACL,
    },
}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_capability_profile(
    profile: str, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    """A clean run, a repeat, four kills (after the first COPY or MOVE, after the first
    APPEND, two seeded) and a lost state
    store on a server lacking capabilities: same decisions as the full server, the user's
    \\Deleted mail survives, no duplicate, nothing lost."""
    options = PROFILES[profile]
    with servers.private_dovecot(**options) as server:
        base = server.account(1)
        delivered = harness.load_backlog(base)
        settings = harness.settings_for(base, tmp_path / "base")
        harness.run_until_done(settings, reference.engine)
        expected = harness.end_state(base)
        harness.run_until_done(settings, reference.engine)
        repeat = harness.compare(expected, harness.end_state(base), delivered)
        trials, kills, dup, lost, problems = 2, 0, repeat.duplicates, repeat.losses, []
        problems += repeat.differences
        rng = random.Random(profile)
        fixed = [("move", 1), ("append_draft", 1)]  # right after a COPY, right after APPEND
        for i in range(4):
            account = server.account(2 + i)
            harness.load_backlog(account)
            state_dir = tmp_path / f"kill{i}"
            s = harness.settings_for(account, state_dir)
            method = rng.choice(["append_draft", "bodies", "tx", "move"])
            n = rng.randint(1, max(1, reference.calls.get(method, 1)))
            method, n = fixed[i] if i < len(fixed) else (method, n)
            kills += harness.forked_pass(s, reference.engine, harness.KillPoint(method, n)) \
                == "killed"
            harness.run_until_done(s, reference.engine)
            d = harness.compare(expected, harness.end_state(account), delivered)
            trials += 1
            dup, lost = dup + d.duplicates, lost + d.losses
            problems += [f"kill {method}#{n}: {x}" for x in d.differences]
        copy_only = "UIDPLUS" in profile or "minimal" in profile
        # Lost state: drafts are found by Message-ID in Drafts, and filing again is harmless
        # (MOVE finds nothing left to move; the COPY fallback finds its earlier copy).
        for path in (tmp_path / "base").glob("state.sqlite3*"):
            path.unlink()
        harness.run_until_done(settings, reference.engine)
        d = harness.compare(expected, harness.end_state(base), delivered)
        trials += 1
        dup, lost = dup + d.duplicates, lost + d.losses
        problems += [f"state deleted: {x}" for x in d.differences]
    same_decisions = drafted_parents(expected) == drafted_parents(reference.state)
    survived = "INBOX" in where(expected, DELETED_ID)
    ledger.record("server", f"server with {profile}", trials=trials, faults=kills,
                  duplicates=dup, losses=lost + (not survived),
                  unsafe=0 if same_decisions else 1)
    assert survived, "a message the user flagged \\Deleted is never expunged by us"
    assert same_decisions
    assert not problems, problems
    if copy_only:
        for mid in (m for m in delivered if where(reference.state, m) == [harness.IGNORED]):
            assert sorted(where(expected, mid)) == sorted(["INBOX", harness.IGNORED]), mid
    else:
        assert where(expected, DELETED_ID) == ["INBOX"]
        for mid in delivered:
            assert sorted(where(expected, mid)) == sorted(where(reference.state, mid)), mid
