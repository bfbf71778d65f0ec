"""The constraint layer (ages, thresholds, windows) scored by the team's scorer.

Runs eligo and the team's regex floor (``../shared/eval/baseline.py``) on the
same documents in one run and scores both with ``../shared/eval/score.py``:

- ``lct``: all 601 LCT documents (ages, thresholds, windows/durations);
- ``chia``: every Chia file, parsed with its section (Person→Value,
  Measurement→Value, Has_temporal);
- ``ctgov``: the CT.gov sample with ``minimum_age``/``maximum_age`` stripped
  before parsing (the text alone gives the age), summary age against the
  registry fields ("100/120 Years" count as no limit).

Every corpus is split into two fixed halves by document id
(:func:`half_of`: sha256 of the NCT id, even = ``study``, odd = ``held``).
Errors are studied on ``study`` only (``--dump`` writes its misses and false
hits); rules are judged by what they change on ``held``; both halves are
reported every time, and no sentence of ``held`` becomes a rule or a test.

Usage: python benchmarks/constraints.py [--shared ../shared] [--corpus lct ...]
    [--out benchmarks/results/constraints.json] [--dump FILE.jsonl]
    [--concepts]

Prints a table (metric, half, eligo P/R/F1, floor F1). Skips (exit 0) without
``../shared``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

from eligo.parse import Parser
from eligo.readers import read_paths
from eligo_train.concepts.brat import split_of

ROOT = Path(__file__).resolve().parents[1]
HALVES = ("study", "held")
#: The scorer levels each corpus is reported at (name in score.py's output).
HEADLINES: dict[str, list[str]] = {
    "lct": [
        "age [bounds]",
        "age [bounds+inclusive]",
        "measurement [span]",
        "measurement [+direction&value]",
        "measurement [+unit]",
        "temporal [span]",
        "temporal [+days(2%)]",
    ],
    "chia": [
        "age (Person->Value)",
        "measurement (Measurement->Value)",
        "temporal (Has_temporal->Temporal)",
    ],
    "ctgov": ["age low exact agreement", "age high exact agreement", "age coverage"],
}


def half_of(doc_id: str) -> str:
    """The fixed half a document belongs to: ``study`` or ``held``.

    Keyed on the NCT id, so a Chia trial's inclusion and exclusion files fall
    in the same half.
    """
    trial = doc_id.split("_")[0]
    bucket = int(hashlib.sha256(trial.encode("utf-8")).hexdigest(), 16) % 2
    return HALVES[bucket]


def load_module(path: Path, name: str) -> ModuleType:
    """Import one of ../shared/eval's scripts (never copied into the project)."""
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- eligo's predictions ---------------------------------------------------


