"""``responder report``: is responder doing what the user would do, and what should change?

Pure aggregation over the state store's decisions and the signals of ``responder.feedback``:
per label, how many asks were drafted, sent as drafted, sent edited, discarded, filed, rescued,
left alone and answered; an estimate of each label's precision from the user's own actions;
the patterns behind the most corrections; suggested pattern changes as a JSON Lines patterns
file; and asks per week by label. Rendered as JSON, as a terminal table with block-character
charts, or as one self-contained HTML page (inline SVG, no external assets).
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from responder.classify import FILLER_WORDS, STOPWORDS  # the classifier's notion of filler
from responder.feedback import Decided, Override
from responder.models import LABELS

#: A pattern is suggested for switching off after this many corrections ...
MIN_CORRECTIONS = 2
#: ... when at least this share of the judged decisions it won were corrected.
MIN_CORRECTION_RATE = 0.5
#: A phrase is suggested when it is in this many corrected asks and in no agreed one.
MIN_PHRASE_ASKS = 2
BLOCKS = " ▁▂▃▄▅▆▇█"
COLOURS = {
    "genuine": "#2e7d32", "stale_reconnect": "#66bb6a", "recruiter": "#1565c0",
    "pitch": "#ef6c00", "investor_ask": "#8e24aa", "free_work": "#f9a825", "mlm": "#6d4c41",
    "scam": "#c62828", "contact_harvest": "#00838f", "bare_invite": "#90a4ae",
    "unclear": "#9e9e9e", "-": "#cfd8dc",
}
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset().union(*STOPWORDS.values(), FILLER_WORDS)


@dataclass
class LabelStats:
    """What became of one label's asks."""

    label: str
    drafted: int = 0
    sent_as_is: int = 0
    sent_edited: int = 0
    discarded: int = 0
    awaiting: int = 0
    filed: int = 0
    rescued: int = 0
    left: int = 0
    answered: int = 0

    @property
    def judged(self) -> int:
        """Decisions the user's actions speak to: drafts sent or discarded, and filings."""
        return self.sent_as_is + self.sent_edited + self.discarded + self.filed

    @property
    def agreed(self) -> int:
        """Drafts the user sent, and filings they left filed."""
        return self.sent_as_is + self.sent_edited + self.filed - self.rescued

    @property
    def precision(self) -> float | None:
        """Share of judged decisions the user agreed with, or None before any verdict."""
        return round(self.agreed / self.judged, 3) if self.judged else None

    def as_dict(self) -> dict[str, object]:
        """The counts and the estimate, for JSON."""
        return {**asdict(self), "judged": self.judged, "agreed": self.agreed,
                "precision": self.precision}


@dataclass(frozen=True)
class PatternStats:
    """How often a pattern won a judged decision, and how often the user corrected it."""

    id: str
    decisions: int
    corrections: int

    @property
    def rate(self) -> float:
        """Share of its judged decisions that were corrected."""
        return round(self.corrections / self.decisions, 3) if self.decisions else 0.0


@dataclass(frozen=True)
class Phrase:
    """Words common in the asks the user corrected and absent from those they agreed with."""

    text: str
    label: str
    correction: str
    asks: int


@dataclass
class Report:
    """Everything ``responder report`` shows."""

    since: datetime
    until: datetime
    labels: list[LabelStats]
    patterns: list[PatternStats]
    disable: list[PatternStats]
    phrases: list[Phrase]
    weeks: list[tuple[str, dict[str, int]]]
    overrides: list[Override]
    signals: int
    asks_kept: int
    patterns_file: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def totals(self) -> LabelStats:
        """The sum over all labels."""
        total = LabelStats("all")
        for s in self.labels:
            for key in ("drafted", "sent_as_is", "sent_edited", "discarded", "awaiting",
                        "filed", "rescued", "left", "answered"):
                setattr(total, key, getattr(total, key) + getattr(s, key))
        return total


