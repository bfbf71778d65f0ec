"""Fuzz ``Parser.parse`` with mutated registry text: crashes, offsets, slow inputs.

Each input is a real criteria text (``../shared/data/ctgov_xml/trials.jsonl``
and the registry pages of ``../shared/seeds``) put through one to four
mutations: splices of two records, random code points (lone surrogates,
controls, combining marks, bidi and zero-width marks, astral characters),
markdown escapes and entities, bullets and section headers, long runs of
digits, parentheses and operators, CR/LF mixes, deletions, repeats, case and
whitespace changes. One input in five goes through the concept model; one in
ten is wrapped as a record (API v2 JSON, AACT-like JSONL, legacy XML, or a page
read by sniffing) and read by :func:`eligo.readers.read_text` first.

For every output the harness checks each span (sections and headers,
criteria, items, headings, entities and their triggers, constraints, their
analytes, subjects and triggers): ``0 <= start <= end <= len(text)``, nonempty
where a span must hold text, quoted text equal to the slice it claims, and
``Document.text`` the input with only unencodable code points replaced, one
for one. It reports crashes and offset violations by class, each with a
minimal reproducer (the input shrunk while it still fails the same way), and
the slowest inputs.

Input ``i`` of seed ``s`` is made by ``random.Random(f"{s}:{i}")`` from the
same base texts, so a run is reproducible and one input can be replayed:
``--only I`` parses input I alone and prints it.

Usage:
    python benchmarks/fuzz.py [--inputs 100000] [--seed 18] [--concepts-every 5]
        [--readers-every 10] [--out benchmarks/results/fuzz.json] [--only I]

``benchmarks/results/fuzz.json`` is the default run. The exit code is 1 when
any input crashed or broke the offset contract (CI runs a smoke of 2,000).
Timings are wall time on the shared 2-core machine: a slow input is worth
re-timing alone (``--only``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from eligo.readers.sanitise import UNENCODABLE as _UNENCODABLE

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "ctgov_xml" / "trials.jsonl"
DEFAULT_SEEDS = SHARED / "seeds"

#: Longest input made (characters): over three times the longest criteria text
#: of the 2,653 shared registry records (12,398). Parser accepts 1,000,000.
MAX_CHARS = 40_000
#: An input slower than this is reported as over the target.
TARGET_SECONDS = 2.0

FORMATS = ["text", "text", "ctgov_v2", "ctgov_v2", "ctgov_xml", "aact"]
WRAPS = ["v2_json", "jsonl_row", "xml", "sniffed"]

ESCAPES = [
    "\\>", "\\<", "\\*", "\\-", "\\_", "\\~", "\\^", "\\[", "\\]", "\\\\", "\\.",
    "**", "__", "`", "&gt;", "&lt;", "&amp;", "&#8805;", "<br>", "</p>",
]  # fmt: skip
BULLETS = [
    "- ", "* ", "• ", "· ", "o ", "▪ ", "1. ", "2) ", "10. ", "(a) ", "i. ",
    "iv) ", "- • 3. ", "\n- ", "\n\n* ", "\n1.\n", " - ", " * ", "-", "•",
]  # fmt: skip
HEADERS = [
    "Inclusion Criteria:", "Exclusion Criteria:", "INCLUSION CRITERIA",
    "Key exclusion criteria", "DISEASE CHARACTERISTICS:", "PATIENT CHARACTERISTICS:",
    "PRIOR CONCURRENT THERAPY:", "Hepatic:", "Excluded:", "Allowed:",
    "Patients are not eligible if:", "Minimum Eligible Age", "About us", ":",
]  # fmt: skip
RUN_UNITS = [
    "digits", "(", ")", "()", "((", "))", ")(", "[", "]", "1.", "1,", "-", " ",
    "≥", "<=", ".", "x", "10^", "e", "\t", "\n", "- ", "and ", "or ", "not ",
    "%", "/", "±", "~", "5 x ", "mg/dL ",
]  # fmt: skip
NEWLINES = ["\r\n", "\r", "\n\r", "\r\r\n", "\u2028", "\x85", "\n\n", "\v", "\f"]
SPECIAL_POINTS = [
    *range(0xD800, 0xD810), *range(0xDBF8, 0xDC08), *range(0xDFF8, 0xE000),
    *range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0xA0, 0xAD, 0x2028, 0x2029,
    *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A),
    0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x1F600, 0x10FFFF, 0xE000, 0x0301, 0x0338,
]  # fmt: skip


# ------------------------------------------------------------------ inputs


def load_bases(data: Path, seeds: Path) -> list[str]:
    """The criteria texts mutated: every record of ``data``, then the seeds."""
    from eligo.readers import read_paths
    from eligo.trial import Trial

    paths = [data, *sorted(seeds.glob("*.txt"))]
    return [t.text for t in read_paths(paths) if isinstance(t, Trial) and t.text]


def _code_point(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.3:
        return chr(rng.choice(SPECIAL_POINTS))
    if pick < 0.45:
        return chr(rng.randint(0xD800, 0xDFFF))  # a lone surrogate
    if pick < 0.6:
        return chr(rng.randint(0x300, 0x36F))  # combining marks
    return chr(rng.randint(0, 0x10FFFF))


def _at(rng: random.Random, text: str) -> int:
    return rng.randint(0, len(text))


def _insert(text: str, at: int, piece: str) -> str:
    return text[:at] + piece + text[at:]


def m_splice(rng: random.Random, text: str, bases: list[str]) -> str:
    other = rng.choice(bases)
    i, j = _at(rng, text), _at(rng, other)
    if rng.random() < 0.5:
        return text[:i] + other[j:]
    k = min(len(other), j + rng.randint(1, 400))
    return _insert(text, i, other[j:k])


def m_code_points(rng: random.Random, text: str, _bases: list[str]) -> str:
    for _ in range(rng.randint(1, 20)):
        text = _insert(text, _at(rng, text), _code_point(rng))
    return text


def m_escapes(rng: random.Random, text: str, _bases: list[str]) -> str:
    for _ in range(rng.randint(1, 30)):
        text = _insert(text, _at(rng, text), rng.choice(ESCAPES))
    return text


def m_bullets(rng: random.Random, text: str, _bases: list[str]) -> str:
    if rng.random() < 0.3:  # a marker in front of every line
        mark = rng.choice(BULLETS)
        return "\n".join(mark + line for line in text.split("\n"))
    for _ in range(rng.randint(1, 20)):
        text = _insert(text, _at(rng, text), rng.choice(BULLETS))
    return text


def m_headers(rng: random.Random, text: str, _bases: list[str]) -> str:
    for _ in range(rng.randint(1, 5)):
        sep = rng.choice(["\n", "\n\n", " ", ""])
        text = _insert(text, _at(rng, text), sep + rng.choice(HEADERS) + sep)
    return text


def m_run(rng: random.Random, text: str, _bases: list[str]) -> str:
    n = int(math.exp(rng.uniform(math.log(5), math.log(20_000))))
    unit = rng.choice(RUN_UNITS)
    if unit == "digits":
        run = "".join(rng.choice("0123456789") for _ in range(n))
    elif rng.random() < 0.15:  # nested: ((((x))))
        run = "(" * n + "x" + ")" * n
    else:
        run = (unit * (n // len(unit) + 1))[:n]
    return _insert(text, _at(rng, text), run)


def m_newlines(rng: random.Random, text: str, _bases: list[str]) -> str:
    if rng.random() < 0.4:
        return text.replace("\n", rng.choice(NEWLINES))
    parts = text.split("\n")
    return "".join(
        p + (rng.choice([*NEWLINES, "\n"]) if i < len(parts) - 1 else "")
        for i, p in enumerate(parts)
    )


def m_delete(rng: random.Random, text: str, _bases: list[str]) -> str:
    if rng.random() < 0.3:
        return text[: _at(rng, text)]
    i = _at(rng, text)
    return text[:i] + text[i + rng.randint(1, 200) :]


def m_repeat(rng: random.Random, text: str, _bases: list[str]) -> str:
    i = _at(rng, text)
    piece = text[i : i + rng.randint(1, 300)]
    times = rng.randint(2, 200)
    return _insert(text, i, piece * times)


def m_case_space(rng: random.Random, text: str, _bases: list[str]) -> str:
    pick = rng.random()
    if pick < 0.3:
        i = _at(rng, text)
        j = min(len(text), i + rng.randint(1, 2000))
        return text[:i] + text[i:j].upper() + text[j:]
    if pick < 0.6:  # a flattened list: one line
        return " ".join(text.split("\n"))
    space = rng.choice([" ", "\t", "\u00a0", "\u3000", "  \t "])
    return _insert(text, _at(rng, text), space * rng.randint(1, 5000))


MUTATIONS: dict[str, Callable[[random.Random, str, list[str]], str]] = {
    "splice": m_splice,
    "code_points": m_code_points,
    "escapes": m_escapes,
    "bullets": m_bullets,
    "headers": m_headers,
    "run": m_run,
    "newlines": m_newlines,
    "delete": m_delete,
    "repeat": m_repeat,
    "case_space": m_case_space,
}


@dataclass
class Case:
    """One fuzz input: the text, how the parser sees it, and how it was made."""

    index: int
    text: str
    source_format: str
    concepts: bool
    wrap: str | None
    ops: list[str]


def make_case(
    seed: int, index: int, bases: list[str], concepts_every: int, readers_every: int
) -> Case:
    rng = random.Random(f"{seed}:{index}")
    text = rng.choice(bases)
    if rng.random() < 0.3:  # a window of the record
        i = _at(rng, text)
        text = text[i : i + rng.randint(1, 3000)]
    ops = rng.choices(list(MUTATIONS), k=rng.randint(1, 4))
    for op in ops:
        text = MUTATIONS[op](rng, text, bases)[:MAX_CHARS]
    wrap = rng.choice(WRAPS) if readers_every and index % readers_every == 1 else None
    return Case(
        index=index,
        text=text,
        source_format=rng.choice(FORMATS),
        concepts=bool(concepts_every) and index % concepts_every == 0,
        wrap=wrap,
        ops=ops,
    )


def cases(
    seed: int, n: int, bases: list[str], concepts_every: int, readers_every: int
) -> Iterator[Case]:
    for i in range(n):
        yield make_case(seed, i, bases, concepts_every, readers_every)


# ------------------------------------------------------------------ running


def wrapped(case: Case, text: str) -> str:
    """The record that holds ``text`` as its criteria, in ``case.wrap``'s format."""
    if case.wrap == "v2_json":  # json.dumps writes a lone surrogate as \\udXXX
        return json.dumps(
            {
                "protocolSection": {
                    "identificationModule": {"nctId": "NCT09999999"},
                    "eligibilityModule": {"eligibilityCriteria": text},
                }
            }
        )
    if case.wrap == "jsonl_row":
        row = {"nct_id": "NCT09999998", "criteria": text, "gender": "All"}
        return json.dumps(row) + "\n" + json.dumps(row | {"nct_id": "NCT2"}) + "\n"
    if case.wrap == "xml":
        return (
            "<clinical_study><id_info><nct_id>NCT09999997</nct_id></id_info>"
            "<eligibility><criteria><textblock>"
            f"{escape(text)}</textblock></criteria></eligibility></clinical_study>"
        )
    return text


