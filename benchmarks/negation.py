"""Negation (and assertion) of given entities, measured on Chia and LCT.

The standard way to measure negation detection given entities: gold entity
spans are the targets, eligo's ConText (``eligo.context``) decides which are
negated.

- Chia (Kury et al. 2020), the concept model's split
  (``eligo_train.concepts.brat.split_of``: sha256(NCT id) mod 100 < 15 is dev, 15-24
  tune, the rest train); dev by default. Error analysis (``--dump``) is done
  on ``--split train+tune`` only, never on dev. Each line is a criterion;
  targets are the entities of the concept types below. Three measures:

  - ``strict`` (Chia's convention, the honest headline): gold negated iff the
    entity is the target (Arg1) of a ``Has_negation`` relation.
  - ``or_propagated``: also every member of an OR group holding such a target
    (Chia links "no A or B" to A only). Kept for continuity; it over-counts
    ("Pregnant, nursing, or not using contraception" makes "Pregnant" negated).
  - ``adjusted`` (eligo's convention where Chia's differs): strict, plus the
    OR members on the same side of Chia's cue as the linked member ("no A or
    [B]", "[A] or B are allowed"), plus a target whose ``Has_value`` is a
    negative finding ("HBsAg negative", "HBV DNA undetectable": Chia writes a
    Value, eligo a negation; a negative *test* was done and is not negated).
    Nothing is removed from Chia's gold: where eligo deliberately differs in
    the other direction it counts as an error in every measure. Those
    differences are: an example of a negated class is negated ("no
    anticoagulants (e.g. [warfarin])"; Chia links the class only); inability
    is not absence ("unable to [swallow]"); the subject of a permission is
    carved out like an exception ("[X] is allowed": negated, as Chia), but
    "[X] are eligible" is not (in an inclusion criterion it is an inclusion).

  Inclusion/exclusion polarity plays no part: targets of both sections are
  scored alike.
- LCT (Dobbins et al. 2022, research use, measurement only): targets are the
  trigger spans of Condition, Procedure, Drug, Observation, Study, Encounter,
  Allergy events; gold negated iff a ``Negation`` event ``Negates`` the event.
  Hypothetical: an ``Assertion`` event with type ``hypothetical`` asserts it.
  LCT's criteria blocks are split at lines (numbering removed).

Reports precision, recall and F1 of negated entities, and the component's speed
over the targets. Skips (exit 0) without ``../shared``.

Usage: python benchmarks/negation.py [--shared ../shared] [--out FILE]
    [--split dev|tune|train|train+tune|all] [--dump FILE.jsonl] [--errors N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from eligo.context import ConTextEngine, load_context_rules
from eligo_train.categories.chia import ChiaFile, ChiaLine, read_corpus
from eligo_train.concepts.brat import split_of

CHIA_TYPES = {
    "Condition",
    "Drug",
    "Procedure",
    "Observation",
    "Device",
    "Measurement",
    "Person",
    "Visit",
}
LCT_TYPES = {
    "Condition",
    "Procedure",
    "Drug",
    "Observation",
    "Study",
    "Encounter",
    "Allergy",
}
MARKER = re.compile(r"^\s*(?:(?:[-*•·]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+)+")


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "predicted": n_pred,
        "gold": n_gold,
    }


SPLITS = {
    "dev": {"dev"},
    "tune": {"tune"},
    "train": {"train"},
    "train+tune": {"train", "tune"},
    "all": {"dev", "tune", "train"},
}


#: Chia's Value texts that state a negative finding ("HBsAg negative").
NEGATIVE_VALUES = {"negative", "undetectable", "absent", "not detected"}
#: A negative test ("a negative pregnancy test") was done: the test is not negated.
TEST = re.compile(r"\b(?:tests?|screen\w*|biops\w+|smears?|assays?|TSTs?)\b", re.I)
MEASURES = ("strict", "or_propagated", "adjusted")


def gold_sets(f: ChiaFile, line: ChiaLine) -> dict[str, dict[str, str | None]]:
    """The negated targets of a line under each measure, with Chia's cue (if any).

    - strict: the ``Has_negation`` targets;
    - or_propagated: and every member of an OR group holding one of them;
    - adjusted: strict, plus the OR members on the same side of the Chia cue as
      the linked member ("no A or B", "A or B are allowed"), plus targets whose
      ``Has_value`` is a negative finding ("HBsAg negative"; not a test,
      "a negative pregnancy test", which was done).
    """
    cue_of = {a: b for name, a, b in line.relations if name == "Has_negation"}
    strict: dict[str, str | None] = {}
    for a, b in cue_of.items():
        cue = f.entities.get(b)
        strict[a] = cue.text if cue else None
    spread = dict(strict)
    adjusted = dict(strict)
    for group in line.or_groups:
        for a in set(group).intersection(strict):
            for m in group:
                spread.setdefault(m, None)
            cue, neg = f.entities.get(cue_of[a]), f.entities.get(a)
            if cue is None or neg is None:
                continue
            for m in group:
                other = f.entities.get(m)
                if other is None or m in adjusted:
                    continue
                before = cue.start < neg.start
                if (before and other.start >= cue.end) or (
                    not before and other.end <= cue.start
                ):
                    adjusted[m] = None
    for name, a, b in line.relations:
        value = f.entities.get(b)
        if (
            name == "Has_value"
            and value is not None
            and value.text.lower().strip(" -") in NEGATIVE_VALUES
            and a in f.entities
            and not TEST.search(f.entities[a].text)
        ):
            adjusted.setdefault(a, None)
    return {"strict": strict, "or_propagated": spread, "adjusted": adjusted}


def chia(
    engine: ConTextEngine,
    root: Path,
    *,
    split: str = "dev",
    errors: int = 0,
    dump: Path | None = None,
) -> dict[str, object]:
    wanted = SPLITS[split]
    tp = dict.fromkeys(MEASURES, 0)
    gold_n = dict.fromkeys(MEASURES, 0)
    n_pred = n_targets = chars = 0
    trials: set[str] = set()
    triggers: Counter[str] = Counter()
    shown = 0
    seconds = 0.0
    dumped: list[dict[str, object]] = []
    for f in read_corpus(root):
        if split_of(f.trial) not in wanted:
            continue
        trials.add(f.trial)
        for line in f.lines():
            targets = [e for e in line.entities if e.label in CHIA_TYPES]
            if not targets:
                continue
            golds = gold_sets(f, line)
            t0 = time.perf_counter()
            results = engine.assert_targets(
                f.text,
                line.start,
                line.end,
                [(e.start, e.end, e.label) for e in targets],
            )
            seconds += time.perf_counter() - t0
            chars += line.end - line.start
            n_targets += len(targets)
            for e, res in zip(targets, results, strict=True):
                for measure in MEASURES:
                    gold = e.id in golds[measure]
                    gold_n[measure] += gold
                    tp[measure] += gold and res.negated
                trigger = None
                if res.negated:
                    n_pred += 1
                    assert res.trigger is not None
                    trigger = f.text[res.trigger.start : res.trigger.end]
                    triggers[trigger.lower()] += 1
                if res.negated == (e.id in golds["adjusted"]):
                    continue
                kind = "FP" if res.negated else "FN"
                if shown < errors:
                    shown += 1
                    print(f"{kind} [{e.text}] {line.text[:160]}", file=sys.stderr)
                if dump is not None:
                    dumped.append(
                        {
                            "kind": kind,
                            "trial": f.trial,
                            "section": f.section,
                            "label": e.label,
                            "entity": e.text,
                            "offset": e.start - line.start,
                            "trigger": trigger,
                            "gold_cue": golds["adjusted"].get(e.id),
                            "strict": e.id in golds["strict"],
                            "text": line.text,
                        }
                    )
    if dump is not None:
        dump.write_text("".join(json.dumps(d) + "\n" for d in dumped), encoding="utf-8")
    report: dict[str, object] = {
        "split": f"{split} (eligo_train.concepts.brat.split_of: sha256(NCT id) % 100)",
        "trials": len(trials),
        "targets": n_targets,
    }
    for measure in MEASURES:
        report[measure] = prf(tp[measure], n_pred, gold_n[measure])
    report["top_triggers"] = dict(triggers.most_common(15))
    report["mb_per_s"] = round(chars / 1e6 / seconds, 2) if seconds else None
    return report


def lct(engine: ConTextEngine, root: Path) -> dict[str, object]:
    tp = n_pred = n_gold = 0
    h_tp = h_pred = h_gold = 0
    n_targets = 0
    for txt in sorted(root.glob("*.txt")):
        ann = txt.with_suffix(".ann")
        if not ann.is_file():
            continue
        text = txt.read_text(encoding="utf-8")
        spans: dict[str, tuple[str, int, int]] = {}
        events: dict[str, list[tuple[str, str]]] = {}
        values: dict[str, str] = {}
        for row in ann.read_text(encoding="utf-8").splitlines():
            parts = row.split("\t")
            if row.startswith("T") and len(parts) >= 2:
                label, _, offs = parts[1].partition(" ")
                nums = [int(x) for x in re.findall(r"\d+", offs)]
                if nums:
                    spans[parts[0]] = (label, min(nums), max(nums))
            elif row.startswith("E") and len(parts) >= 2:
                events[parts[0]] = [
                    tuple(a.split(":", 1))  # type: ignore[misc]
                    for a in parts[1].split()
                    if ":" in a
                ]
            elif row.startswith("A") and len(parts) >= 2:
                bits = parts[1].split()
                if len(bits) == 3:
                    values[bits[1]] = bits[2]
        negated: set[str] = set()
        hypothetical: set[str] = set()
        for event_id, args in events.items():
            kind, _ = args[0]
            if kind == "Negation":
                negated.update(v for k, v in args[1:] if k.startswith("Negates"))
            elif kind == "Assertion" and values.get(event_id) == "hypothetical":
                hypothetical.update(v for k, v in args[1:] if k.startswith("Assert"))
        targets: list[tuple[str, str, int, int]] = []
        for eid, args in events.items():
            kind, trig = args[0]
            if kind in LCT_TYPES and trig in spans:
                _, s, e = spans[trig]
                targets.append((eid, kind, s, e))
        pos = 0
        for raw in text.split("\n"):
            start, end = pos, pos + len(raw.rstrip())
            pos += len(raw) + 1
            m = MARKER.match(raw)
            if m:
                start += m.end()
            in_line = [t for t in targets if start <= t[2] < end]
            if not in_line:
                continue
            results = engine.assert_targets(
                text, start, end, [(s, e, k) for _, k, s, e in in_line]
            )
            n_targets += len(in_line)
            for (eid, *_), res in zip(in_line, results, strict=True):
                gold = eid in negated
                n_gold += gold
                n_pred += res.negated
                tp += gold and res.negated
                hyp = eid in hypothetical
                h_gold += hyp
                h_pred += res.assertion == "hypothetical"
                h_tp += hyp and res.assertion == "hypothetical"
    return {
        "targets": n_targets,
        "negated": prf(tp, n_pred, n_gold),
        "hypothetical": prf(h_tp, h_pred, h_gold),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    here = Path(__file__).resolve().parents[1]
    ap.add_argument("--shared", type=Path, default=here.parent / "shared")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--errors", type=int, default=0, help="print N disagreements")
    ap.add_argument(
        "--split",
        choices=sorted(SPLITS),
        default="dev",
        help="Chia trials to measure (analyse errors on train/tune, never dev)",
    )
    ap.add_argument(
        "--dump", type=Path, default=None, help="write Chia FP/FN as JSON lines"
    )
    ap.add_argument("--no-lct", action="store_true", help="skip LCT")
    args = ap.parse_args()
    chia_dir = args.shared / "data" / "chia"
    lct_dir = args.shared / "data" / "lct"
    if not chia_dir.is_dir() and not lct_dir.is_dir():
        print(f"no Chia or LCT corpus under {args.shared}; nothing measured")
        return 0
    rules = load_context_rules()
    engine = ConTextEngine(
        rules.context_rules,
        dependent_words=rules.dependent_words,
        ignored_types=rules.ignored_types,
    )
    report: dict[str, object] = {}
    if chia_dir.is_dir():
        report["chia"] = chia(
            engine, chia_dir, split=args.split, errors=args.errors, dump=args.dump
        )
    if lct_dir.is_dir() and not args.no_lct:
        report["lct"] = lct(engine, lct_dir)
    out = json.dumps(report, indent=1)
    print(out)
    if args.out:
        args.out.write_text(out + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
