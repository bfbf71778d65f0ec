"""Whether a change keeps eligo's output: Document JSON of the shared data,
byte for byte, from this checkout and from another one.

A refactoring or a speed fix must not change what eligo writes. This parses
every record of ``../shared/data`` (LCT, CT.gov XML and API v2 JSON, the
Chia criteria texts) and ``../shared/seeds`` twice, with the checkout's code
and with a baseline's (``--base``: a worktree of the commit before the
change, ``git worktree add /tmp/base HEAD``), with and without the concept
model, and lists the records whose JSON differs.

Usage:
    python benchmarks/same_output.py --base /tmp/base [--ignore FIELD ...]
        [--no-concepts-only] [--base-python /tmp/base/.venv/bin/python]

``--ignore`` drops a top-level Document field before comparing (a field the
change adds). Exit code 1 when any record differs. Skips (exit 0) without
../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = ["data/lct", "data/ctgov_xml", "data/ctgov_v2", "seeds"]


def inputs(shared: Path, scratch: Path) -> list[Path]:
    """The paths to parse: the registry folders, and Chia's texts (without
    their .ann files) listed in a folder of links."""
    paths = [shared / s for s in SOURCES if (shared / s).exists()]
    chia = shared / "data" / "chia"
    if chia.is_dir():
        links = scratch / "chia"
        links.mkdir()
        for txt in sorted(chia.glob("*.txt")):
            (links / txt.name).symlink_to(txt)
        paths.append(links)
    return paths


def parse(
    code: Path, paths: list[Path], concepts: bool, out: Path, python: str
) -> None:
    """``eligo parse`` of ``paths`` with the package under ``code``.

    Raises:
        SystemExit: The run wrote nothing (its last error line is printed).
    """
    env = dict(os.environ, PYTHONPATH=str(code / "nlp"))
    cmd = [python, "-c", "from eligo.cli import main; main()", "parse"]
    cmd += [str(p) for p in paths] + ["--format", "jsonl", "--quiet", "-o", str(out)]
    if not concepts:
        cmd.append("--no-concepts")
    # Run from the checkout itself: ``python -c`` puts the working directory on
    # sys.path, and another checkout's eligo.egg-info there would lend its
    # entry points (module paths) to this run.
    run = subprocess.run(
        cmd, env=env, cwd=code, check=False, capture_output=True, text=True
    )
    if not out.is_file() or not out.stat().st_size:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(
            f"{code}: eligo parse wrote nothing: {last} (a baseline that lacks a "
            "module this venv's entry points name needs its own venv: --base-python)"
        )


def records(path: Path, ignore: list[str]) -> dict[str, str]:
    """Each output line keyed by source and id, with ``ignore`` dropped."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        doc = json.loads(line)
        for field in ignore:
            doc.pop(field, None)
        key = f"{doc.get('source', '')}#{doc.get('id', '')}#{n}"
        out[key] = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, required=True, help="baseline checkout")
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--ignore", action="append", default=[])
    ap.add_argument("--no-concepts-only", action="store_true")
    ap.add_argument(
        "--base-python",
        default=sys.executable,
        help="the baseline's interpreter (a venv with the baseline installed)",
    )
    args = ap.parse_args()
    if not args.shared.is_dir():
        print(f"skipped: no {args.shared}")
        return 0
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        paths = inputs(args.shared, scratch)
        for concepts in [False] if args.no_concepts_only else [False, True]:
            got: dict[str, dict[str, str]] = {}
            runs = (
                ("base", args.base, args.base_python),
                ("this", ROOT, sys.executable),
            )
            for name, code, python in runs:
                out = scratch / f"{name}-{concepts}.jsonl"
                parse(code, paths, concepts, out, python)
                got[name] = records(out, args.ignore)
            base, this = got["base"], got["this"]
            changed = sorted(
                k for k in base.keys() | this.keys() if base.get(k) != this.get(k)
            )
            differ += len(changed)
            label = "with concepts" if concepts else "without concepts"
            print(f"{label}: {len(this)} records, {len(changed)} differ")
            for key in changed[:20]:
                print(f"  {key}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
