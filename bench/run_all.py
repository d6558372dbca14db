"""Run every benchmark of issue 6 and write BENCHMARKS.md.

    python bench/run_all.py            # full sizes (about 10 minutes on 2 cores)
    python bench/run_all.py --quick    # a tenth of the sizes (about 1 minute)

It starts a throwaway Dovecot on loopback, writes generated mailboxes straight into Maildir,
puts a counting proxy (bench/imapproxy.py) between the client and the server, and runs
responder through its real command line (``python -m responder ...``) and the floor script
(bench/floor.py) over identical copies of each mailbox. A run fails (exit 1) when the drafts,
filed or flagged mail of any responder pass differ from the generated labels.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mailgen
from common import (
    PASSWORD,
    PYTHON,
    ROOT,
    Account,
    Child,
    Lab,
    compare,
    read_outcome,
    responder_env,
    run_child,
)
from imapproxy import Command, CountingProxy, Session, Tally, tally_sessions

RESPONDER = [PYTHON, "-m", "responder"]
FLOOR = [PYTHON, str(ROOT / "bench" / "floor.py")]


@dataclass
class Row:
    """One line of the results table."""

    target: str
    limit: str
    measured: str
    floor: str = "-"
    ratio: str = "-"
    ok: bool = True


@dataclass
class Report:
    """Everything measured, in the order it is printed."""

    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        mark = "PASS" if row.ok else "FAIL"
        print(f"[{mark}] {row.target}: {row.measured} (floor {row.floor}, ratio {row.ratio}, "
              f"target {row.limit})", flush=True)

    def note(self, text: str) -> None:
        self.details.append(text)
        print("      " + text.replace("\n", "\n      "), flush=True)


def kb(n: float) -> str:
    return f"{n / 1024:,.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:,.1f} MiB"


def describe(t: Tally) -> str:
    return (f"{t.commands} commands, {t.round_trips} round trips, {t.up:,} B up, "
            f"{t.down:,} B down")


# -- one mailbox: floor, backlog pass, idle polls ------------------------------------------


def run_floor(port: int, account: Account, expected: Path, *extra: str) -> Child:
    child = run_child([*FLOOR, str(port), account.user, PASSWORD, str(expected), *extra])
    if child.returncode != 0:
        raise SystemExit(f"floor failed:\n{child.stderr}")
    return child


def run_once(proxy: CountingProxy, env: dict[str, str], *args: str) -> tuple[
        float, Tally, float, list[Session], float, str]:
    proxy.reset()
    child = run_child([*RESPONDER, "run", "--once", *args], env)
    if child.returncode != 0:
        raise SystemExit(f"responder run --once failed:\n{child.stdout}\n{child.stderr}")
    sessions = list(proxy.sessions)
    status_at = next((c.at for s in sessions for c in s.commands if c.name == "STATUS"),
                     float("nan"))
    summary = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ""
    return (child.seconds, tally_sessions(sessions), child.max_rss_mb, sessions,
            status_at - child.started, summary)


def daemon_idle_poll(proxy: CountingProxy, env: dict[str, str]) -> list[Command]:
    """Run the daemon until its second poll; return the commands of that steady-state poll."""
    proxy.reset()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    clean.update(env, RESPONDER_POLL_SECONDS="10", RESPONDER_IDLE="false")
    proc = subprocess.Popen([*RESPONDER, "run"], env=clean, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 45
    polls: list[list[Command]] = []
    try:
        while time.monotonic() < deadline and len(polls) < 3:
            time.sleep(0.5)
            polls = _polls([c for s in proxy.sessions for c in s.commands])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    if len(polls) < 3:
        raise SystemExit(f"daemon made {len(polls)} polls in 45 s")
    return polls[1]


def _polls(commands: list[Command]) -> list[list[Command]]:
    """Split a daemon's commands into polls: a poll is a burst, polls are 10 s apart."""
    polls: list[list[Command]] = []
    for c in commands:
        if not polls or c.at - polls[-1][-1].at > 3:
            polls.append([])
        polls[-1].append(c)
    return polls