def build(
    decisions: list[Decided],
    signals: Sequence[Mapping[str, object]],
    *,
    since: datetime,
    until: datetime,
    asks: Mapping[int, str] | None = None,
    overrides: Iterable[Override] = (),
) -> Report:
    """Aggregate decisions made in [since, until] and the signals about them. Pure."""
    verdict = {str(s["subject"]): str(s["kind"]) for s in signals}
    stats: dict[str, LabelStats] = {}
    uses: Counter[str] = Counter()
    corrected: Counter[str] = Counter()
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    corrected_asks: list[tuple[str, str, str]] = []
    agreed_asks: dict[str, list[str]] = defaultdict(list)
    asks = asks or {}
    for d in decisions:
        if d.at < since or d.at > until or d.action == "flag_suspicious":
            continue
        kind = verdict.get(d.subject)
        if d.label is None and kind is None:
            continue  # a notification with no ask, nothing the user did about it
        label = d.label or "-"
        s = stats.setdefault(label, LabelStats(label))
        weeks[_week(d.at)][label] += 1
        correction = None
        judged = False
        if d.action == "draft":
            s.drafted += 1
            if kind in ("sent_as_is", "sent_edited", "discarded"):
                setattr(s, kind, getattr(s, kind) + 1)
                judged = True
                correction = "discarded" if kind == "discarded" else None
            else:
                s.awaiting += 1
        elif d.action == "file":
            s.filed += 1
            judged = True
            if kind == "rescued":
                s.rescued += 1
                correction = "rescued"
        elif d.action == "leave":
            s.left += 1
            if kind == "answered":
                s.answered += 1
        if judged:
            for pid in d.patterns:
                uses[pid] += 1
                corrected[pid] += correction is not None
            ask = asks.get(d.id)
            if ask and correction:
                corrected_asks.append((label, correction, ask))
            elif ask:
                agreed_asks[label].append(ask)
    patterns = sorted(
        (PatternStats(pid, uses[pid], corrected[pid]) for pid in uses),
        key=lambda p: (-p.corrections, -p.rate, p.id),
    )
    disable = [p for p in patterns
               if p.corrections >= MIN_CORRECTIONS and p.rate >= MIN_CORRECTION_RATE]
    order = {label: i for i, label in enumerate((*LABELS, "-"))}
    return Report(
        since=since,
        until=until,
        labels=sorted(stats.values(), key=lambda s: order.get(s.label, 99)),
        patterns=[p for p in patterns if p.corrections][:10],
        disable=disable,
        phrases=common_phrases(corrected_asks, agreed_asks),
        weeks=_weeks(weeks, since, until),
        overrides=list(overrides),
        signals=sum(1 for s in signals if str(s["subject"]) in verdict),
        asks_kept=len(asks),
    )


def _week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(
    counts: Mapping[str, Counter[str]], since: datetime, until: datetime
) -> list[tuple[str, dict[str, int]]]:
    """Every ISO week from ``since`` to ``until`` (at most the last 26), with its counts."""
    out: list[tuple[str, dict[str, int]]] = []
    day = until
    while day >= since - timedelta(days=6) and len(out) < 26:
        week = _week(day)
        if not out or out[-1][0] != week:
            out.append((week, dict(counts.get(week, {}))))
        day -= timedelta(days=7)
    out.reverse()
    while len(out) > 1 and not out[0][1]:
        out.pop(0)  # start at the first week with an ask
    return out


