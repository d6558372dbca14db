"""Decide what a pass does with one mail: the label -> action table and the safety rules.

Pure. The safety rules come first and no setting overrides them: mail that is not LinkedIn is
never touched, a LinkedIn look-alike is flagged and never drafted, loop signals are left alone,
and ``scam`` is never drafted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from responder.models import (
    DEFAULT_DRAFT_LABELS,
    DEFAULT_FILE_LABELS,
    Action,
    Classification,
    Decision,
    Notification,
)

NEVER_DRAFTED = frozenset({"scam"})


@dataclass(frozen=True)
class Policy:
    """The part of the settings that maps labels to actions."""

    draft_labels: Collection[str] = DEFAULT_DRAFT_LABELS
    file_labels: Collection[str] = DEFAULT_FILE_LABELS
    reply_once_days: int = 30


def needs_classification(n: Notification) -> bool:
    """True when the mail is a trusted LinkedIn notification whose ask should be labelled."""
    return (
        n.problem is None
        and n.linkedin
        and n.authentic
        and n.loop_reason is None
        and n.kind in ("invitation", "inmail", "message")
        and (n.has_ask or n.kind == "invitation")
    )


def decide(
    n: Notification,
    c: Classification | None,
    policy: Policy,
    *,
    drafted_to_person_recently: bool = False,
    override: Action | None = None,
) -> Decision:
    """Return the one action for this mail and the reason a user would read.

    ``override`` is a per-person action the user taught responder (``responder overrides``):
    it replaces the label's action after every safety rule, and never drafts ``scam``.
    """
    if not n.linkedin:
        return Decision("leave", "not a LinkedIn notification: never touched")
    if n.problem is not None and not n.authentic:
        return Decision("leave", f"unreadable: {n.problem}")
    if not n.authentic:
        why = "; ".join(n.suspicious) or "failed the authenticity check"
        return Decision("flag_suspicious", f"claims to be LinkedIn but is not authentic: {why}")
    if n.loop_reason is not None:
        return Decision("leave", f"automatic or bulk mail ({n.loop_reason}): never answered")
    if n.problem is not None:
        return Decision("leave", f"unreadable: {n.problem}")
    if n.kind == "notification":
        return Decision("leave", f"LinkedIn notification without a personal ask ({n.template})")
    if c is None:
        return Decision("leave", "no personal ask in this notification")
    patterns = c.winning_patterns
    action = action_for_label(c.label, policy)
    reason = _because(c)
    never = override == "draft" and c.label in NEVER_DRAFTED
    if override in ("draft", "file") and override != action and not never:
        assert override is not None
        action = override
        reason = (
            f"{reason}; {'drafted' if override == 'draft' else 'filed'} by a per-person "
            "override learned from your review (responder overrides)"
        )
    if action == "draft" and drafted_to_person_recently:
        return Decision(
            "file",
            f"{c.label}, but this person already got a draft within "
            f"{policy.reply_once_days} days",
            c.label,
            patterns,
        )
    return Decision(action, reason, c.label, patterns)


def action_for_label(label: str, policy: Policy) -> Action:
    """Return the action the settings give ``label``; ``scam`` is never drafted."""
    if label in policy.draft_labels and label not in NEVER_DRAFTED:
        return "draft"
    if label in policy.file_labels or label in NEVER_DRAFTED:
        return "file"
    return "leave"


def _because(c: Classification) -> str:
    if c.why:
        return c.why
    if c.winning_patterns:
        return f"{c.label} ({', '.join(c.winning_patterns)})"
    return c.label
