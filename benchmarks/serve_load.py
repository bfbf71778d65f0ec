"""Load on ``eligo serve``: 50 concurrent clients on ``POST /parse`` for 30 s.

Starts ``eligo serve`` on a free port of 127.0.0.1 (a child process, as a user
runs it), waits for ``GET /health``, then runs N clients (50), each posting
criteria texts back to back for the given seconds (30): the criteria of the
first 200 records of ``../shared/data/ctgov_xml/trials.jsonl`` in turn, or the
bundled examples without ../shared. Reports requests, errors (any status but
200, or a failed connection), throughput, and latency p50/p95/p99/max, and
writes ``benchmarks/results/serve_load.json``; exits 1 if any request failed
(``.ci/run`` runs it so).

Requests are parsed one at a time over the one pipeline (see ``eligo.api``),
so latency under load is mostly queueing: about N x the time of one parse.

Usage:
    python benchmarks/serve_load.py [--clients 50] [--seconds 30]
        [--data FILE] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ctgov_xml" / "trials.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "serve_load.json"


def load_texts(path: Path, limit: int = 200) -> tuple[list[str], str]:
    if path.is_file():
        texts = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line).get("criteria") or ""
                if text.strip():
                    texts.append(text)
                if len(texts) >= limit:
                    break
        return texts, str(path.name)
    from eligo.readers import read_paths
    from eligo.trial import Trial

    trials = [t for t in read_paths([ROOT / "examples" / "trials"])]
    return [t.text for t in trials if isinstance(t, Trial)], "examples/trials"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


async def run_load(base: str, texts: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120.0, limits=limits) as client:
        stop = time.perf_counter() + seconds

        async def one(k: int) -> None:
            i = k
            nonlocal sent
            while time.perf_counter() < stop:
                sent += 1
                text = texts[i % len(texts)]
                i += clients
                t0 = time.perf_counter()
                try:
                    r = await client.post("/parse", json={"text": text})
                    latencies.append(time.perf_counter() - t0)
                    if r.status_code != 200 or r.json()["text"] != text:
                        errors.append(f"status {r.status_code}: {r.text[:100]}")
                except Exception as err:  # counted, not raised
                    errors.append(f"{type(err).__name__}: {err}")

        started = time.perf_counter()
        await asyncio.gather(*(one(k) for k in range(clients)))
        wall = time.perf_counter() - started
    return {
        "requests": sent,
        "errors": len(errors),
        "error_samples": errors[:5],
        "wall_s": round(wall, 2),
        "throughput_rps": round((sent - len(errors)) / wall, 2),
        "latency_s": {
            "p50": round(percentile(latencies, 0.50), 3),
            "p95": round(percentile(latencies, 0.95), 3),
            "p99": round(percentile(latencies, 0.99), 3),
            "max": round(max(latencies), 3),
            "mean": round(statistics.fmean(latencies), 3),
        }
        if latencies
        else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    texts, source = load_texts(args.data)
    port = free_port()
    exe = Path(sys.executable).with_name("eligo")
    server = subprocess.Popen([str(exe), "serve", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.2)
        t0 = time.perf_counter()
        httpx.post(base + "/parse", json={"text": texts[0]}, timeout=60)
        single = time.perf_counter() - t0
        result = asyncio.run(run_load(base, texts, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "texts": len(texts),
        "source": source,
        "mean_chars": round(statistics.fmean(len(t) for t in texts)),
        "one_request_alone_s": round(single, 3),
        **result,
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if result["errors"] or not result["requests"]:
        sys.exit(f"{result['errors']} errors in {result['requests']} requests")


if __name__ == "__main__":
    main()
