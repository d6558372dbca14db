"""The small frozen values the pipeline stages pass along.

parse -> Notification; classify -> Classification; decide -> Decision; compose -> EmailMessage.
Every stage before the mailbox is a pure function of these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["invitation", "inmail", "message", "notification", "not_linkedin"]
Action = Literal["draft", "file", "leave", "flag_suspicious"]

#: Every label of LABELS.md, most protective first (the tie-break order), then ``unclear``.
LABELS: tuple[str, ...] = (
    "scam",
    "mlm",
    "investor_ask",
    "contact_harvest",
    "pitch",
    "free_work",
    "recruiter",
    "genuine",
    "stale_reconnect",
    "bare_invite",
    "unclear",
)

#: The default action of each label (LABELS.md); settings may change all but ``scam``.
DEFAULT_ACTIONS: dict[str, Action] = {
    "genuine": "draft",
    "stale_reconnect": "draft",
    "recruiter": "file",
    "pitch": "file",
    "investor_ask": "file",
    "free_work": "file",
    "mlm": "file",
    "scam": "file",
    "contact_harvest": "file",
    "bare_invite": "file",
    "unclear": "leave",
}
#: Labels drafted and labels filed when the settings say nothing else.
DEFAULT_DRAFT_LABELS = tuple(label for label, a in DEFAULT_ACTIONS.items() if a == "draft")
DEFAULT_FILE_LABELS = tuple(label for label, a in DEFAULT_ACTIONS.items() if a == "file")


@dataclass(frozen=True)
class Notification:
    """What a careful reader takes from one mail; built by ``parse.read_mail``.

    ``problem`` is set (and the rest left at safe defaults) when the mail could not be read;
    ``suspicious`` lists the reasons a mail that presents itself as LinkedIn is not trusted.
    """

    message_id: str | None = None
    subject: str = ""
    date: datetime | None = None
    linkedin: bool = False
    authentic: bool = False
    suspicious: tuple[str, ...] = ()
    kind: Kind = "not_linkedin"
    template: str | None = None
    has_ask: bool = False
    ask_text: str | None = None
    preview_only: bool = False
    sender_name: str | None = None
    headline: str | None = None
    profile_url: str | None = None
    thread_url: str | None = None
    reply_to: str | None = None
    references: tuple[str, ...] = ()
    loop_reason: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Evidence:
    """One pattern that fired: its id, its label, the words it matched and its weight."""

    pattern: str
    label: str
    text: str
    weight: float = 1.0
    negated: bool = False


@dataclass(frozen=True)
class Classification:
    """The label of one ask, with every pattern that fired (winner first) and why it won."""

    label: str
    evidence: tuple[Evidence, ...] = ()
    why: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    language: str | None = None

    @property
    def winning_patterns(self) -> tuple[str, ...]:
        """Ids of the non-negated patterns that voted for the winning label."""
        return tuple(
            e.pattern for e in self.evidence if e.label == self.label and not e.negated
        )


@dataclass(frozen=True)
class Decision:
    """What a pass does with one mail, and the one-line reason a user would read."""

    action: Action
    reason: str
    label: str | None = None
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class PassSummary:
    """What one pass over the source folder did: when, how long, and counts per action."""

    started: datetime
    seconds: float
    considered: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    note: str = ""