def _grams(text: str) -> set[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    grams = {w for w in words if w not in _STOP}
    grams |= {f"{a} {b}" for a, b in itertools.pairwise(words)
              if a not in _STOP and b not in _STOP}
    return grams


def common_phrases(
    corrected: list[tuple[str, str, str]], agreed: Mapping[str, list[str]]
) -> list[Phrase]:
    """Words and word pairs in several corrected asks of a label and in none it got right."""
    found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for label, correction, ask in corrected:
        found[(label, correction)].update(_grams(ask))
    out: list[Phrase] = []
    for (label, correction), counts in sorted(found.items()):
        kept: set[str] = set().union(*(_grams(a) for a in agreed.get(label, [])))
        ranked = sorted(
            ((g, n) for g, n in counts.items() if n >= MIN_PHRASE_ASKS and g not in kept),
            key=lambda gn: (-gn[1], -len(gn[0].split()), gn[0]),
        )
        chosen: list[str] = []
        for gram, n in ranked:
            if any(gram in c or c in gram for c in chosen):
                continue  # "speaker fee" makes "speaker" and "fee" redundant
            chosen.append(gram)
            out.append(Phrase(gram, label, correction, n))
            if len(chosen) == 5:
                break
    return out


# -- the suggested patterns file -----------------------------------------------------------


def patterns_file(report: Report) -> str:
    """The suggestions as a JSON Lines patterns file (RESPONDER_PATTERNS_FILE format).

    Switching a pattern off is an active line; phrase patterns are commented out, because only
    the user can say which label a phrase stands for.
    """
    lines = [
        "# Suggested by `responder report` from your own review of responder's work",
        f"# ({report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}). Review every line, then",
        "# adopt it with RESPONDER_PATTERNS_FILE=<this file> (or copy the lines you want into",
        "# the patterns file you already use). Lines starting with # are ignored.",
        "",
    ]
    if report.disable:
        lines.append("# Patterns you corrected most: switch them off.")
    for p in report.disable:
        lines.append(f"# {p.id}: {p.corrections} of {p.decisions} judged decisions corrected")
        lines.append(json.dumps({"disable": p.id}))
    if report.phrases:
        lines += ["", "# Phrases in asks you corrected (and in none you agreed with). To use",
                  "# one, remove the leading '# ' and check the label and weight."]
    for ph in report.phrases:
        if ph.correction == "rescued":
            why = f"in {ph.asks} {ph.label} asks you moved back out of the ignore folder"
            label = "genuine"
        else:
            why = f"in {ph.asks} {ph.label} asks whose draft you discarded (pick the label " \
                  "that fits: pitch, recruiter, free_work, ...)"
            label = "pitch"
        slug = re.sub(r"[^a-z0-9]+", "_", ph.text.lower()).strip("_") or "phrase"
        lines.append(f"# {ph.text!r}: {why}")
        item = {"id": f"{label}.learned_{slug}", "label": label, "pattern": ph.text,
                "weight": 1.0}
        lines.append("# " + json.dumps(item, ensure_ascii=False))
    if not report.disable and not report.phrases:
        lines.append("# No changes suggested yet.")
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------------


def verdict_lines(report: Report) -> list[str]:
    """A few sentences answering: is responder doing what I would do, and what should change?"""
    t = report.totals
    out: list[str] = []
    if not t.judged and not t.left:
        return ["No decisions in this period yet."]
    if t.judged:
        share = f"{100 * t.agreed / t.judged:.0f}%"
        hint = " Few verdicts yet: read it as a hint." if t.judged < 10 else ""
        out.append(f"You agreed with responder on {t.agreed} of {t.judged} decisions you "
                   f"could judge ({share}).{hint}")
    else:
        out.append("No verdicts yet: send, edit or delete drafts, or move filed mail back.")
    if t.drafted:
        out.append(
            f"Drafts: {t.drafted} made; {t.sent_as_is} sent as drafted, {t.sent_edited} sent "
            f"edited, {t.discarded} discarded, {t.awaiting} awaiting you."
        )
    if t.filed:
        out.append(f"Filed: {t.filed}; you moved {t.rescued} back.")
    if t.left:
        out.append(f"Left alone: {t.left}; you answered {t.answered} yourself.")
    for s in report.labels:
        if s.precision is not None and s.judged >= 2 and s.precision < 0.75:
            out.append(f"Weakest label: {s.label}, {s.agreed} of {s.judged} agreed.")
            break
    if report.patterns:
        p = report.patterns[0]
        out.append(f"Most corrected pattern: {p.id} ({p.corrections} of {p.decisions}).")
    if report.disable or report.phrases:
        where = report.patterns_file or "the suggested patterns file"
        out.append(f"Suggested changes: {len(report.disable)} pattern(s) to switch off, "
                   f"{len(report.phrases)} phrase(s) to consider, in {where}.")
    elif t.judged:
        out.append("No pattern changes suggested.")
    return out


def to_json(report: Report) -> dict[str, object]:
    """The report as plain data."""
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "verdict": verdict_lines(report),
        "labels": {s.label: s.as_dict() for s in report.labels},
        "totals": report.totals.as_dict(),
        "signals": report.signals,
        "patterns": [{"id": p.id, "decisions": p.decisions, "corrections": p.corrections,
                      "rate": p.rate} for p in report.patterns],
        "suggestions": {
            "disable": [p.id for p in report.disable],
            "phrases": [asdict(p) for p in report.phrases],
            "patterns_file": report.patterns_file,
        },
        "weeks": [{"week": w, "counts": c} for w, c in report.weeks],
        "overrides": [{"person": o.person, "action": o.action, "reason": o.reason,
                       "at": o.at.isoformat()} for o in report.overrides],
        "asks_kept": report.asks_kept,
        "notes": report.notes,
    }