def mailbox_bench(lab: Lab, proxy: CountingProxy, report: Report, *, total: int,
                  linkedin: int, title: str, floor: bool = True,
                  arrivals: bool = False) -> dict[str, float]:
    """Generate one mailbox; run the floor and responder over copies; add the rows."""
    t0 = time.monotonic()
    staging = lab.staging(f"box{total}-{linkedin}")
    box = mailgen.generate(staging, total=total, linkedin=linkedin)
    expected_file = staging.parent / f"{staging.name}.json"
    box.save(expected_file)
    mine = lab.new_account(staging)
    theirs = lab.new_account(staging) if floor else None
    # Wall times are taken on copies without the proxy in between (it costs each round trip
    # a little, and responder makes more of them); counts on the copies behind it.
    timed = [lab.new_account(staging) for _ in range(3)] if floor else []
    report.note(f"{title}: {total:,} messages ({box.total_bytes / 1048576:,.0f} MiB), "
                f"{linkedin:,} LinkedIn ({box.linkedin_bytes / 1048576:,.1f} MiB); generated "
                f"and indexed in {time.monotonic() - t0:.1f} s")
    env = responder_env(mine, lab.root / f"state-{mine.user}", proxy.port)
    figures: dict[str, float] = {}

    floor_s = floor_rss = floor_cpu = seconds = cpu = float("nan")
    floor_t = Tally()
    if theirs is not None:
        proxy.reset()
        child = run_floor(proxy.port, theirs, expected_file)
        floor_t, floor_rss = tally_sessions(proxy.sessions), child.max_rss_mb
        problems = compare(read_outcome(theirs), box.expected)
        if problems:
            report.problems += [f"{title} floor: {p}" for p in problems]
        timing = run_floor(lab.server.port, timed[0], expected_file)
        floor_s, floor_cpu = timing.seconds, timing.cpu
        report.note(f"floor backlog: {floor_s:.2f} s wall, {floor_cpu:.2f} s CPU (direct); "
                    f"{describe(floor_t)}; peak RSS {floor_rss:.0f} MB\n  {floor_t.names()}")
        single = run_floor(lab.server.port, timed[2], expected_file, "--single-appends")
        report.note(f"floor with one APPEND per draft (the floor before 2026-11-26): "
                    f"{single.seconds:.2f} s wall, {single.cpu:.2f} s CPU (direct)")
        direct = responder_env(timed[1], lab.root / f"state-{timed[1].user}", lab.server.port)
        child = run_child([*RESPONDER, "run", "--once"], direct)
        seconds, cpu = child.seconds, child.cpu
        problems = compare(read_outcome(timed[1]), box.expected)
        report.problems += [f"{title} responder (direct): {p}" for p in problems]

    proxied_s, t, rss, _, _, summary = run_once(proxy, env)
    problems = compare(read_outcome(mine), box.expected)
    report.problems += [f"{title} responder: {p}" for p in problems]
    direct_s = "" if seconds != seconds else f"{seconds:.2f} s wall, {cpu:.2f} s CPU (direct), "
    report.note(f"responder backlog: {direct_s}"
                f"{proxied_s:.2f} s through the proxy; {describe(t)}; peak RSS {rss:.0f} MB; "
                f"outcome {'matches the reference' if not problems else 'DIFFERS'}\n"
                f"  {summary}\n  {t.names()}\n  bytes down by command: "
                + ", ".join(f"{n} {kb(b)}" for n, b in t.down_by_name.most_common(4)))
    figures.update(backlog_s=seconds, backlog_cpu=cpu, backlog_down=t.down, rss=rss,
                   floor_s=floor_s, floor_cpu=floor_cpu, floor_down=floor_t.down,
                   linkedin_bytes=box.linkedin_bytes, backlog_rt=t.round_trips,
                   floor_rt=floor_t.round_trips, floor_rss=floor_rss)

    first = run_once(proxy, env)[1]
    report.note(f"first `run --once` after the backlog pass: {describe(first)}: {first.names()}"
                " (the review loop re-reads Drafts once after the pass changed it)")
    seconds, t, rss, sessions, to_status, _ = run_once(proxy, env)
    if any(c.name.endswith("SEARCH") or c.name.endswith("SELECT") for s in sessions
           for c in s.commands):
        report.problems.append(f"{title}: an idle poll searched or selected the folder")
    report.note(f"idle `run --once`: {seconds:.2f} s wall, first STATUS after {to_status:.2f} s;"
                f" {describe(t)}: {t.names()}")
    figures.update(once_s=seconds, once_rt=t.round_trips, once_down=t.down, once_up=t.up,
                   to_status=to_status)

    poll = daemon_idle_poll(proxy, env)
    pt = Tally.of(poll)
    report.note(f"daemon steady-state idle poll: {describe(pt)}: {pt.names()}")
    figures.update(poll_rt=pt.round_trips, poll_bytes=pt.up + pt.down)

    if arrivals:
        raws, expected = mailgen.arrivals(10_000_000, 10, 90)
        lab.deliver(mine, raws)
        seconds, t, rss, _, _, summary = run_once(proxy, env)
        new_linkedin = sum(len(r) for r in raws[:10])
        problems = compare(read_outcome(mine), {**box.expected, **expected})
        report.problems += [f"{title} after new mail: {p}" for p in problems]
        report.note(f"10 new LinkedIn mails + 90 others arrive, `run --once`: {seconds:.2f} s, "
                    f"{describe(t)}; {t.down / new_linkedin:.2f} x the new LinkedIn bytes\n"
                    f"  {t.names()}")
        figures.update(new_down=t.down, new_linkedin=new_linkedin)
    return figures