def _documents(parser: Parser, trials: Iterator[Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for result in parser.parse_many(trials):
        if hasattr(result, "model_dump"):
            doc = result.model_dump(mode="json")
            out.setdefault(doc["id"], doc)
        else:
            print(result.message(), file=sys.stderr)
    return out


def predict(corpus: str, shared: Path, concepts: bool) -> dict[str, dict[str, Any]]:
    """eligo's Documents for one corpus, by id."""
    data = shared / "data"
    if corpus == "lct":
        parser = Parser(concepts=concepts)
        files = sorted((data / "lct").glob("NCT*.txt"))
        return _documents(parser, read_paths(files))
    if corpus == "chia":
        out: dict[str, dict[str, Any]] = {}
        for section in ("inclusion", "exclusion"):
            parser = Parser(concepts=concepts, default_section=section)
            suffix = "inc" if section == "inclusion" else "exc"
            files = sorted((data / "chia").glob(f"NCT*_{suffix}.txt"))
            out.update(_documents(parser, read_paths(files)))
        return out
    if corpus == "ctgov":
        with tempfile.TemporaryDirectory() as tmp:
            stripped = Path(tmp) / "trials.jsonl"
            with (
                open(data / "ctgov_xml" / "trials.jsonl", encoding="utf-8") as src,
                open(stripped, "w", encoding="utf-8") as dst,
            ):
                for line in src:
                    row = json.loads(line)
                    row.pop("minimum_age", None)
                    row.pop("maximum_age", None)
                    dst.write(json.dumps(row) + "\n")
            parser = Parser(concepts=concepts)
            return _documents(parser, read_paths(stripped))
    raise ValueError(corpus)


def floor(baseline: ModuleType, corpus: str) -> dict[str, dict[str, Any]]:
    """The regex floor's Documents for one corpus (baseline.py's own output)."""
    buf = io.StringIO()
    argv = sys.argv
    sys.argv = ["baseline.py", "--corpus", corpus]
    try:
        with redirect_stdout(buf):
            baseline.main()
    finally:
        sys.argv = argv
    docs = [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]
    return {d["id"]: d for d in docs}


# -- scoring -----------------------------------------------------------------


def score_halves(
    score: ModuleType, gold: dict[str, Any], pred: dict[str, Any], corpus: str
) -> dict[str, dict[str, Any]]:
    """The scorer's metrics on each half and on all documents."""
    out: dict[str, dict[str, Any]] = {}
    for half in (*HALVES, "all"):
        part = {k: v for k, v in gold.items() if half == "all" or half_of(k) == half}
        res = score.evaluate(pred, corpus, gold=part)
        out[half] = res["metrics"]
    return out


def _fig(metric: dict[str, Any]) -> tuple[Any, Any, Any]:
    if "f1" in metric:
        return metric["precision"], metric["recall"], metric["f1"]
    return None, None, metric.get("rate")


def table(results: dict[str, Any]) -> str:
    """The headline figures as a text table."""
    rows = [
        f"{'corpus':<6} {'metric':<36} {'half':<5} {'n':>5}"
        f" {'P':>6} {'R':>6} {'F1':>6} {'floor':>6}"
    ]
    fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    for corpus, res in results["corpora"].items():
        for name in HEADLINES[corpus]:
            for half in (*HALVES, "all"):
                m = res["eligo"][half][name]
                f = res["floor"][half][name]
                p, r, f1 = _fig(m)
                n = m.get("gold")
                rows.append(
                    f"{corpus:<6} {name:<36} {half:<5} {n:>5} {fmt(p):>6}"
                    f" {fmt(r):>6} {fmt(f1):>6} {fmt(_fig(f)[2]):>6}"
                )
    return "\n".join(rows)


# -- error dump (study half only) -------------------------------------------

LCT_DUMP = {
    "age": "age [bounds+inclusive]",
    "measurement": "measurement [+unit]",
    "temporal": "temporal [+days(2%)]",
}


def _context(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return text[line_start:line_end].strip()


def dump_errors(
    score: ModuleType, gold: dict[str, Any], pred: dict[str, Any], path: Path
) -> int:
    """Misses and false hits of the LCT study half, one JSON object a line."""
    levels = {
        "age": score.AGE_LEVELS,
        "measurement": score.MEAS_LEVELS,
        "temporal": score.TEMP_LEVELS,
    }
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for gid, g in sorted(gold.items()):
            if half_of(gid) != "study":
                continue
            p = pred.get(gid, {})
            for metric, level_name in LCT_DUMP.items():
                fn = dict(levels[metric])[level_name.split("[")[1].rstrip("]")]
                req = [x for x in g[metric] if not x.get("optional")]
                preds = score.constraints(p, metric)
                _, free_g, free_p = score.match(req, preds, fn)
                span_pairs, _, _ = score.match(req, preds, levels[metric][0][1])
                near = {gi: pi for gi, pi in span_pairs}
                for gi in free_g:
                    item = req[gi]
                    s, e = item["span"]
                    other = preds[near[gi]] if gi in near else None
                    rec = {
                        "doc": gid,
                        "metric": metric,
                        "kind": "wrong" if other is not None else "miss",
                        "gold": {k: v for k, v in item.items() if k != "section"},
                        "pred": other,
                        "line": _context(g["text"], s, e),
                    }
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
                dont = [
                    sp for x in g[metric] if x.get("optional") for sp in score.gspans(x)
                ]
                for pi in free_p:
                    c = preds[pi]
                    spans = score.cspans(c)
                    if any(score.ov(a, b) for a in spans for b in dont):
                        continue
                    if any(pj == pi for _, pj in span_pairs):
                        continue  # already dumped as "wrong"
                    rec = {
                        "doc": gid,
                        "metric": metric,
                        "kind": "false",
                        "pred": c,
                        "text": g["text"][c["start"] : c["end"]],
                        "line": _context(g["text"], c["start"], c["end"]),
                    }
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
    return n


def main() -> int:
    """Run the benchmark; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument(
        "--corpus", action="append", choices=sorted(HEADLINES), default=None
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--dump", type=Path, default=None, help="LCT study-half errors")
    ap.add_argument("--concepts", action="store_true", help="run the concept model")
    args = ap.parse_args()
    eval_dir = args.shared / "eval"
    if not (eval_dir / "score.py").exists() or not (args.shared / "data").exists():
        print(f"skipped: no scorer or data under {args.shared}", file=sys.stderr)
        return 0
    gold_mod = load_module(eval_dir / "gold.py", "gold")
    score = load_module(eval_dir / "score.py", "score")
    baseline = load_module(eval_dir / "baseline.py", "baseline")
    results: dict[str, Any] = {"halves": "sha256(NCT id) mod 2: 0 study, 1 held"}
    results["corpora"] = {}
    for corpus in args.corpus or list(HEADLINES):
        gold = gold_mod.LOADERS[corpus]("all")
        started = time.perf_counter()
        pred = predict(corpus, args.shared, args.concepts)
        seconds = time.perf_counter() - started
        base = floor(baseline, corpus)
        if corpus == "chia":
            # The concept model was trained on Chia's train and tune splits:
            # what it adds (eligo_model_values) is only unseen on its dev split.
            dev = {k: v for k, v in gold.items() if split_of(k.split("_")[0]) == "dev"}
            unseen = {
                "eligo": score.evaluate(pred, corpus, gold=dev)["metrics"],
                "floor": score.evaluate(floor(baseline, corpus), corpus, gold=dev)[
                    "metrics"
                ],
                "documents": len(dev),
            }
        results["corpora"][corpus] = {
            "documents": {h: sum(half_of(k) == h for k in gold) for h in HALVES},
            "parse_seconds": round(seconds, 1),
            "eligo": score_halves(score, gold, pred, corpus),
            "floor": score_halves(score, gold, base, corpus),
        }
        if corpus == "chia":
            results["corpora"][corpus]["concept_model_dev"] = unseen
            m = unseen["eligo"]["measurement (Measurement->Value)"]
            print(
                f"chia concept-model dev split ({len(dev)} files): Measurement->Value "
                f"P {m['precision']:.3f} R {m['recall']:.3f}",
                file=sys.stderr,
            )
        if corpus == "lct" and args.dump:
            n = dump_errors(score, gold, pred, args.dump)
            print(f"{n} study-half errors written to {args.dump}", file=sys.stderr)
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
