"""Gateway under load and under attack: each phase runs a fresh gateway process (``serve_gateway``) and
concurrent keep-alive clients, then prints one table row; the targets are in the last column.

    nice -n 10 .venv/bin/python bench/gateway_load.py --clients 200 --seconds 60          # full
    .venv/bin/python bench/gateway_load.py --clients 24 --seconds 8 --kill-after 8       # short (~2-3 min)

Phases:
  sustained     ``--keys`` keys with a request quota of ``--quota`` per hour, so every key runs out mid-run:
                answers beyond quota, 5xx, 429s without Retry-After and 200s missing from the log must be 0.
  cjk/emoji/n3  a white-box upstream (``zoo:tiny-llama``, its real tokenizer) and keys with a token quota of
                ``--token-quota`` per hour; clients send 140 CJK characters, 100 emoji, or CJK with n=3: the tokens
                the answers used (prompt + completion, from ``usage``) may never exceed a key's quota.
  poisoned      many clients on their own keys; the poisoner sends lone surrogates (``"\\ud800"``, 400) and floods
                a key with a 20/hour quota (20 answers, then 429s, logged without bodies): no innocent request
                may fail.
  revocation    keys revoked by another process while their clients keep sending: the time until they get 401,
                200s answered more than 2 s after the revoke (must be 0) and failures of other keys (must be 0).
  kill -9       the gateway is SIGKILLed half-way: acknowledged (200) exchanges missing from the log must be 0.
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx  # only for the health check

from distillscope.gateway.keys import KeyStore
from distillscope.gateway.log import read_log
from distillscope.serve import free_port

CHILD = """
import json, sys
from distillscope.gateway.config import GatewayConfig
from distillscope.gateway.server import serve_gateway
serve_gateway(GatewayConfig.load(json.loads(sys.argv[1])), port=int(sys.argv[2]), log_level="error")
"""


def start_gateway(work: Path, port: int, **config) -> subprocess.Popen:
    """A gateway in its own process (the library entry point, not the CLI), ready when /healthz answers."""
    cfg = {"upstreams": ["mock:echo"], "model_name": "bench", "request_limit": "1000000/hour",
           "token_limit": "1000000000/hour", **config}
    with open(work / f"gw-{port}.err", "w") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(cfg), str(port)], stdout=subprocess.DEVNULL,
                                stderr=err)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError((work / f"gw-{port}.err").read_text())
    raise RuntimeError("gateway did not start")


@dataclass
class Result:
    client: int
    key: int
    status: int  # -1: transport error (connection refused/reset)
    t: float  # seconds since the phase started, when the answer arrived
    request_id: str | None = None
    retry_after: bool = False
    tokens: int = 0  # prompt + completion tokens of a 200 answer


@dataclass
class Client:
    key: int
    payload: bytes
    key_text: str = ""
    results: list[Result] = field(default_factory=list)


async def load(url: str, clients: list[Client], seconds: float, kill_at: float | None = None,
               proc: subprocess.Popen | None = None, at: dict[float, object] | None = None) -> list[Result]:
    """Run every client for ``seconds``; ``at`` maps a time to a callable run then (e.g. a revoke)."""
    errors: Counter[str] = Counter()
    t0 = time.time()
    stop = t0 + seconds
    # Each simulated user holds one keep-alive connection and speaks minimal HTTP/1.1 itself: httpx's pool (and
    # one httpx client per user) cost more CPU than the gateway on this 2-core machine, measuring the client.
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]

    async def run(i: int, c: Client) -> None:
        req = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {c.key_text}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(c.payload)}\r\n"
               f"User-Agent: gateway-load/1\r\n\r\n").encode() + c.payload
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
                body = await reader.readexactly(int(hdrs.get("content-length", "0")))
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                    ValueError, IndexError) as e:
                errors[type(e).__name__] += 1
                c.results.append(Result(i, c.key, -1, time.time() - t0))
                conn = None
                await asyncio.sleep(0.05)
                continue
            tokens = 0
            if status == 200:
                u = json.loads(body)["usage"]
                tokens = u["prompt_tokens"] + u["completion_tokens"]
            c.results.append(Result(i, c.key, status, time.time() - t0, hdrs.get("x-request-id"),
                                    "retry-after" in hdrs, tokens))
        if conn is not None:
            conn[1].close()

    async def timed() -> None:
        for when, fn in sorted((at or {}).items()):
            await asyncio.sleep(max(0.0, t0 + when - time.time()))
            fn()  # type: ignore[operator]
        if kill_at is not None and proc is not None:
            await asyncio.sleep(max(0.0, t0 + kill_at - time.time()))
            os.kill(proc.pid, signal.SIGKILL)

    await asyncio.gather(timed(), *(run(i, c) for i, c in enumerate(clients)))
    return [r for c in clients for r in c.results]


def body(content: str = "distill me please", max_tokens: int = 16, n: int = 1, raw: bytes | None = None) -> bytes:
    if raw is not None:
        return raw
    return json.dumps({"model": "bench", "messages": [{"role": "user", "content": content}], "max_tokens": max_tokens,
                       "n": n}).encode()


def keys_file(path: Path, n: int, **limits) -> tuple[KeyStore, list[str]]:
    store = KeyStore(path)
    return store, [store.add(f"acct-{i}", **limits)[0] for i in range(n)]


def run_phase(work: Path, name: str, keys: list[str], clients: list[Client], seconds: float, keys_path: Path,
              **kw) -> tuple[list[Result], Path, subprocess.Popen]:
    for c in clients:
        c.key_text = keys[c.key]
    port = free_port()
    log = work / f"log-{name}"
    proc = start_gateway(work, port, keys=str(keys_path), log=str(log), **kw.pop("config", {}))
    res = asyncio.run(load(f"http://127.0.0.1:{port}/v1/chat/completions", clients, seconds, proc=proc, **kw))
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    return res, log, proc


def counts(res: list[Result]) -> dict[str, int]:
    st = Counter(r.status for r in res)
    return {"requests": len(res), "200": st[200], "4xx": sum(n for s, n in st.items() if 400 <= s < 500),
            "5xx": sum(n for s, n in st.items() if s >= 500), "transport": st[-1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60, help="length of each phase")
    ap.add_argument("--keys", type=int, default=20)
    ap.add_argument("--quota", type=int, default=100, help="requests per hour per key in 'sustained'")
    ap.add_argument("--token-quota", type=int, default=3000, help="tokens per hour per key in the token phases")
    ap.add_argument("--kill-after", type=float, default=20, help="kill -9 phase length; the kill at half of it")
    ap.add_argument("--phases", nargs="+", default=["sustained", "cjk", "emoji", "n3", "poisoned", "revocation",
                                                     "kill9"])
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gwload-"))
    rows: list[tuple[str, dict[str, int], str, str]] = []

    def add(name: str, res: list[Result], metric: str, target: str) -> None:
        rows.append((name, counts(res), metric, target))
        print(json.dumps({"phase": name, **counts(res), "metric": metric}), flush=True)

    nk = min(args.keys, args.clients)
    if "sustained" in args.phases:
        _, keys = keys_file(work / "k1.json", nk, request_limit=f"{args.quota}/hour")
        clients = [Client(i % nk, body()) for i in range(args.clients)]
        res, log, _ = run_phase(work, "sustained", keys, clients, args.seconds, work / "k1.json")
        ok = Counter(r.key for r in res if r.status == 200)
        logged = {r["exchange_id"] for r in read_log(log).to_pylist() if r["status"] == 200}
        beyond = sum(max(0, n - args.quota) for n in ok.values())
        missing = sum(1 for r in res if r.status == 200 and r.request_id not in logged)
        no_ra = sum(1 for r in res if r.status == 429 and not r.retry_after)
        add("sustained", res, f"{beyond} beyond quota, {missing} 200s not logged, {no_ra} 429s w/o Retry-After, "
            f"{sum(r.status == 200 for r in res) / args.seconds:.0f} answers/s", "0, 0, 0")

    texts = {"cjk": ("数据蒸馏攻击检测" * 18)[:140], "emoji": "😀🚀🎉🔥💡" * 20, "n3": ("数据蒸馏" * 35)}
    for name in ("cjk", "emoji", "n3"):
        if name not in args.phases:
            continue
        tk = max(2, nk // 4)
        _, keys = keys_file(work / f"k-{name}.json", tk, token_limit=f"{args.token_quota}/hour")
        clients = [Client(i % tk, body(texts[name], max_tokens=4, n=3 if name == "n3" else 1))
                   for i in range(min(args.clients, 48))]
        res, _, _ = run_phase(work, name, keys, clients, args.seconds, work / f"k-{name}.json",
                              config={"upstreams": ["zoo:tiny-llama"]})
        used = Counter()
        for r in res:
            used[r.key] += r.tokens
        over = sum(max(0, n - args.token_quota) for n in used.values())
        add(name, res, f"{over} tokens over quota (max used {max(used.values(), default=0)} of "
            f"{args.token_quota} per key)", "0 over")

    if "poisoned" in args.phases:
        store, keys = keys_file(work / "kp.json", nk)
        poison_key = nk
        keys.append(store.add("poisoner", request_limit="20/hour")[0])  # its flood runs out and gets 429s
        bad = b'{"model": "bench", "messages": [{"role": "user", "content": "x\\ud800y"}], "max_tokens": 16}'
        clients = [Client(i % nk, body()) for i in range(max(1, args.clients - 2))]
        clients += [Client(poison_key, bad), Client(poison_key, body("z" * 20_000))]
        res, _, _ = run_phase(work, "poisoned", keys, clients, args.seconds, work / "kp.json")
        innocent = [r for r in res if r.key != poison_key]
        poisoned = [r for r in res if r.key == poison_key]
        failed = sum(1 for r in innocent if r.status != 200)
        pst = Counter(r.status for r in poisoned)
        add("poisoned", res, f"{failed} innocent requests failed of {len(innocent)}; poisoner got "
            f"{dict(sorted(pst.items()))}", "0 failed; poisoner: no 5xx")

    if "revocation" in args.phases:
        store, keys = keys_file(work / "kr.json", nk)
        revoked = list(range(0, nk, max(1, nk // 4)))[:4]
        ids = {i: rec.key_id for i, rec in enumerate(store.records())}
        t_rev = args.seconds / 2
        clients = [Client(i % nk, body()) for i in range(args.clients)]

        def revoke() -> None:
            other = KeyStore(work / "kr.json")  # like `gateway revoke`, from another process's point of view
            for i in revoked:
                other.revoke(ids[i])

        res, _, _ = run_phase(work, "revocation", keys, clients, args.seconds, work / "kr.json", at={t_rev: revoke})
        rv = [r for r in res if r.key in revoked]
        first_401 = min((r.t for r in rv if r.status == 401), default=float("nan"))
        late_ok = sum(1 for r in rv if r.status == 200 and r.t > t_rev + 2)
        others_failed = sum(1 for r in res if r.key not in revoked and r.status != 200)
        add("revocation", res, f"401 after {first_401 - t_rev:.2f} s, {late_ok} 200s >2 s after revoke, "
            f"{others_failed} other keys' failures", "< 2 s, 0, 0")

    if "kill9" in args.phases:
        _, keys = keys_file(work / "kk.json", nk)
        clients = [Client(i % nk, body()) for i in range(args.clients)]
        res, log, proc = run_phase(work, "kill9", keys, clients, args.kill_after, work / "kk.json",
                                   kill_at=args.kill_after / 2)
        logged = {r["exchange_id"] for r in read_log(log).to_pylist()}
        acked = [r.request_id for r in res if r.status == 200]
        lost = sum(1 for rid in acked if rid not in logged)
        add("kill -9", res, f"{lost} of {len(acked)} acknowledged lost (exit {proc.returncode}), "
            f"{len(list(log.glob('*.tmp')))} .tmp left", "0 lost")

    print()
    print(f"{'phase':<11} {'requests':>8} {'200':>7} {'4xx':>6} {'5xx':>4} {'transp.':>7}  {'measured':<74} target")
    for name, c, metric, target in rows:
        print(f"{name:<11} {c['requests']:>8} {c['200']:>7} {c['4xx']:>6} {c['5xx']:>4} {c['transport']:>7}  "
              f"{metric:<74} {target}")


if __name__ == "__main__":
    main()