# -- start-up and classification -------------------------------------------------------------


def startup(report: Report) -> None:
    def median(argv: list[str]) -> float:
        return statistics.median(run_child(argv).seconds for _ in range(7))

    help_s = median([*RESPONDER, "--help"])
    bare = median([PYTHON, "-c", "import click"])
    report.add(Row("`responder --help`", "< 0.3 s", f"{help_s:.3f} s",
                   f"{bare:.3f} s (python + click)", f"{help_s / bare:.1f}", help_s < 0.3))


def classification(report: Report, quick: bool) -> None:
    rows = [json.loads(line) for line in
            (ROOT / "tests" / "corpus" / "asks.jsonl").read_text().splitlines()]
    count = 5_000 if quick else 20_000
    texts = [rows[i % len(rows)]["text"] for i in range(count)]
    lines = "".join(json.dumps({"text": t, "kind": "invitation"}) + "\n" for t in texts)
    pin = ["taskset", "-c", "1"]
    env = {"RESPONDER_LOG_LEVEL": "WARNING"}

    def cli(data: str) -> float:
        child = run_child([*pin, *RESPONDER, "classify", "--jsonl"], env, stdin=data.encode())
        if child.returncode != 0:
            raise SystemExit(f"classify --jsonl failed: {child.stderr}")
        return child.seconds

    startup_s = min(cli(lines.splitlines(keepends=True)[0]) for _ in range(3))
    total_s = min(cli(lines) for _ in range(2))
    rate = count / (total_s - startup_s)
    probe = (
        "import json, sys, time, spacy\n"
        "texts = [json.loads(l)['text'] for l in sys.stdin]\n"
        "nlp = spacy.blank('en')\n"
        "best = 1e9\n"
        "for _ in range(3):\n"
        "    t = time.perf_counter()\n"
        "    for doc in nlp.tokenizer.pipe(texts): pass\n"
        "    best = min(best, time.perf_counter() - t)\n"
        "print(len(texts) / best)\n"
    )
    child = run_child([*pin, PYTHON, "-c", probe], stdin=lines.encode())
    tok_rate = float(child.stdout.strip())
    theirs = run_child([*pin, PYTHON, str(ROOT / "bench" / "bench_classify.py")])
    if theirs.returncode == 0:
        report.note("bench/bench_classify.py (the classifier alone, in-process):\n  "
                    + theirs.stdout.strip().replace("\n", "\n  "))
    report.note(f"classify --jsonl: {count:,} asks in {total_s:.2f} s, start-up {startup_s:.2f}"
                f" s (one ask), so {rate:,.0f} asks/s; spaCy blank('en') tokenizer alone: "
                f"{tok_rate:,.0f} texts/s; both pinned to one core (taskset -c 1)")
    report.add(Row("classification rate (`classify --jsonl`, one core, start-up excluded)",
                   ">= 5,000 asks/s", f"{rate:,.0f} asks/s", f"{tok_rate:,.0f} texts/s (tokenizer)",
                   f"{tok_rate / rate:.2f} x slower", rate >= 5000))
    report.add(Row("classification vs bare tokenizer", "<= 3 x",
                   f"{1000 / rate:.3f} ms/ask", f"{1000 / tok_rate:.3f} ms/text",
                   f"{tok_rate / rate:.2f}", tok_rate / rate <= 3))