class Runner:
    """The two parsers (with and without the concept model), built once."""

    def __init__(self) -> None:
        from eligo.parse import Parser

        self.parsers = {True: Parser(concepts=True), False: Parser(concepts=False)}

    def run(self, case: Case, text: str | None = None) -> list[str]:
        """Parse one input; the offset violations found (raises on a crash)."""
        from eligo.readers import read_text
        from eligo.trial import ReadFailure, Trial

        text = case.text if text is None else text
        parser = self.parsers[case.concepts]
        if case.wrap is None:
            trial = Trial(id="fuzz", text=text, source_format=case.source_format)
            return check(parser.parse(trial), text)
        problems: list[str] = []
        for item in read_text(wrapped(case, text), path="fuzz"):
            if isinstance(item, ReadFailure):
                if item.reason.startswith("unexpected error"):
                    raise RuntimeError(f"reader: {item.reason}")
                continue
            assert isinstance(item, Trial)
            # The reader replaced what it had to (and noted it): the parsed
            # text is the reader's, the note is owed to the input.
            # JSON joins an escaped surrogate pair into one code point, so
            # what the reader had to replace is what JSON gives back.
            given = text
            if case.wrap in ("v2_json", "jsonl_row"):
                given = json.loads(json.dumps(text))
            replaced = _UNENCODABLE.search(given) is not None
            problems += check(parser.parse(item), item.text, replaced=replaced)
        return problems


