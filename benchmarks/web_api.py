"""The HTTP API under load: ``POST /v1/assess`` with 50 concurrent clients, memory over 10,000 requests, the warm PDF.

Starts ``uvicorn --factory fairuse.web.server:app --workers W`` on a free port of
127.0.0.1 (a private data directory), then, with 50 client threads each on its own
keep-alive connection:

* **repeated answers**: the bundled examples, round robin (the answers a dashboard or
  a pipeline sends again and again: the server keeps the last results);
* **distinct answers**: every request a use no one sent before (a new use summary), so
  every request is a whole assessment;
* **memory**: 10,000 requests, one in twenty distinct (so the kept results fill up
  and are replaced), the workers' resident memory after 1,000, 5,000 and 10,000;
* **PDF memo**: ``POST /v1/memo?format=pdf``, the first and the median of the next five.

Prints p50 / p99 in milliseconds, errors, and the load average before and after
(the machine may be shared). Example: python benchmarks/web_api.py --workers 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def examples() -> list[dict]:
    import yaml

    from fairuse.examples import names, path

    return [yaml.safe_load(path(n).read_text(encoding="utf-8")) for n in names()]


def start(workers: int, port: int, data: str) -> subprocess.Popen:
    env = {**os.environ, "FAIRUSE_DATA_DIR": data}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "fairuse.web.server:app",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/schema")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def rss_mb(master: int) -> float:
    """The resident memory of the server's processes (the master and its workers), in MB."""
    total = 0
    for pid in [master] + children(master):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def load(port: int, bodies, total: int, path: str = "/v1/assess") -> tuple[list[float], int]:
    """``total`` requests from :data:`CLIENTS` threads; (latencies in ms, errors)."""
    latencies: list[float] = []
    errors = [0]
    counter = iter(range(total))
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            body = bodies(i)
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={"content-type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, latencies: list[float], errors: int, seconds: float) -> None:
    print(f"{name}: {len(latencies)} requests, {CLIENTS} clients, p50 {pct(latencies, 50):.0f} ms, "
          f"p99 {pct(latencies, 99):.0f} ms, {len(latencies) / seconds:.0f} requests/s, errors {errors}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=300, help="requests of distinct answers")
    parser.add_argument("--repeated", type=int, default=3000, help="requests of repeated answers")
    parser.add_argument("--soak", type=int, default=10_000, help="requests for the memory measurement")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores; {args.workers} workers", flush=True)
    bundled = [json.dumps(e).encode() for e in examples()]
    data = tempfile.mkdtemp(prefix="fairuse-bench-")
    port = free_port()
    proc = start(args.workers, port, data)
    try:
        def repeated(i):
            return bundled[i % len(bundled)]

        def distinct(i, salt=time.time_ns()):
            answers = json.loads(bundled[i % len(bundled)])
            answers["use_summary"] = f"Use number {salt}-{i}: " + str(answers.get("use_summary", ""))[:200]
            return json.dumps(answers).encode()

        load(port, repeated, len(bundled) * 2)  # each worker assesses each example once
        began = time.perf_counter()
        lat, err = load(port, repeated, args.repeated)
        report("POST /v1/assess, repeated answers (the bundled examples)", lat, err, time.perf_counter() - began)
        began = time.perf_counter()
        lat, err = load(port, distinct, args.distinct)
        report("POST /v1/assess, distinct answers (every request a new use)", lat, err, time.perf_counter() - began)

        def mixed(i):
            return distinct(i + 10**6) if i % 20 == 0 else repeated(i)

        print(f"memory before the soak: {rss_mb(proc.pid):.0f} MB (master and workers)", flush=True)
        done, errors = 0, 0
        for mark in sorted({m for m in (1_000, 5_000, args.soak) if m <= args.soak}):
            lat, err = load(port, lambda i, base=done: mixed(base + i), mark - done)
            done, errors = mark, errors + err
            print(f"memory after {done:,} requests (one in twenty distinct): {rss_mb(proc.pid):.0f} MB; "
                  f"errors so far {errors}", flush=True)

        for name in ("google-books", "llm-web-crawl"):
            body = bundled[examples_names().index(name)]
            times = []
            for _ in range(7):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                began = time.perf_counter()
                conn.request("POST", "/v1/memo?format=pdf", body=body, headers={"content-type": "application/json"})
                response = conn.getresponse()
                pdf = response.read()
                times.append((time.perf_counter() - began) * 1000)
                assert response.status == 200 and pdf.startswith(b"%PDF"), response.status
            print(f"POST /v1/memo?format=pdf ({name}): first {times[0]:.0f} ms (may be another worker's first), "
                  f"warm median {statistics.median(times[2:]):.0f} ms", flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"load average after: {os.getloadavg()}", flush=True)


def examples_names() -> list[str]:
    from fairuse.examples import names

    return names()


if __name__ == "__main__":
    main()
