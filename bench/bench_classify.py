"""Throughput of the classifier against spaCy's bare tokenizer on the same texts.

Run: python bench/bench_classify.py [--repeat N]. Prints start-up time, asks/second through
``Classifier.classify_many`` and through the pipeline's bare ``nlp.tokenizer.pipe`` over the
same 240 corpus texts (median and best of N passes: a shared machine is noisy), their ratio,
the same without the word model (the patterns alone: what the rule component and the
pattern scoring cost), and the time per ask through single ``classify`` calls.

With ``--cli`` it measures instead what ``bench/run_all.py`` does (issue #7): 20,000 JSON lines
(the corpus texts repeated) piped into ``taskset -c 1 python -m responder classify --jsonl``,
minus the start-up of a one-line run, against ``spacy.blank("en").tokenizer.pipe`` over the
same texts, also pinned; best of ``--repeat`` rounds, wall time (as run_all) and CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from responder.classify import Classifier  # noqa: E402


def _passes(run: Callable[[], object], count: int) -> list[float]:
    """Seconds per pass of ``run``, ``count`` times (after one warm-up pass)."""
    run()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


#: What bench/run_all.py times the bare tokenizer with (texts on stdin; prints texts/s).
_TOKENIZER = """import json, sys, time, spacy
texts = [json.loads(l)['text'] for l in sys.stdin]
nlp = spacy.blank('en')
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    for doc in nlp.tokenizer.pipe(texts): pass
    best = min(best, time.perf_counter() - t)
print(len(texts) / best)
"""


def _pinned(argv: list[str], data: str) -> tuple[float, float, str]:
    """Run ``argv`` on core 1 with ``data`` on stdin: wall seconds, CPU seconds, stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    env["RESPONDER_LOG_LEVEL"] = "WARNING"
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        child = subprocess.Popen(
            ["taskset", "-c", "1", *argv], stdin=subprocess.PIPE, stdout=out, env=env
        )
        assert child.stdin is not None
        child.stdin.write(data.encode())
        child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{' '.join(argv)} failed")
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode()


def cli(rounds: int) -> None:
    """``classify --jsonl`` against the bare tokenizer, as bench/run_all.py measures them."""
    rows = [json.loads(line) for line in (ROOT / "tests" / "corpus" / "asks.jsonl").open()]
    count = 20_000
    lines = "".join(
        json.dumps({"text": rows[i % len(rows)]["text"], "kind": "invitation"}) + "\n"
        for i in range(count)
    )
    command = [sys.executable, "-m", "responder", "classify", "--jsonl"]
    one = lines[: lines.index("\n") + 1]
    for k in range(rounds):
        start = [_pinned(command, one)[:2] for _ in range(3)]
        total = [_pinned(command, lines)[:2] for _ in range(2)]
        wall = count / (min(t[0] for t in total) - min(s[0] for s in start))
        cpu = count / (min(t[1] for t in total) - min(s[1] for s in start))
        tokenizer = float(_pinned([sys.executable, "-c", _TOKENIZER], lines)[2])
        print(
            f"round {k + 1}: classify --jsonl {wall:,.0f} asks/s (by CPU time {cpu:,.0f}); "
            f"tokenizer {tokenizer:,.0f} texts/s; {tokenizer / wall:.2f} x the tokenizer's "
            f"time ({tokenizer / cpu:.2f} by CPU time)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the corpus")
    parser.add_argument("--cli", action="store_true", help="time classify --jsonl (rounds)")
    args = parser.parse_args()
    if args.cli:
        cli(args.repeat)
        return
    corpus = ROOT / "tests" / "corpus" / "asks.jsonl"
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    items = [(str(r["text"]), r.get("kind")) for r in rows]
    texts = [t for t, _ in items]

    start = time.perf_counter()
    clf = Classifier.load()
    startup = time.perf_counter() - start

    tokenizer = clf._nlp.tokenizer
    patterns_only = clf.with_lexicon(None)
    many = _passes(lambda: clf.classify_many(items), args.repeat)
    bare = _passes(lambda: list(tokenizer.pipe(texts, batch_size=256)), args.repeat)
    rules = _passes(lambda: patterns_only.classify_many(items), args.repeat)
    single = _passes(lambda: [clf.classify(t, k) for t, k in items], 3)

    n = len(items)
    print(f"asks: {n}, {args.repeat} passes each (figures: median pass, best pass)")
    print(f"start-up (Classifier.load, spaCy import included): {startup:.2f} s")
    print(
        f"classify_many:  {n / statistics.median(many):>8,.0f} asks/s  (best {n / min(many):,.0f})"
    )
    print(
        f"bare tokenizer: {n / statistics.median(bare):>8,.0f} asks/s  (best {n / min(bare):,.0f})"
    )
    ratio = statistics.median(many) / statistics.median(bare)
    print(f"classify_many takes {ratio:.2f}x the bare tokenizer's time (medians)")
    ratio = statistics.median(rules) / statistics.median(bare)
    print(
        f"without the word model: {n / statistics.median(rules):,.0f} asks/s, "
        f"{ratio:.2f}x the bare tokenizer's time (medians)"
    )
    print(f"classify, one at a time: {min(single) / n * 1000:.3f} ms per ask (best pass)")


if __name__ == "__main__":
    main()