def _span_problems(kind: str, span: Any, text: str, *, nonempty: bool) -> list[str]:
    start, end = span.start, span.end
    if not (0 <= start <= end <= len(text)):
        return [f"{kind} outside the text"]
    if nonempty and start == end:
        return [f"{kind} empty"]
    quoted = getattr(span, "text", None)
    sliced = kind not in ("analyte", "subject") and quoted is not None
    if sliced and quoted != text[start:end]:
        return [f"{kind} text is not its slice"]
    return []


def check(doc: Any, given: str, *, replaced: bool | None = None) -> list[str]:
    """Every way ``doc`` breaks the offset contract for the text ``given``.

    ``replaced``: whether the document must note a replacement (by default,
    whether ``given`` holds a code point to replace).
    """
    from eligo.readers.sanitise import clean_text

    expected, note = clean_text(given)
    problems: list[str] = []
    if doc.text != expected:
        problems.append("Document.text is not the input (one-for-one replaced)")
    if replaced is None:
        replaced = note is not None
    if bool(doc.notes) != replaced:
        problems.append("notes disagree with the replacements")
    text = doc.text
    doc.model_dump_json()  # must serialise
    for sec in doc.sections:
        problems += _span_problems("section", sec, text, nonempty=False)
        if sec.header is not None:
            problems += _span_problems(
                "section header", sec.header, text, nonempty=True
            )
    last = 0
    for crit in doc.criteria:
        problems += _span_problems("criterion", crit, text, nonempty=True)
        if crit.start < last:
            problems.append("criteria overlap or out of order")
        last = crit.end
        for item in crit.items:
            problems += _span_problems("item", item, text, nonempty=True)
            if not (crit.start <= item.start and item.end <= crit.end):
                problems.append("item outside its criterion")
        if crit.heading is not None:
            problems += _span_problems("heading", crit.heading, text, nonempty=True)
        for ent in crit.entities:
            problems += _span_problems("entity", ent, text, nonempty=True)
            if ent.trigger is not None:
                problems += _span_problems("trigger", ent.trigger, text, nonempty=True)
        for con in crit.constraints:
            problems += _span_problems("constraint", con, text, nonempty=True)
            for kind, part in (
                ("analyte", con.analyte),
                ("subject", con.subject),
                ("trigger", con.trigger),
            ):
                if part is not None:
                    problems += _span_problems(kind, part, text, nonempty=True)
    return sorted(set(problems))