# -- the whole run ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    small, big = 2_000 // scale, 50_000 // scale
    backlog, few = 5_000 // scale, 500 // scale
    report = Report()
    started = time.monotonic()
    load = os.getloadavg()[0]
    differ = [t for t in mailgen.load_templates() if t.action != t.labelled]
    report.note("reference actions (responder classify --json, one file at a time) that differ "
                "from the corpus labels (a classifier matter, not a pass matter): "
                + (", ".join(f"{t.name} {t.action} (labelled {t.labelled})" for t in differ)
                   or "none"))
    with Lab() as lab:
        proxy = CountingProxy(lab.server.port)
        startup(report)
        s = mailbox_bench(lab, proxy, report, total=small, linkedin=small // 10,
                          title=f"{small:,}-message mailbox", floor=False)
        b = mailbox_bench(lab, proxy, report, total=big + backlog, linkedin=backlog,
                          title=f"backlog: {backlog:,} LinkedIn among {big:,}", arrivals=True)
        f = mailbox_bench(lab, proxy, report, total=big + few, linkedin=few,
                          title=f"backlog: {few:,} LinkedIn among {big:,}", floor=False)
        proxy.close()
    classification(report, args.quick)
    idle_rows(report, s, b, small, big + backlog)
    backlog_rows(report, b, backlog, big)
    memory_rows(report, f, b, few, backlog)
    report.add(Row("first poll after start (`run --once`, idle)", "< 2 s",
                   f"{s['to_status']:.2f} / {b['to_status']:.2f} s to STATUS "
                   f"({small:,} / {big + backlog:,} messages), "
                   f"{s['once_s']:.2f} / {b['once_s']:.2f} s to exit",
                   ok=max(s["to_status"], b["to_status"]) < 2))
    after = mailgen.reference_actions()
    changed = sorted(t.name for t in mailgen.load_templates() if after.get(t.name) != t.action)
    if changed:
        report.problems.append(
            "the classifier or patterns changed while the bench ran (reference now differs for "
            + ", ".join(changed) + "): outcome differences may be that, not the pass; run again")
    minutes = (time.monotonic() - started) / 60
    report.note(f"load average (1 min) at the start {load:.1f}, at the end "
                f"{os.getloadavg()[0]:.1f}, on {os.cpu_count()} cores shared with other work")
    write_markdown(args.output, report, quick=args.quick, minutes=minutes)
    print(f"wrote {args.output} ({minutes:.1f} min)")
    for p in report.problems:
        print("PROBLEM:", p, file=sys.stderr)
    failed = [r.target for r in report.rows if not r.ok]
    if failed:
        print("targets missed: " + "; ".join(failed), file=sys.stderr)
    return 1 if report.problems else 0


def idle_rows(report: Report, s: dict[str, float], b: dict[str, float], small: int,
              big: int) -> None:
    for size, fig in ((small, s), (big, b)):
        report.add(Row(f"daemon idle poll, {size:,} messages (connection kept)",
                       "<= 3 round trips, a few hundred bytes",
                       f"{fig['poll_rt']:.0f} round trip(s), {fig['poll_bytes']:.0f} B",
                       "1 round trip (STATUS)",
                       f"{fig['poll_rt']:.0f}",
                       fig["poll_rt"] <= 3 and fig["poll_bytes"] < 1000))
    # The STATUS answers carry the message counts, so bytes differ by a few digits.
    same = s["poll_rt"] == b["poll_rt"] and abs(s["poll_bytes"] - b["poll_bytes"]) <= 40
    report.add(Row("idle poll independent of mailbox size", "same at both sizes",
                   f"{s['poll_rt']:.0f} vs {b['poll_rt']:.0f} round trips, "
                   f"{s['poll_bytes']:.0f} vs {b['poll_bytes']:.0f} B (digits of the counts)",
                   ok=same))
    for size, fig in ((small, s), (big, b)):
        report.add(Row(f"`run --once` idle, {size:,} messages (connects, logs in and out)",
                       "constant", f"{fig['once_rt']:.0f} round trips, "
                       f"{fig['once_up'] + fig['once_down']:.0f} B, {fig['once_s']:.2f} s"))


