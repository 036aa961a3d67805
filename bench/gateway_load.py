"""Gateway under load: 200 concurrent clients against a gateway over a mock upstream, then kill -9 mid-load.

    nice -n 10 .venv/bin/python bench/gateway_load.py --clients 200 --seconds 60

Phase 1 runs the gateway (``distillscope gateway serve``, its own process) for ``--seconds`` with ``--keys`` API
keys whose request quota is ``--quota`` per hour, so every key runs out during the run. It prints the counts the
issue asks for: answers beyond quota (must be 0), 5xx (must be 0), 200 answers missing from the exchange log
(must be 0), 429s without Retry-After (must be 0) and the requests/s held. Phase 2 starts a fresh gateway,
kills it with SIGKILL half-way through ``--kill-after`` seconds of load, and counts the acknowledged (200)
exchanges that are missing from the log (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx  # only for the health check

from distillscope.gateway.keys import KeyStore
from distillscope.gateway.log import read_log
from distillscope.serve import free_port

TRANSPORT_ERRORS: Counter[str] = Counter()


def start_gateway(work: Path, keys: Path, log: Path, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from distillscope.cli import main; main()", "gateway", "serve",
           "--upstream", "mock:echo", "--keys", str(keys), "--log", str(log), "--model-name", "bench",
           "--request-limit", "1000000/hour", "--token-limit", "1000000000/hour", "--port", str(port)]
    with open(work / f"gw-{port}.err", "w") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError((work / f"gw-{port}.err").read_text())
    raise RuntimeError("gateway did not start")


async def load(url: str, keys: list[str], clients: int, seconds: float, kill_at: float | None = None,
               proc: subprocess.Popen | None = None) -> tuple[list[tuple[int, int, str | None, bool]], float]:
    """Run ``clients`` concurrent clients; returns ([(status, key index, exchange id, has Retry-After)], wall s)."""
    results: list[tuple[int, int, str | None, bool]] = []
    errors = TRANSPORT_ERRORS
    body = {"model": "bench", "messages": [{"role": "user", "content": "distill me please"}], "max_tokens": 16}
    t0 = time.time()
    stop = t0 + seconds
    # Each simulated user holds one keep-alive connection and speaks minimal HTTP/1.1 itself: httpx's pool (and
    # one httpx client per user) cost more CPU than the gateway on this 2-core machine, measuring the client.
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    payload = json.dumps(body).encode()

    async def client(i: int) -> None:
        k = i % len(keys)
        req = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {keys[k]}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
               f"User-Agent: gateway-load/1\r\n\r\n").encode() + payload
        conn = None
        while time.time() < stop:
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, int(port))
                reader, writer = conn
                writer.write(req)
                await writer.drain()
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split()[1])
                hdrs = {ln.split(":", 1)[0].lower(): ln.split(":", 1)[1].strip() for ln in lines[1:] if ":" in ln}
                await reader.readexactly(int(hdrs.get("content-length", "0")))
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                    ValueError, IndexError) as e:
                errors[type(e).__name__] += 1
                results.append((-1, k, None, False))  # connection refused/reset (after kill -9)
                conn = None
                await asyncio.sleep(0.05)
                continue
            results.append((status, k, hdrs.get("x-request-id") if status == 200 else None, "retry-after" in hdrs))
        if conn is not None:
            conn[1].close()

    async def killer() -> None:
        if kill_at is None or proc is None:
            return
        await asyncio.sleep(kill_at)
        os.kill(proc.pid, signal.SIGKILL)

    await asyncio.gather(killer(), *(client(i) for i in range(clients)))
    return results, time.time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--keys", type=int, default=20)
    ap.add_argument("--quota", type=int, default=100, help="requests per hour per key (run out mid-run)")
    ap.add_argument("--kill-after", type=float, default=20, help="phase 2 length; kill -9 at half of it")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gwload-"))
    store = KeyStore(work / "keys.json")
    keys = [store.add(f"acct-{i}", request_limit=f"{args.quota}/hour")[0] for i in range(args.keys)]
    out: dict[str, object] = {"clients": args.clients, "keys": args.keys, "quota_per_key": args.quota}

    # Phase 1: sustained load, graceful stop.
    port = free_port()
    proc = start_gateway(work, work / "keys.json", work / "log1", port)
    res, wall = asyncio.run(load(f"http://127.0.0.1:{port}/v1/chat/completions", keys, args.clients, args.seconds))
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    st = Counter(s for s, *_ in res)
    ok_per_key = Counter(k for s, k, *_ in res if s == 200)
    logged = read_log(work / "log1").to_pylist()
    logged_ok = {r["exchange_id"] for r in logged if r["status"] == 200}
    acked = [rid for s, _, rid, _ in res if s == 200]
    out["phase1"] = {
        "seconds": round(wall, 1), "requests": len(res), "requests_per_s": round(len(res) / wall, 1),
        "answers_per_s": round(st[200] / wall, 1), "status_counts": dict(sorted(st.items())),
        "answers_beyond_quota": sum(max(0, n - args.quota) for n in ok_per_key.values()),
        "max_answers_of_one_key": max(ok_per_key.values(), default=0),
        "keys_that_hit_quota": sum(1 for k in range(args.keys) if ok_per_key[k] >= args.quota),
        "5xx": sum(n for s, n in st.items() if s >= 500), "transport_errors": st[-1],
        "transport_error_kinds": dict(TRANSPORT_ERRORS),
        "429_without_retry_after": sum(1 for s, _, _, ra in res if s == 429 and not ra),
        "answers_missing_from_log": sum(1 for rid in acked if rid not in logged_ok),
        "log_rows": len(logged),
    }
    print(json.dumps({"phase1": out["phase1"]}), flush=True)

    # Phase 2: kill -9 mid-load, then check every acknowledged exchange is in the log.
    store2 = KeyStore(work / "keys2.json")
    keys2 = [store2.add(f"acct-{i}", request_limit="1000000/hour")[0] for i in range(args.keys)]
    port = free_port()
    proc = start_gateway(work, work / "keys2.json", work / "log2", port)
    res2, _ = asyncio.run(load(f"http://127.0.0.1:{port}/v1/chat/completions", keys2, args.clients,
                                   args.kill_after, kill_at=args.kill_after / 2, proc=proc))
    proc.wait(timeout=30)
    acked2 = [rid for s, _, rid, _ in res2 if s == 200]
    logged2 = {r["exchange_id"] for r in read_log(work / "log2").to_pylist()}
    out["phase2_kill9"] = {
        "killed_after_s": args.kill_after / 2, "exit_code": proc.returncode, "acknowledged": len(acked2),
        "acknowledged_missing_from_log": sum(1 for rid in acked2 if rid not in logged2),
        "log_rows": len(logged2), "leftover_tmp_segments": len(list((work / "log2").glob("*.tmp"))),
        "5xx": sum(1 for s, *_ in res2 if s >= 500),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