def crash_class(err: BaseException) -> str:
    """Exception type and the innermost frame in eligo (else the innermost)."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "/eligo/" in f.filename] or frames
    if not ours:
        return type(err).__name__
    last = ours[-1]
    where = last.filename.split("/eligo/")[-1]
    return f"{type(err).__name__} at eligo/{where}:{last.lineno} ({last.name})"


def outcome(runner: Runner, case: Case, text: str) -> set[str]:
    """The failure classes of ``text`` as ``case``: a crash class or violations."""
    try:
        return set(runner.run(case, text))
    except Exception as err:
        return {crash_class(err)}


def shrink(runner: Runner, case: Case, failure: str, budget_s: float = 60.0) -> str:
    """The shortest text found that still fails with ``failure`` (ddmin on
    chunks, then single characters, within ``budget_s``)."""
    text = case.text
    deadline = time.perf_counter() + budget_s
    chunk = max(1, len(text) // 2)
    while chunk >= 1 and time.perf_counter() < deadline:
        i, shrunk = 0, False
        while i < len(text) and time.perf_counter() < deadline:
            candidate = text[:i] + text[i + chunk :]
            if failure in outcome(runner, case, candidate):
                text, shrunk = candidate, True
            else:
                i += chunk
        if not shrunk:
            chunk //= 2
    return text


@dataclass
class Tally:
    """Failures of one class: how many inputs, the first, a reproducer."""

    count: int = 0
    first: int | None = None
    example: str = ""
    reproducer: str | None = None
    message: str = ""
    cases: list[int] = field(default_factory=list)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--concepts-every", type=int, default=5)
    ap.add_argument("--readers-every", type=int, default=10)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "fuzz.json"
    )
    ap.add_argument(
        "--only", type=int, default=None, help="replay input I and print it"
    )
    args = ap.parse_args()
    if not args.data.is_file() or not args.seeds.is_dir():
        print(
            f"no registry text at {args.data} and {args.seeds} (../shared is absent); "
            "nothing fuzzed",
            file=sys.stderr,
        )
        return 0
    bases = load_bases(args.data, args.seeds)
    runner = Runner()
    make = (args.seed, bases, args.concepts_every, args.readers_every)
    if args.only is not None:
        case = make_case(args.seed, args.only, *make[1:])
        started = time.perf_counter()
        found = outcome(runner, case, case.text)
        seconds = time.perf_counter() - started
        print(
            json.dumps(
                {**vars(case), "failures": sorted(found), "seconds": round(seconds, 3)}
            )
        )
        return 1 if found else 0

    from eligo.parse import frozen_heap
    from eligo.trial import Trial

    for parser in runner.parsers.values():  # lazily built parts, before timing
        parser.parse(Trial(id="warm-up", text="Inclusion Criteria:\n- Age >= 18"))
    crashes: dict[str, Tally] = {}
    violations: dict[str, Tally] = {}
    ops: Counter[str] = Counter()
    times: list[tuple[float, int]] = []
    counts = Counter[str]()
    chars = 0
    started = time.perf_counter()
    with frozen_heap():
        for case in cases(args.seed, args.inputs, *make[1:]):
            ops.update(case.ops)
            counts["concepts"] += case.concepts
            counts["readers"] += case.wrap is not None
            chars += len(case.text)
            t0 = time.perf_counter()
            try:
                problems = runner.run(case)
                crashed = None
            except Exception as err:
                problems, crashed = [], err
            seconds = time.perf_counter() - t0
            times.append((seconds, case.index))
            if crashed is not None:
                key = crash_class(crashed)
                tally = crashes.setdefault(key, Tally(first=case.index))
                tally.count += 1
                tally.message = tally.message or str(crashed).splitlines()[0][:300]
            for key in problems:
                tally = violations.setdefault(key, Tally(first=case.index))
                tally.count += 1
            if case.index % 5000 == 4999:
                print(
                    f"{case.index + 1} inputs, {sum(t.count for t in crashes.values())}"
                    f" crashes, {sum(t.count for t in violations.values())} "
                    f"violations, {time.perf_counter() - started:.0f} s",
                    file=sys.stderr,
                )
    total = time.perf_counter() - started
    for key, tally in [*crashes.items(), *violations.items()]:
        assert tally.first is not None
        case = make_case(args.seed, tally.first, *make[1:])
        tally.reproducer = shrink(runner, case, key)

    times.sort(reverse=True)
    slowest = []
    for seconds, index in times[:5]:
        case = make_case(args.seed, index, *make[1:])
        t0 = time.perf_counter()
        outcome(runner, case, case.text)
        slowest.append(
            {
                "input": index,
                "seconds": round(seconds, 3),
                "seconds_again": round(time.perf_counter() - t0, 3),
                "chars": len(case.text),
                "concepts": case.concepts,
                "format": case.wrap or case.source_format,
                "ops": case.ops,
            }
        )
    ordered = sorted(t for t, _ in times)

    def classes(found: dict[str, Tally]) -> list[dict[str, Any]]:
        return [
            {
                "class": key,
                "inputs": t.count,
                "first_input": t.first,
                **({"message": t.message} if t.message else {}),
                "reproducer": t.reproducer,
                "reproducer_chars": len(t.reproducer or ""),
            }
            for key, t in sorted(found.items(), key=lambda kv: -kv[1].count)
        ]

    report = {
        "seed": args.seed,
        "inputs": args.inputs,
        "with_concepts": counts["concepts"],
        "through_readers": counts["readers"],
        "base_texts": len(bases),
        "mb": round(chars / 1e6, 2),
        "mutations": dict(ops.most_common()),
        "crashes": sum(t.count for t in crashes.values()),
        "crash_classes": classes(crashes),
        "offset_violations": sum(t.count for t in violations.values()),
        "violation_classes": classes(violations),
        "over_target": sum(1 for t in ordered if t > TARGET_SECONDS),
        "target_seconds": TARGET_SECONDS,
        "seconds_per_input": {
            "median": round(ordered[len(ordered) // 2], 4),
            "p99": round(ordered[int(len(ordered) * 0.99)], 4),
            "max": round(ordered[-1], 3),
        },
        "slowest": slowest,
        "seconds": round(total, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 1 if report["crashes"] or report["offset_violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
