"""``responder report`` aggregation and rendering, and the pure parts of the feedback loop."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from responder.classify import Classifier, read_pattern_file
from responder.config import Settings
from responder.feedback import (
    Decided,
    Signal,
    compare_bodies,
    is_own,
    learned_action,
    match_sent,
    normalise_body,
)
from responder.mailstore import Peek
from responder.report import (
    build,
    parse_since,
    patterns_file,
    render_html,
    render_text,
    spark,
    to_json,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
OPEN_ROLE = "recruiter.open_role"  # a real built-in pattern id


def decided(n: int, action: str, label: str | None, patterns: tuple[str, ...] = (),
            days_ago: int = 1, person: str | None = None) -> Decided:
    return Decided(
        id=n, message_id=f"<m{n}@example.com>", action=action, label=label, patterns=patterns,
        person=person or f"https://www.linkedin.com/in/p{n}",
        draft_message_id=f"<responder.d{n}@example.org>" if action == "draft" else None,
        folder="INBOX", ref=str(n), at=NOW - timedelta(days=days_ago),
    )


def signal(d: Decided, kind: str) -> dict[str, object]:
    return {"subject": d.subject, "kind": kind, "label": d.label, "patterns": list(d.patterns)}


@pytest.fixture
def history() -> tuple[list[Decided], list[dict[str, object]], dict[int, str]]:
    g = [decided(i, "draft", "genuine", ("genuine.read_your_work",)) for i in range(1, 5)]
    r = [decided(i, "file", "recruiter", (OPEN_ROLE,)) for i in range(5, 8)]
    r.append(decided(8, "file", "recruiter", ("recruiter.client",)))
    u = [decided(9, "leave", "unclear"), decided(10, "leave", "unclear")]
    old = [decided(11, "file", "pitch", ("pitch.demo",), days_ago=90)]
    signals = [signal(g[0], "sent_as_is"), signal(g[1], "sent_edited"),
               signal(g[2], "discarded"), signal(r[0], "rescued"), signal(r[1], "rescued"),
               signal(u[0], "answered")]
    asks = {
        5: "Hi Dana, tidewater maintainer here, we need a staff engineer for the open role",
        6: "Hello, the tidewater community has an open role you might like",
        7: "We have an open role for a data engineer at a bank",
        8: "My client is hiring a data engineer",
    }
    return [*g, *r, *u, *old], signals, asks


def test_agreement_per_label_comes_from_the_users_actions(
    history: tuple[list[Decided], list[dict[str, object]], dict[int, str]],
) -> None:
    """Sent drafts and filings left filed agree; discards and rescues do not; drafts not yet
    judged and decisions outside the window do not count."""
    decisions, signals, asks = history
    report = build(decisions, signals, since=SINCE, until=NOW, asks=asks)
    labels = {s.label: s for s in report.labels}
    g, r, u = labels["genuine"], labels["recruiter"], labels["unclear"]
    assert (g.drafted, g.sent_as_is, g.sent_edited, g.discarded, g.awaiting) == (4, 1, 1, 1, 1)
    assert g.precision == pytest.approx(2 / 3, abs=0.001)
    assert (r.filed, r.rescued, r.precision) == (4, 2, 0.5)
    assert (u.left, u.answered, u.precision) == (1 + 1, 1, None)
    assert "pitch" not in labels, "a decision older than the window is left out"
    data = to_json(report)
    assert data["totals"]["judged"] == 7  # type: ignore[index]
    assert "You agreed with responder on 4 of 7" in data["verdict"][0]  # type: ignore[index]


def test_the_most_corrected_pattern_is_suggested_for_switching_off(
    history: tuple[list[Decided], list[dict[str, object]], dict[int, str]], tmp_path: Path
) -> None:
    """A pattern corrected at least twice in at least half its judged decisions goes into a
    patterns file the classifier accepts, and adopting it switches the pattern off."""
    decisions, signals, asks = history
    report = build(decisions, signals, since=SINCE, until=NOW, asks=asks)
    assert report.patterns[0].id == OPEN_ROLE
    assert (report.patterns[0].corrections, report.patterns[0].decisions) == (2, 3)
    assert [p.id for p in report.disable] == [OPEN_ROLE]
    path = tmp_path / "suggested.jsonl"
    path.write_text(patterns_file(report))
    extra, disables = read_pattern_file(path)
    assert extra == []
    assert [pid for pid, _ in disables] == [OPEN_ROLE]
    assert OPEN_ROLE not in Classifier.load(path).pattern_ids
    assert OPEN_ROLE in Classifier.load().pattern_ids


def test_phrases_common_in_corrected_asks_are_offered_as_commented_patterns(
    history: tuple[list[Decided], list[dict[str, object]], dict[int, str]], tmp_path: Path
) -> None:
    """'tidewater' is in both rescued asks and in no agreed one; 'open role' is in an agreed
    one too, so it is not suggested. Uncommented, the suggestion is a valid pattern."""
    decisions, signals, asks = history
    report = build(decisions, signals, since=SINCE, until=NOW, asks=asks)
    phrases = {p.text: p for p in report.phrases}
    assert "tidewater" in phrases
    assert (phrases["tidewater"].label, phrases["tidewater"].correction) == ("recruiter",
                                                                             "rescued")
    assert "open role" not in phrases
    assert "role" not in phrases
    text = patterns_file(report)
    suggestion = next(line for line in text.splitlines() if '"pattern": "tidewater"' in line)
    assert suggestion.startswith("# ")
    path = tmp_path / "adopted.jsonl"
    path.write_text(suggestion[2:] + "\n")
    extra, _ = read_pattern_file(path)
    assert [(p.label, p.pattern) for p in extra] == [("genuine", "tidewater")]


def test_no_suggestion_without_enough_corrections() -> None:
    """One rescue is not enough to suggest switching a pattern off."""
    ds = [decided(n, "file", "pitch", ("pitch.demo",)) for n in (1, 2)]
    report = build(ds, [signal(ds[0], "rescued")], since=SINCE, until=NOW)
    assert report.disable == []
    assert "No changes suggested" in patterns_file(report)
    assert any("pitch.demo" in line for line in render_text(report).splitlines())


def test_terminal_report_has_a_table_and_weekly_block_bars(
    history: tuple[list[Decided], list[dict[str, object]], dict[int, str]],
) -> None:
    decisions, signals, asks = history
    weekly = [decided(20 + i, "file", "pitch", ("pitch.demo",), days_ago=7 * i)
              for i in range(3)]
    report = build([*decisions, *weekly], signals, since=SINCE, until=NOW, asks=asks)
    text = render_text(report)
    assert re.search(r"^genuine\s+4\s+1\s+1\s+1\s+1\s", text, re.M)
    assert "asks per week" in text
    chart = text.split("asks per week", 1)[1].splitlines()
    row = next(line for line in chart if line.startswith("pitch "))
    bars = row[16:].rsplit(" ", 1)[0]
    assert sum(c in "▁▂▃▄▅▆▇█" for c in bars) == 3, "one bar in each of three weeks"
    assert row.endswith("  3")
    assert spark([0, 1, 2, 4], 4) == " ▂▄█"
    assert len(report.weeks) >= 3


def test_html_report_is_self_contained(
    history: tuple[list[Decided], list[dict[str, object]], dict[int, str]],
) -> None:
    decisions, signals, asks = history
    page = render_html(build(decisions, signals, since=SINCE, until=NOW, asks=asks))
    assert page.startswith("<!doctype html>")
    assert "<svg" in page
    assert "<rect" in page
    assert "<script" not in page
    assert "src=" not in page
    assert "<link" not in page
    assert re.findall(r"https?://[^\s\"'<]+", page) == ["http://www.w3.org/2000/svg"]
    assert "genuine" in page
    assert OPEN_ROLE in page


def test_nothing_to_report_yet() -> None:
    report = build([], [], since=SINCE, until=NOW)
    assert to_json(report)["verdict"] == ["No decisions in this period yet."]
    assert "(no asks in this period)" in render_text(report)
    assert "No asks in this period" in render_html(report)


def test_since_accepts_days_weeks_dates_and_all() -> None:
    assert parse_since("30d", NOW) == NOW - timedelta(days=30)
    assert parse_since("2w", NOW) == NOW - timedelta(weeks=2)
    assert parse_since("2026-11-01", NOW) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("all", NOW).year == 1970
    with pytest.raises(ValueError, match="30d"):
        parse_since("last month", NOW)


# -- the pure parts of the feedback loop ---------------------------------------------------


def test_body_comparison_survives_rewrapping_and_quoting() -> None:
    drafted = normalise_body("Hi Oskar,\r\n\r\nhappy to talk.\r\nCall me on +1 555 0100.\r\n")
    rewrapped = "Hi Oskar,\n\nhappy to talk. Call me\non +1 555 0100.\n\n-- \nDana\n> quoted"
    assert compare_bodies(drafted, rewrapped) == ("sent_as_is", "sent exactly as drafted")
    kind, detail = compare_bodies(drafted, "Hi Oskar, happy to talk next week instead.")
    assert kind == "sent_edited"
    assert "% of the text changed" in detail
    assert compare_bodies(None, "anything")[0] == "sent_edited"


def test_sent_mail_matches_by_draft_id_then_by_the_parent() -> None:
    draft = decided(1, "draft", "genuine")
    left = decided(2, "leave", "unclear")
    peeks = [
        Peek("7", 7, b"Message-ID: <responder.d1@example.org>\r\n\r\n", frozenset()),
        Peek("8", 8, b"Message-ID: <x@y>\r\nIn-Reply-To: <m1@example.com>\r\n\r\n", frozenset()),
        Peek("9", 9, b"Message-ID: <z@y>\r\nReferences: <a@b> <m2@example.com>\r\n\r\n",
             frozenset()),
        Peek("10", 10, b"Message-ID: <q@y>\r\nIn-Reply-To: <other@b>\r\n\r\n", frozenset()),
    ]
    matched = match_sent(peeks, [draft, left])
    assert {ref: d.id for ref, d in matched.items()} == {"7": 1, "9": 2}


def test_overrides_are_never_learned_for_the_user_themself() -> None:
    settings = Settings(from_name="Dana Reyes", from_address="dana@example.org",
                        imap_user="dana@example.org")
    assert is_own("name:dana reyes", settings)
    assert is_own(None, settings)
    assert not is_own("https://www.linkedin.com/in/kyle", settings)
    rescued = decided(1, "file", "recruiter", person="name:dana reyes")
    assert learned_action(Signal("rescued", rescued, NOW), settings, None) is None
    kyle = decided(2, "file", "recruiter")
    assert learned_action(Signal("rescued", kyle, NOW), settings, None) == "draft"
    dropped = decided(3, "draft", "genuine")
    assert learned_action(Signal("discarded", dropped, NOW), settings, True) == "file"
    assert learned_action(Signal("discarded", dropped, NOW), settings, False) is None
    quiet = Settings(learn_from=())
    assert learned_action(Signal("rescued", kyle, NOW), quiet, None) is None


def test_json_is_serialisable(
    history: tuple[list[Decided], list[dict[str, object]], dict[int, str]],
) -> None:
    decisions, signals, asks = history
    text = json.dumps(to_json(build(decisions, signals, since=SINCE, until=NOW, asks=asks)))
    assert '"precision"' in text
