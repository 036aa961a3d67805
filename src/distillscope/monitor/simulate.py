"""Traffic simulator: benign populations, hard negatives and distillation campaigns, with ground truth.

Populations (accounts):

* ``chat``: people in a chat app; a few favourite topics, daytime hours in their own time zone, home IPs (some
  behind a carrier NAT shared by many unrelated users), browser user agents, several languages.
* ``coding``: IDE assistants; bursty sessions in working hours, code questions.
* ``batch``: enterprise batch jobs (hard negative): one prompt template, very regular timing, high volume,
  several accounts of one organisation sharing an org id and egress IPs.
* ``eval``: evaluation harnesses (hard negative): benchmark templates shared by many unrelated labs, broad
  subject coverage, chain-of-thought prompts, bursty runs, each on its own infrastructure.
* ``campaign``: hydra clusters of accounts run by one operator: rotating proxy IPs from a shared pool, a few reused
  payment ids, campaign-specific prompt templates across all capabilities (most elicit step-by-step reasoning,
  some generate synthetic data, some are stealthy), rates just under the limit, synchronised activity windows,
  a share of ordinary-looking traffic, and a jump in volume onto the new model after its release.

Example::

    from distillscope.monitor.simulate import SimConfig, simulate
    truth = simulate(SimConfig(n_exchanges=100_000, n_accounts=2_000, n_campaigns=5, campaign_accounts=400),
                     "log.parquet")           # writes the log; returns the ground-truth accounts table
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from distillscope.errors import InputError

CATEGORIES = ["math", "code", "science", "writing", "translation", "law", "medicine", "history", "reasoning",
              "business"]

_TASKS = {
    "math": ["solve the equation {n}x + {m} = {k} for x", "compute the integral of x^{n} times e^x",
             "prove that the sum of the first {n} odd numbers is a perfect square",
             "find the probability of drawing {n} aces from a deck of {k} cards",
             "what is the derivative of sin({n}x) times x^{m}", "factor the polynomial x^{n} - {k}"],
    "code": ["write a python function that sorts a list of {w} objects by {w2}",
             "fix this bug in my javascript: const {w} = {w2}.map(x => x.{w3})",
             "implement a binary search tree in rust with insert and delete for {w}",
             "write a sql query that returns the top {n} {w} by revenue", "explain this regex: ^{w}[0-9]{{{n}}}$"],
    "science": ["why does {w} absorb light at {n} nanometres", "explain how the krebs cycle produces {w}",
                "what happens to a {w} star after it runs out of hydrogen", "how do vaccines train the {w} response"],
    "writing": ["write a short poem about {w} and {w2}", "draft a cover letter for a {w} position at {w2}",
                "rewrite this paragraph to sound more formal: {w} {w2} {w3}", "write a story about a {w} who finds a {w2}"],
    "translation": ["translate into french: the {w} is next to the {w2}", "how do you say {w} {w2} in japanese",
                    "translate this email into german: dear {w}, thank you for the {w2}"],
    "law": ["is a verbal contract about {w} binding in {w2}", "what are the elements of negligence in a {w} case",
            "summarise the legal risks of {w} for a small {w2} business"],
    "medicine": ["what are the side effects of {w} at {n} mg", "what is the differential diagnosis for {w} and fever",
                 "how is {w} syndrome treated in children"],
    "history": ["what caused the fall of the {w} empire", "who won the battle of {w} in {n}",
                "summarise the history of {w} trade in the {n}th century"],
    "reasoning": ["if all {w} are {w2} and some {w2} are {w3}, are some {w} {w3}",
                  "a farmer has {n} {w} and {k} {w2}; how many legs are there in total",
                  "which is heavier, {n} kg of {w} or {k} kg of {w2}, and why"],
    "business": ["write a go-to-market plan for a {w} startup", "estimate the market size for {w} in {w2}",
                 "draft an okr for the {w} team for q{n}"],
}
_OPENERS = ["", "", "hey, ", "please ", "can you ", "quick question: ", "i need help: ", "hi! ", "so ", "ok "]
_TAILS = ["", "", "?", " thanks", " please", " - keep it short", " in simple words", "!", " asap", " :)"]
_LANG_OPENERS = {"en": _OPENERS, "es": ["por favor ", "hola, ", "necesito ayuda: ", "¿puedes "],
                 "zh": ["请问", "你好，", "帮我", "能不能"], "ru": ["пожалуйста, ", "привет, ", "помоги: ", "скажи, "],
                 "de": ["bitte ", "hallo, ", "kannst du ", "ich brauche hilfe: "]}
_COT = ["think step by step", "explain your reasoning step by step", "show all intermediate steps",
        "reason carefully before answering", "walk me through the reasoning"]
_BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", "Mozilla/5.0 (Macintosh) Safari/605.1.15",
             "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1) Mobile",
             "Mozilla/5.0 (Linux; Android 15) Chrome/131.0 Mobile"]
_SDKS = ["python-requests/2.32.3", "OpenAI/Python 1.54.0", "python-httpx/0.27.2", "node-fetch/3.3", "curl/8.5.0"]
_BATCH_TEMPLATES = ["Classify the sentiment of this customer review as positive, negative or neutral. Review: {x}",
                    "Summarize the following support ticket in one sentence for the on-call engineer: {x}",
                    "Extract the invoice number, date and total amount as JSON from this document: {x}",
                    "Translate this product description into Spanish, keeping brand names unchanged: {x}",
                    "Tag this news article with up to three topics from our taxonomy: {x}"]
_EVAL_TEMPLATES = ["Question: {x}\nA) {a}\nB) {b}\nC) {c}\nD) {d}\nAnswer with the letter of the correct option.",
                   "Q: {x}\nA: Let's think step by step.",
                   "The following are multiple choice questions about {cat}.\n{x}\n(A) {a} (B) {b} (C) {c} (D) {d}\nAnswer:",
                   "Problem: {x}\nSolution:"]
_PERSONAS = ["You are a world-class {cat} expert.", "Act as a meticulous {cat} tutor.",
             "You are an assistant that writes training material about {cat}.", "As a senior {cat} specialist,",
             "Pretend you are a professor of {cat}.", "You are a helpful and precise {cat} assistant."]
_INSTR = ["Answer the following task: {x}.", "Here is the task: {x}.", "Task: {x}", "Consider this problem: {x}.",
          "Respond to this request: {x}."]
_CAMP_COT = ["Think step by step and explain your reasoning in full detail before giving the final answer.",
             "Show your complete chain of thought, then state the final answer on its own line.",
             "Explain every intermediate step, justify each one, and verify the result at the end.",
             "Reason step by step inside <thinking> tags, then answer."]
_CAMP_PLAIN = ["Give a complete, high quality answer.", "Be thorough and accurate.", "Answer in detail.",
               "Write the best possible response."]
_CAMP_SYNTH = ["Generate {n} diverse {cat} questions with detailed answers in JSON format.",
               "Create {n} varied training examples about {cat}, each with an instruction and a response.",
               "Produce a dataset of {n} {cat} problems with worked solutions, one per line."]
_COMPLETIONS = ["Sure. Here is a detailed answer covering the main points.", "The answer is 42.",
                "Let's think about this step by step. First, ... Therefore the result follows.",
                "Here is the code:\n```python\ndef f(x):\n    return x\n```", "I'm not sure, but here is my best guess.",
                "Positive.", "{\"invoice\": \"A-1\", \"total\": 10.5}", "B"]


@dataclass
class SimConfig:
    """What to simulate. Volumes are rescaled so the log has about ``n_exchanges`` rows.

    Attributes:
        n_exchanges: target number of rows.
        n_accounts: total accounts, campaign accounts included.
        n_campaigns: number of distillation campaigns.
        campaign_accounts: accounts across all campaigns (split unevenly, hydra style).
        days: length of the log in days; ``release_day`` is when ``model-v2`` launches.
        shares: fractions of benign accounts per population (chat, coding, batch, eval).
        seed: random seed; the same config and seed give the same log.
        covert_infra: harder campaigns that share no infrastructure at all (every account on its own IP, no
            reused payment ids): only templates, timing and the release shift connect them.
    """

    n_exchanges: int = 100_000
    n_accounts: int = 2_000
    n_campaigns: int = 5
    campaign_accounts: int = 400
    days: int = 90
    release_day: int = 60
    shares: dict[str, float] = field(default_factory=lambda: {"chat": 0.70, "coding": 0.21, "batch": 0.05,
                                                              "eval": 0.04})
    start: dt.datetime = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    seed: int = 0
    covert_infra: bool = False

    def validate(self) -> None:
        if self.n_accounts < 1 or self.n_exchanges < self.n_accounts:
            raise InputError("need n_accounts >= 1 and n_exchanges >= n_accounts.")
        if self.campaign_accounts > self.n_accounts // 2:
            raise InputError("campaign_accounts must be at most half of n_accounts.")
        if self.n_campaigns and self.campaign_accounts < 3 * self.n_campaigns:
            raise InputError("each campaign needs at least 3 accounts: raise campaign_accounts.")
        if not 0 < self.release_day < self.days:
            raise InputError("release_day must fall inside the log (0 < release_day < days).")


class _Words:
    """Pseudo-words (syllable soup) give the prompt fills a large, realistic-looking vocabulary."""

    def __init__(self, rng: np.random.Generator, n: int = 6000):
        syl = ["ka", "lo", "mi", "ren", "tor", "sa", "vel", "qui", "ban", "dor", "el", "fin", "gra", "hu", "is", "jo",
               "lum", "ne", "or", "pax", "ri", "sol", "tu", "ur", "vin", "wex", "yo", "zan", "cro", "di"]
        k = rng.integers(2, 4, size=n)
        self.words = np.array(["".join(rng.choice(syl, size=j)) for j in k])
        # Zipf-like popularity, as in real text
        p = 1.0 / np.arange(1, n + 1) ** 0.9
        self.p = p / p.sum()

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(self.words, size=size, p=self.p)


def _fill(rng: np.random.Generator, words: _Words, cats: np.ndarray) -> list[str]:
    """One task per category label, with pseudo-word and number slots filled."""
    n = len(cats)
    w = words.draw(rng, 3 * n).reshape(n, 3)
    nums = rng.integers(2, 99, size=(n, 3))
    pick = rng.random(n)
    out = []
    for i, c in enumerate(cats):
        opts = _TASKS[c]
        t = opts[int(pick[i] * len(opts))]
        out.append(t.format(w=w[i, 0], w2=w[i, 1], w3=w[i, 2], n=nums[i, 0], m=nums[i, 1], k=nums[i, 2]))
    return out


def _hours(rng: np.random.Generator, n: int, center: float, spread: float) -> np.ndarray:
    return np.mod(rng.normal(center, spread, size=n), 24.0)


class _Sim:
    def __init__(self, cfg: SimConfig):
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.words = _Words(self.rng)
        self.t0 = pd.Timestamp(cfg.start).value // 1000  # microseconds
        self.cgnat = [f"100.64.{i // 250}.{i % 250 + 1}" for i in range(60)]

    # --- helpers ------------------------------------------------------------------------------------------------
    def _ts(self, day: np.ndarray, hour: np.ndarray) -> np.ndarray:
        return self.t0 + (day.astype(np.int64) * 86400 * 10**6 + (hour * 3600 * 10**6).astype(np.int64))

    def _models(self, day: np.ndarray, adopt: float) -> np.ndarray:
        after = day >= self.cfg.release_day
        switch = self.rng.random(len(day)) < adopt
        return np.where(after & switch, "model-v2", "model-v1")

    def _chat_prompts(self, n: int, cats: list[str], lang: str, cot_rate: float) -> list[str]:
        rng = self.rng
        c = rng.choice(cats, size=n)
        fills = _fill(rng, self.words, c)
        op = _LANG_OPENERS[lang]
        o = rng.integers(0, len(op), size=n)
        t = rng.integers(0, len(_TAILS), size=n)
        cot = rng.random(n) < cot_rate
        k = rng.integers(0, len(_COT), size=n)
        return [f"{op[o[i]]}{fills[i]}{', ' + _COT[k[i]] if cot[i] else ''}{_TAILS[t[i]]}" for i in range(n)]

    # --- populations ----------------------------------------------------------------------------------------------
    def chat(self, n: int) -> dict:
        rng = self.rng
        tz = rng.integers(-8, 10)
        days = rng.integers(0, self.cfg.days, size=n)
        hours = _hours(rng, n, 14 - tz, 3.5)
        lang = rng.choice(["en", "en", "en", "es", "zh", "ru", "de"])
        cats = list(rng.choice(CATEGORIES, size=rng.integers(1, 4), replace=False))
        ips = ([rng.choice(self.cgnat)] if rng.random() < 0.12 else []) + [
            f"{rng.integers(11, 220)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{rng.integers(1, 254)}"
            for _ in range(rng.integers(1, 3))]
        return {"ts": self._ts(days, hours), "ip": rng.choice(ips, size=n), "ua": rng.choice(_BROWSERS, size=n),
                    "model": self._models(days, 0.6), "prompt": self._chat_prompts(n, cats, lang, 0.08)}

    def coding(self, n: int) -> dict:
        rng = self.rng
        n_sess = max(1, n // int(rng.integers(5, 20)))
        sess_day = rng.integers(0, self.cfg.days, size=n_sess)
        sess_h = _hours(rng, n_sess, 13 - rng.integers(-8, 10), 2.5)
        s = rng.integers(0, n_sess, size=n)
        hours = sess_h[s] + rng.exponential(0.4, size=n)
        ip = f"{rng.integers(11, 220)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{rng.integers(1, 254)}"
        cats = ["code"] * 6 + list(rng.choice(CATEGORIES, size=2))
        ua = rng.choice(["vscode-assistant/1.95", "jetbrains-ai/2024.3", "OpenAI/Python 1.54.0"])
        return {"ts": self._ts(sess_day[s], hours), "ip": np.full(n, ip), "ua": np.full(n, ua),
                    "model": self._models(sess_day[s], 0.8), "prompt": self._chat_prompts(n, cats, "en", 0.05)}

    def batch(self, n: int, org: dict) -> dict:
        rng = self.rng
        per_run = max(20, n // max(1, self.cfg.days // 2))
        n_runs = max(1, n // per_run)
        run_day = np.sort(rng.choice(self.cfg.days, size=min(n_runs, self.cfg.days), replace=False))
        r = np.arange(n) % len(run_day)
        idx = np.arange(n) // len(run_day)
        hours = org["hour"] + idx * org["interval_s"] / 3600.0 + rng.normal(0, 0.3 / 3600, size=n)
        x = [" ".join(v) for v in self.words.draw(rng, 14 * n).reshape(n, 14)]
        tpl = org["template"]
        return {"ts": self._ts(run_day[r], hours), "ip": rng.choice(org["ips"], size=n), "ua": np.full(n, org["ua"]),
                    "model": np.full(n, "model-v1"), "prompt": [tpl.format(x=v) for v in x]}

    def eval(self, n: int) -> dict:
        rng = self.rng
        n_runs = int(rng.integers(1, 5))
        run_day = rng.integers(0, self.cfg.days, size=n_runs)
        run_h = rng.uniform(0, 24, size=n_runs)
        r = rng.integers(0, n_runs, size=n)
        pos = np.zeros(n)
        for j in range(n_runs):
            m = r == j
            pos[m] = np.arange(m.sum()) * rng.uniform(1, 4) / 3600.0
        hours = run_h[r] + pos
        cats = rng.choice(CATEGORIES, size=n)
        fills = _fill(rng, self.words, cats)
        opts = self.words.draw(rng, 4 * n).reshape(n, 4)
        tpl = rng.choice(_EVAL_TEMPLATES, size=2, replace=False)
        t = rng.integers(0, 2, size=n)
        prompts = [tpl[t[i]].format(x=fills[i], a=opts[i, 0], b=opts[i, 1], c=opts[i, 2], d=opts[i, 3],
                                    cat=cats[i]) for i in range(n)]
        ip = f"{rng.integers(11, 220)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{rng.integers(1, 254)}"
        return {"ts": self._ts(run_day[r], hours), "ip": np.full(n, ip), "ua": np.full(n, "lm-eval-harness/0.4.5"),
                    "model": self._models(run_day[r], 0.5), "prompt": prompts}

    def campaign(self, n: int, camp: dict) -> dict:
        rng = self.rng
        w = camp["windows"]  # (day, start hour) rows, shared by every account of the campaign
        k = rng.integers(0, len(w), size=n)
        # rate just under the limit: one request every ~limit seconds, random phase inside the window
        hours = w[k, 1] + rng.uniform(0, camp["window_h"], size=n)
        day = w[k, 0]
        after = day >= self.cfg.release_day
        model = np.where(after, "model-v2", "model-v1")
        legit = rng.random(n) < camp["legit_share"]
        cats = rng.choice(CATEGORIES, size=n)
        fills = _fill(rng, self.words, cats)
        t = rng.integers(0, len(camp["templates"]), size=n)
        nn = rng.integers(5, 50, size=n)
        prompts = [camp["templates"][t[i]].format(x=fills[i], cat=cats[i], n=nn[i]) for i in range(n)]
        if legit.any():
            benign = self._chat_prompts(int(legit.sum()), list(rng.choice(CATEGORIES, 2)), "en", 0.08)
            pr = np.array(prompts, dtype=object)
            pr[legit] = benign
            prompts = list(pr)
        share = 0.0 if self.cfg.covert_infra else 0.9
        ips = np.where(rng.random(n) < share, rng.choice(camp["ips"], size=n), camp["own_ip"])
        return {"ts": self._ts(day, hours), "ip": ips, "ua": rng.choice(camp["uas"], size=n), "model": model,
                    "prompt": prompts}

    def campaign_plan(self, cid: int) -> dict:
        rng = self.rng
        stealth = rng.random() < 0.3
        synth = rng.random() < 0.3
        templates = []
        for _ in range(int(rng.integers(3, 7))):
            if synth and rng.random() < 0.5:
                templates.append(str(rng.choice(_CAMP_SYNTH)))
                continue
            tail = str(rng.choice(_CAMP_PLAIN if stealth else _CAMP_COT))
            templates.append(f"{rng.choice(_PERSONAS)} {rng.choice(_INSTR)} {tail}")
        d = self.cfg.days
        n_before = int(rng.integers(10, 25))
        before = rng.choice(self.cfg.release_day, size=n_before)
        after = rng.integers(self.cfg.release_day, d, size=3 * n_before)  # traffic jumps after the release
        days = np.concatenate([before, after])
        windows = np.stack([days, rng.uniform(0, 20, size=len(days))], axis=1)
        n_ips = int(rng.integers(15, 80))
        base = f"{rng.integers(11, 220)}.{rng.integers(0, 255)}"
        return {"templates": templates, "windows": windows, "window_h": float(rng.uniform(1, 4)),
                    "ips": [f"{base}.{rng.integers(0, 255)}.{rng.integers(1, 254)}" for _ in range(n_ips)],
                    "uas": list(rng.choice(_SDKS, size=2)), "legit_share": float(rng.uniform(0.05, 0.3)),
                    "stealth": stealth, "synth": synth}


def _split(rng: np.random.Generator, total: int, parts: int, lo: int) -> np.ndarray:
    """Uneven split of ``total`` into ``parts`` sizes >= ``lo`` (hydra clusters of very different size)."""
    w = rng.pareto(1.5, size=parts) + 1
    sizes = lo + np.floor(w / w.sum() * (total - lo * parts)).astype(int)
    sizes[np.argmax(sizes)] += total - sizes.sum()
    return sizes


def simulate(cfg: SimConfig, out: str | Path, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Write a simulated exchange log to Parquet and return the ground truth (one row per account).

    Rows are written in row groups as they are made (memory stays flat: tens of millions of rows are fine).

    Args:
        cfg: what to simulate.
        out: a ``.parquet`` file path, or a folder (the log is then ``out/part-0.parquet``).
        progress: called with the number of accounts finished since the last call.

    Returns:
        DataFrame with ``account_id, population, campaign_id, org_id, n_exchanges``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from distillscope.monitor.schema import arrow_schema

    cfg.validate()
    sim = _Sim(cfg)
    rng = sim.rng
    n_benign = cfg.n_accounts - cfg.campaign_accounts
    pops = np.array(list(cfg.shares))
    share = np.array([cfg.shares[p] for p in pops], dtype=float)
    pop = rng.choice(pops, size=n_benign, p=share / share.sum())
    base_vol = {"chat": 1.0, "coding": 2.0, "batch": 25.0, "eval": 12.0, "campaign": 5.0}
    camp_sizes = _split(rng, cfg.campaign_accounts, cfg.n_campaigns, 3) if cfg.n_campaigns else np.array([], int)
    accounts = [("chat" if p == "chat" else str(p), None) for p in pop]
    for cid, s in enumerate(camp_sizes):
        accounts += [("campaign", cid)] * int(s)
    order = rng.permutation(len(accounts))
    accounts = [accounts[i] for i in order]
    raw = np.array([base_vol[p] for p, _ in accounts]) * rng.lognormal(0, 0.8, size=len(accounts))
    vols = np.maximum(1, np.round(raw / raw.sum() * cfg.n_exchanges)).astype(int)

    plans = [sim.campaign_plan(c) for c in range(cfg.n_campaigns)]
    for c, p in enumerate(plans):
        p["payments"] = [f"pay_c{c}_{j}" for j in range(max(1, int(camp_sizes[c]) // 12))]
    orgs: list[dict] = []
    truth = []
    out = Path(out)
    path = out / "part-0.parquet" if out.suffix != ".parquet" else out
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = arrow_schema()
    writer = pq.ParquetWriter(path, schema, compression="zstd")
    buf: dict[str, list] = {k: [] for k in ("account_id", "key_id", "ts", "ip", "user_agent", "org_id", "model",
                                             "prompt", "prompt_tokens", "completion_tokens")}
    buffered = 0

    def flush() -> None:
        nonlocal buffered
        if not buffered:
            return
        cols = {k: np.concatenate(v) if k != "prompt" else [s for part in v for s in part] for k, v in buf.items()}
        n = len(cols["ts"])
        ci = rng.integers(0, len(_COMPLETIONS), size=n)
        tbl = pa.table({
            "account_id": pa.array(cols["account_id"], pa.string()), "key_id": pa.array(cols["key_id"], pa.string()),
            "ts": pa.array(cols["ts"], pa.timestamp("us", tz="UTC")), "ip": pa.array(cols["ip"], pa.string()),
            "user_agent": pa.array(cols["user_agent"], pa.string()),
            "org_id": pa.array([None if o == "" else o for o in cols["org_id"]], pa.string()),
            "model": pa.array(cols["model"], pa.string()), "prompt": pa.array(cols["prompt"], pa.string()),
            "completion": pa.array(np.array(_COMPLETIONS, dtype=object)[ci], pa.string()),
            "prompt_tokens": pa.array(cols["prompt_tokens"], pa.int64()),
            "completion_tokens": pa.array(cols["completion_tokens"], pa.int64()),
            "watermark_key_id": pa.nulls(n, pa.string()), "exchange_id": pa.nulls(n, pa.string()),
            "status": pa.array(np.full(n, 200, dtype=np.int32)), "latency_ms": pa.array(rng.gamma(2, 400, n)),
            "extra": pa.nulls(n, pa.string())}, schema=schema)
        writer.write_table(tbl, row_group_size=500_000)
        for v in buf.values():
            v.clear()
        buffered = 0

    done = 0
    for i, ((p, cid), n) in enumerate(zip(accounts, vols, strict=True)):
        acct = f"acct_{i:07d}"
        org = ""
        if p == "chat":
            d = sim.chat(n)
        elif p == "coding":
            d = sim.coding(n)
            org = f"org_{i:07d}" if rng.random() < 0.3 else ""
        elif p == "eval":
            d = sim.eval(n)
            org = f"org_{i:07d}"
        elif p == "batch":
            if not orgs or orgs[-1]["left"] == 0:
                orgs.append({"id": f"org_b{len(orgs):05d}", "left": int(rng.integers(1, 6)), "hour": rng.uniform(0, 6),
                                 "interval_s": rng.uniform(2, 20), "template": str(rng.choice(_BATCH_TEMPLATES)),
                                 "ua": str(rng.choice(_SDKS)),
                                 "ips": [f"52.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{j}" for j in range(2)]})
            orgs[-1]["left"] -= 1
            d = sim.batch(n, orgs[-1])
            org = orgs[-1]["id"]
        else:
            plan = plans[cid]
            plan_own = dict(plan, own_ip=f"{rng.integers(11, 220)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}.1")
            d = sim.campaign(n, plan_own)
            org = str(rng.choice(plan["payments"])) if rng.random() < 0.7 and not cfg.covert_infra else ""
        nk = int(rng.integers(1, 4))
        keys = np.array([f"key_{i:07d}_{j}" for j in range(nk)])
        ptok = np.array([max(1, len(s) // 4) for s in d["prompt"]], dtype=np.int64)
        ctok = rng.integers(16, 900 if p == "campaign" else 400, size=n)
        buf["account_id"].append(np.full(n, acct, dtype=object))
        buf["key_id"].append(keys[rng.integers(0, nk, size=n)])
        buf["ts"].append(np.asarray(d["ts"], dtype=np.int64))
        buf["ip"].append(np.asarray(d["ip"], dtype=object))
        buf["user_agent"].append(np.asarray(d["ua"], dtype=object))
        buf["org_id"].append(np.full(n, org, dtype=object))
        buf["model"].append(np.asarray(d["model"], dtype=object))
        buf["prompt"].append(d["prompt"])
        buf["prompt_tokens"].append(ptok)
        buf["completion_tokens"].append(ctok)
        buffered += n
        truth.append((acct, p, cid, org or None, int(n)))
        done += 1
        if buffered >= 250_000:
            flush()
        if progress and done % 200 == 0:
            progress(200)
    flush()
    writer.close()
    if progress:
        progress(done % 200)
    return pd.DataFrame(truth, columns=["account_id", "population", "campaign_id", "org_id", "n_exchanges"])