# -- terminal ----------------------------------------------------------------------------------

_COLUMNS = (("drafted", "drafted"), ("sent", "sent_as_is"), ("edited", "sent_edited"),
            ("discard", "discarded"), ("wait", "awaiting"), ("filed", "filed"),
            ("rescued", "rescued"), ("left", "left"), ("answd", "answered"))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def spark(values: list[int], top: int) -> str:
    """One block character per value, scaled to ``top`` (a zero is a space)."""
    if top <= 0:
        return " " * len(values)
    return "".join(BLOCKS[0] if v == 0 else BLOCKS[max(1, round(8 * v / top))] for v in values)


def render_text(report: Report) -> str:
    """A compact table, the verdict, and asks per week by label as block-character bars."""
    out = [f"responder report {report.since:%Y-%m-%d} .. {report.until:%Y-%m-%d}", ""]
    out += verdict_lines(report)
    out.append("")
    head = f"{'label':<16}" + "".join(f"{title:>8}" for title, _ in _COLUMNS) + f"{'agree':>8}"
    out.append(head)
    rows = [*report.labels, report.totals] if report.labels else []
    for s in rows:
        cells = "".join(f"{getattr(s, key):>8}" for _, key in _COLUMNS)
        out.append(f"{s.label:<16}{cells}{_pct(s.precision):>8}")
    if not rows:
        out.append("(no asks in this period)")
    out.append("  agree = (sent + filed and left filed) / (sent + discarded + filed)")
    if report.weeks and report.labels:
        top = max((n for _, c in report.weeks for n in c.values()), default=0)
        first, last = report.weeks[0][0], report.weeks[-1][0]
        out += ["", f"asks per week, {first} .. {last} (one column per week, █ = {top})"]
        for s in report.labels:
            values = [c.get(s.label, 0) for _, c in report.weeks]
            out.append(f"{s.label:<16}{spark(values, top)}  {sum(values)}")
    if report.patterns:
        out += ["", "patterns behind the most corrections (corrected / judged):"]
        for p in report.patterns:
            flag = "  -> switch off?" if p in report.disable else ""
            out.append(f"  {p.id:<40} {p.corrections:>3} / {p.decisions:<3}{flag}")
    if report.phrases:
        out += ["", "phrases in asks you corrected:"]
        for ph in report.phrases:
            out.append(f"  {ph.text!r}: {ph.asks} {ph.label} asks {ph.correction}")
    if report.overrides:
        out += ["", f"per-person overrides: {len(report.overrides)} (responder overrides)"]
    if report.patterns_file:
        out += ["", f"suggested patterns file: {report.patterns_file}"]
    out += report.notes
    return "\n".join(out)


# -- HTML ----------------------------------------------------------------------------------------