def backlog_rows(report: Report, b: dict[str, float], backlog: int, big: int) -> None:
    ratio = b["backlog_down"] / b["linkedin_bytes"]
    report.add(Row(f"backlog bytes fetched ({backlog:,} LinkedIn among {big:,})",
                   "<= 1.2 x the LinkedIn mail", f"{kb(b['backlog_down'])}",
                   f"{kb(b['floor_down'])} (LinkedIn mail: {kb(b['linkedin_bytes'])})",
                   f"{ratio:.2f} x LinkedIn mail, {b['backlog_down'] / b['floor_down']:.2f} x "
                   "floor", ratio <= 1.2))
    wall = b["backlog_s"] / b["floor_s"]
    report.add(Row(f"backlog wall time ({backlog:,} LinkedIn among {big:,})", "<= 1.5 x floor",
                   f"{b['backlog_s']:.1f} s ({b['backlog_cpu']:.1f} s CPU)",
                   f"{b['floor_s']:.1f} s ({b['floor_cpu']:.1f} s CPU)", f"{wall:.2f}",
                   wall <= 1.5))
    report.add(Row("backlog round trips", "batched", f"{b['backlog_rt']:.0f}",
                   f"{b['floor_rt']:.0f}", f"{b['backlog_rt'] / b['floor_rt']:.1f}"))
    if "new_down" in b:
        report.add(Row("10 new LinkedIn + 90 other mails arrive", "cost follows new mail",
                       kb(b["new_down"]), f"{kb(b['new_linkedin'])} (new LinkedIn mail)",
                       f"{b['new_down'] / b['new_linkedin']:.2f}"))


def memory_rows(report: Report, f: dict[str, float], b: dict[str, float], few: int,
                backlog: int) -> None:
    for n, fig in ((few, f), (backlog, b)):
        report.add(Row(f"peak RSS, {n:,} LinkedIn mails", "< 250 MB", f"{fig['rss']:.0f} MB",
                       f"{b['floor_rss']:.0f} MB (floor, {backlog:,})",
                       f"{fig['rss'] / b['floor_rss']:.1f}", fig["rss"] < 250))


def dovecot_version() -> str:
    done = subprocess.run(["dovecot", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.split()[0] if done.stdout else "?"


def write_markdown(path: Path, report: Report, *, quick: bool, minutes: float) -> None:
    uname = os.uname()
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `python bench/run_all.py{' --quick' if quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({uname.sysname} {uname.release}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, Dovecot "
        f"{dovecot_version()}"
        f"); the whole run took {minutes:.1f} minutes."
        + (" **Quick mode: a tenth of the sizes.**" if quick else ""),
        "",
        "| target | limit | measured | floor | ratio | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in report.rows:
        lines.append(f"| {r.target} | {r.limit} | {r.measured} | {r.floor} | {r.ratio} | "
                     f"{'pass' if r.ok else '**FAIL**'} |")
    lines += ["", "## Outcome checks", ""]
    if report.problems:
        lines += [f"- **{p}**" for p in report.problems]
    else:
        lines.append("Every responder pass (and the floor) left exactly the drafts (by "
                     "In-Reply-To), filed mail and flags (by Message-ID) that the one-file-at-a-"
                     "time reference calls for, with no duplicate draft and no LinkedIn mail "
                     "marked read.")
    lines += ["", "## Details", "", "```", *report.details, "```", ""]
    lines += [(ROOT / "bench" / "NOTES.md").read_text(), (ROOT / "bench" / "METHOD.md").read_text()]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
