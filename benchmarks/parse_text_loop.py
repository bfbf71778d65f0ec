"""``eligo.parse_text`` in a loop against ``eligo parse`` on the same texts.

Takes the criteria of the first N records (1,000) of
``../shared/data/ctgov_xml/trials.jsonl``, writes each as a ``.txt`` file of a
temporary directory, and times, each in a fresh process from start-up to the
last Document:

- ``eligo parse DIR --format jsonl`` (one process);
- a Python loop of ``eligo.parse_text(text)`` over the same texts;
- ``eligo.parse_texts(texts)`` (batched) over them.

It checks that the three give the same criteria (sections, offsets,
constraints, entities) and reports the ratio of the loop to ``eligo parse``
(the issue's bar: at most 1.5). With ``--threads 2`` it also times two threads
sharing the cached pipeline through ``parse_text``'s lock against two threads
with a pipeline each and no lock (the choice documented in ``eligo.api``).

Usage:
    python benchmarks/parse_text_loop.py [--data FILE] [--limit N] [--threads 2]
        [--out benchmarks/results/parse_text_loop.json]

Figures move by 10-15 % between runs on the shared 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ctgov_xml" / "trials.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "parse_text_loop.json"

# Run in a child process so each variant pays its own start-up, as a user does.
LOOP = """
import json, sys, time
t0 = time.perf_counter()
import eligo
texts = json.load(open(sys.argv[1], encoding="utf-8"))
mode = sys.argv[2]
if mode == "loop":
    docs = [eligo.parse_text(t, id=f"t{i:04d}") for i, t in enumerate(texts)]
else:
    docs = list(eligo.parse_texts(texts, ids=[f"t{i:04d}" for i in range(len(texts))]))
seconds = time.perf_counter() - t0
with open(sys.argv[3], "w", encoding="utf-8") as out:
    for d in docs:
        out.write(d.model_dump_json() + "\\n")
print(seconds)
"""

THREADS = """
import json, sys, threading, time
import eligo
from eligo.parse import Parser
from eligo.pipeline import build_pipeline
from eligo.trial import Trial
texts = json.load(open(sys.argv[1], encoding="utf-8"))
halves = [texts[0::2], texts[1::2]]
eligo.parse_text("warm up")
def shared(part):
    for t in part:
        eligo.parse_text(t)
parsers = [Parser(nlp=build_pipeline()) for _ in halves]
for p in parsers:
    p.parse(Trial(id="w", text="warm up", source_format="text"))
def own(k):
    for t in halves[k]:
        parsers[k].parse(Trial(id="x", text=t, source_format="text"))
out = {}
for name, target, args in (("lock", shared, halves), ("own", own, [0, 1])):
    threads = [threading.Thread(target=target, args=(a,)) for a in args]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    out[name] = time.perf_counter() - t0
print(json.dumps(out))
"""


def criteria_of(line: str) -> list:
    doc = json.loads(line)
    return doc["criteria"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    if not args.data.is_file():
        sys.exit(f"skip: {args.data} is absent (../shared is not on this machine)")
    texts = []
    with args.data.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line).get("criteria") or "")
            if len(texts) >= args.limit:
                break
    exe = Path(sys.executable).with_name("eligo")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        trials = tmpdir / "trials"
        trials.mkdir()
        for i, text in enumerate(texts):
            (trials / f"t{i:04d}.txt").write_text(text, encoding="utf-8", newline="")
        data = tmpdir / "texts.json"
        data.write_text(json.dumps(texts), encoding="utf-8")

        t0 = time.perf_counter()
        cli_out = tmpdir / "cli.jsonl"
        command = [str(exe), "parse", str(trials), "--format", "jsonl", "-q"]
        subprocess.run([*command, "-o", str(cli_out)], check=True)
        cli_seconds = time.perf_counter() - t0
        timings = {}
        outputs = {}
        for mode in ("loop", "batched"):
            out = tmpdir / f"{mode}.jsonl"
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", LOOP, str(data), mode, str(out)], check=True
            )
            timings[mode] = time.perf_counter() - t0
            outputs[mode] = out.read_text(encoding="utf-8").splitlines()
        # eligo parse reads the directory in sorted order: t0000.txt, t0001.txt...
        cli = cli_out.read_text(encoding="utf-8").splitlines()
        same = [criteria_of(x) for x in cli] == [
            criteria_of(x) for x in outputs["loop"]
        ] and outputs["loop"] == outputs["batched"]
        threads = None
        if args.threads:
            done = subprocess.run(
                [sys.executable, "-c", THREADS, str(data)],
                check=True,
                capture_output=True,
                text=True,
            )
            threads = json.loads(done.stdout.strip().splitlines()[-1])
    result = {
        "texts": len(texts),
        "megabytes": round(sum(len(t.encode()) for t in texts) / 1e6, 3),
        "eligo_parse_s": round(cli_seconds, 2),
        "parse_text_loop_s": round(timings["loop"], 2),
        "parse_texts_s": round(timings["batched"], 2),
        "loop_ratio": round(timings["loop"] / cli_seconds, 3),
        "batched_ratio": round(timings["batched"] / cli_seconds, 3),
        "same_criteria": same,
        "two_threads_s": threads,
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