def _svg_weeks(report: Report) -> str:
    """Stacked bars of asks per week by label, as inline SVG."""
    weeks = report.weeks
    labels = [s.label for s in report.labels]
    top = max((sum(c.values()) for _, c in weeks), default=0)
    if not weeks or top == 0:
        return "<p>No asks in this period.</p>"
    bar, gap, height = 28, 10, 160
    width = len(weeks) * (bar + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" '
             f'role="img" aria-label="asks per week by label">']
    for i, (week, counts) in enumerate(weeks):
        x = gap + i * (bar + gap)
        y = float(height)
        for label in labels:
            n = counts.get(label, 0)
            if not n:
                continue
            h = height * n / top
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{COLOURS.get(label, "#777")}"><title>{html.escape(week)}: '
                f'{n} {html.escape(label)}</title></rect>'
            )
        total = sum(counts.values())
        parts.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" font-size="10" '
                     f'text-anchor="middle">{total or ""}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{height + 14}" font-size="9" '
                     f'text-anchor="middle">{html.escape(week[-3:])}</text>')
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{COLOURS.get(label, "#777")}"></i>'
        f"{html.escape(label)}</span>" for label in labels
    )
    return "".join(parts) + f'<div class="legend">{legend}</div>'


def _bars(report: Report) -> str:
    """Per label, a CSS bar of the agreed share."""
    rows = []
    for s in report.labels:
        p = s.precision
        width = 0 if p is None else round(100 * p)
        rows.append(
            f'<tr><td>{html.escape(s.label)}</td><td class="bar"><span style="width:{width}%;'
            f'background:{COLOURS.get(s.label, "#777")}"></span></td><td>{_pct(p)}</td>'
            f"<td>{s.agreed} / {s.judged}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def render_html(report: Report) -> str:
    """One self-contained page: verdict, table, charts, patterns and suggestions."""
    e = html.escape
    head = "".join(f"<th>{e(title)}</th>" for title, _ in _COLUMNS)
    rows = "".join(
        f"<tr><td>{e(s.label)}</td>"
        + "".join(f"<td>{getattr(s, key)}</td>" for _, key in _COLUMNS)
        + f"<td>{_pct(s.precision)}</td></tr>"
        for s in [*report.labels, report.totals]
    )
    patterns = "".join(
        f"<tr><td><code>{e(p.id)}</code></td><td>{p.corrections}</td><td>{p.decisions}</td>"
        f"<td>{'switch off?' if p in report.disable else ''}</td></tr>"
        for p in report.patterns
    ) or '<tr><td colspan="4">No corrections.</td></tr>'
    verdict = "".join(f"<li>{e(line)}</li>" for line in verdict_lines(report))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>responder report {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em;
       color: #222; padding: 0 1em; }}
table {{ border-collapse: collapse; margin: .5em 0 1.5em; }}
td, th {{ padding: .2em .7em; border-bottom: 1px solid #ddd; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
td.bar {{ width: 16em; }} td.bar span {{ display: block; height: .9em; }}
.legend .key {{ margin-right: 1em; white-space: nowrap; }}
.legend i {{ display: inline-block; width: .8em; height: .8em; margin-right: .3em; }}
pre {{ background: #f5f5f5; padding: 1em; overflow-x: auto; }}
</style></head><body>
<h1>responder report</h1>
<p>{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}</p>
<ul>{verdict}</ul>
<h2>What became of each label's asks</h2>
<table><tr><th>label</th>{head}<th>agree</th></tr>{rows}</table>
<h2>How often you agreed, by label</h2>
{_bars(report)}
<h2>Asks per week by label</h2>
{_svg_weeks(report)}
<h2>Patterns behind the most corrections</h2>
<table><tr><th>pattern</th><th>corrected</th><th>judged</th><th></th></tr>{patterns}</table>
<h2>Suggested patterns file</h2>
<pre>{e(patterns_file(report))}</pre>
</body></html>
"""


def parse_since(value: str, now: datetime) -> datetime:
    """``30d``, ``8w``, ``12h``, ``YYYY-MM-DD`` or ``all`` as the start of the window."""
    text = value.strip().lower()
    if text == "all":
        return datetime(1970, 1, 1, tzinfo=now.tzinfo)
    match = re.fullmatch(r"(\d+)\s*([dwh])", text)
    if match:
        n, unit = int(match.group(1)), match.group(2)
        return now - timedelta(**{{"d": "days", "w": "weeks", "h": "hours"}[unit]: n})
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"--since {value!r}: use 30d, 8w, 12h, YYYY-MM-DD or all") from None
    return day.replace(tzinfo=now.tzinfo)
