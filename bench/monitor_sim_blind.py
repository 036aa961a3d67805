"""Blind adversarial traffic simulator for ``distillscope monitor`` (written without reading the detector).

Writes four weeks of a provider's API gateway log in the exchange-log schema (``distillscope.monitor.schema``:
one row per exchange, Parquet) plus ground truth in a separate folder, so the monitor can be scored by someone
who did not write it::

    PYTHONPATH=src .venv/bin/python bench/monitor_sim_blind.py --rows 300000 --seed 1 --out /tmp/sim1
    distillscope monitor scan /tmp/sim1/log --json > /tmp/sim1/scan.json
    .venv/bin/python bench/monitor_sim_blind_score.py /tmp/sim1/scan.json /tmp/sim1/truth

Output: ``OUT/log/part-NNNNN.parquet`` (rows sorted by time within a part; parts hold disjoint, shuffled sets of
accounts), ``OUT/truth/accounts.csv`` (account_id, label benign|campaign, kind, group = benign org/cohort or
campaign id, org_id, exchanges, abusive exchanges), ``OUT/truth/campaigns.json`` and
``OUT/truth/rows.parquet`` (exchange_id -> campaign id, for the mixed accounts whose rows are only partly
abusive). 1M rows take about a minute on one core.

Threat model. A competent adversary distils the provider's best model through its public API. Campaigns (c00..):

* ``datacenter_easy`` (1): one cloud /24, one shared ``python-requests`` user agent, three shared payment ids,
  one template, round-the-clock runs, all accounts switch to the new model the hour it ships.
* ``residential_proxy`` (3): a fresh residential IP per session (or per request) from the same ISP ranges real
  users come from, a user agent per account drawn from the real mix, a different payment id per account (or
  none), accounts created in waves with 5-20 day lifetimes, activity at human hours of a pretend time zone,
  half the prompts from a few templates and half paraphrased.
* ``mixed`` (3): aged ordinary accounts whose owners chat as usual from home and also run the campaign's script
  at night from the same line: only part of each account's traffic is abusive.
* ``slow`` (3): 150-300 accounts, a handful of requests a day each over the whole month, from sticky
  residential lines, at human hours, paraphrased.
* ``paraphrase`` (3): every prompt worded anew (instructions before or after the task, varied politeness,
  reasoning and length requests drawn from the same phrases real users type), some "another way" follow-ups.
* ``coverage_sweep`` (3): each account walks the capability grid in order (math, code, reasoning, knowledge,
  writing, everyday, multilingual, then the next topic) from cloud VMs.
* ``cot_elicitation`` (3): reasoning and math tasks with "explain your full reasoning"-style requests.
* ``max_length`` (2): essay and knowledge tasks that ask for exhaustive answers with high ``max_tokens``.

Campaign sizes are 30-300 accounts; they use only words, templates, user agents and address ranges that benign
traffic uses too, and move onto the new model generation (released on day 15) within days. Most target the best
model, some the cheaper mid-size one; proxy, paraphrase and slow campaigns add multi-turn "go deeper / another
way / continue" follow-ups. No single per-account feature separates them cleanly (checked on seed 1, 300k rows:
share of "pro" model requests AUC 0.90, chain-of-thought phrasing 0.83, share of follow-up turns 0.22 (i.e. 0.78
the other way), IPs, user agents, keys, token counts, active days all 0.4-0.67).

Benign traffic: chat users (many topics, follow-up turns, heavy-tailed activity, day/night cycles, IPv4/IPv6 home
lines with dynamic leases and mobile carrier NAT shared by many users), multilingual chat users, coding users (IDE
agents, working hours), writers (long outputs), students (campus NAT shared by a cohort, the week's assignment
pasted verbatim by many, "show your steps", deadline peaks), evaluation companies (several accounts per org on
one cloud NAT, nightly public benchmark suites walked in order, "Let's think step by step" in GSM-style items, the
new model evaluated by every account on release day), research labs (accounts of one org on the lab's netblock,
benchmarks plus templated experiments sweeping topics, chain-of-thought ablations and long-output probes),
translation companies ("Translate the following ..." at volume from shared office/cloud NAT), customer-support
bots (one system prompt per company, customer conversations), data-labelling companies (classification and
synthetic-variation templates in bulk), lone automations on cloud VMs and startup teams sharing an office IP.

First blind scores, by the simulator's author (details and the reported groups in
``docs/monitor-blind-first-scores.md``; the detector's own author's measurements, before and after changing it, are
in ``docs/monitor-blind-scores.md``): detector = main 130f712 (default
thresholds, DuckDB), generator commit 1c049a7, 300k rows, seeds 1 / 2, on a 2-core machine at load 5-6:

    campaigns caught (>= half their accounts flagged)   0/21 / 0/21   (every kind, the easy datacenter one too)
    campaign accounts flagged                           2/2101 / 0/2029
    benign accounts flagged (FPR)                       1/3862 / 0/3975
    AUC campaign_score, distill_score (campaign vs benign accounts)   0.30, 0.63 / 0.30, 0.52

The easy datacenter campaign is grouped with purity 1.00 on both seeds but not flagged (score 0.44 / 0.29);
student cohorts, labs, support bots and labelling companies are grouped and not flagged. Generation: 300k rows in
25-30 s wall (7 s CPU), 1M rows in 73 s wall (29 s CPU, 1.35 GB peak); the scan of 300k took 35-40 s wall.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from monitor_sim_blind_pops import BENCH_BASE, BENCH_SUITES, benign, campaigns
from monitor_sim_blind_text import LANGS, Filler, P, join_lists
from monitor_sim_blind_world import (
    MODELS,
    R_AGENT,
    R_ASSIGN,
    R_BENCH,
    R_CPARA,
    R_CTPL,
    R_FOLLOW,
    R_HUMAN,
    R_LABEL,
    R_LABEXP,
    R_SUPPORT,
    R_TRANSLATE,
    T_ML,
    TASKS,
    World,
    ip_text,
    mix,
)

START = np.datetime64("2026-11-02T00:00:00", "us")
ISO_START_S = int(START.astype("datetime64[s]").astype(np.int64))
BANK = 4096

# ------------------------------------------------------------------------------------ product prompt templates
TRANSLATE_TPL = [
    "Translate the following {doc_type} from English into {pl}. Keep the formatting.\n\n{PAYLOAD}",
    "Translate into {pl}:\n{PAYLOAD}",
    ("You are translating a {doc_type} for a client. Target language: {pl}. Preserve tone and terminology.\n"
    "Text:\n{PAYLOAD}"),
    "Please translate this {doc_type} to {pl} and do not add anything:\n\n{PAYLOAD}",
    "Target language: {pl}\nSource:\n{PAYLOAD}\nTranslation:",
    "Translate the text below into natural {pl}.\n---\n{PAYLOAD}\n---",
]
LABEL_TPL = [
    "Classify the sentiment of this review as positive, negative or neutral. Answer with one word.\nReview: {PAYLOAD}",
    "Generate {int_s} different ways a customer might phrase this request: \"{issue}\"",
    "Does the following text contain personal data? Answer yes or no.\nText: {PAYLOAD}",
    "Extract the product name and the problem from this message as JSON: {issue}",
    "Label the topic of this question (billing, technical, shipping, other): {issue}",
    "Rate the following answer for helpfulness from 1 to 5. Question: {know_task} Answer: {ans_general}",
]
AGENT_TPL = [
    "Summarize the following email thread in 3 bullet points:\n\n{PAYLOAD}",
    "Extract all dates and action items from these meeting notes:\n{PAYLOAD}",
    "Write a short daily digest from these headlines: {concept}; {event}; {concept}.",
    "Given this support ticket, draft a reply: {issue}",
    "Convert the following into a to-do list:\n{PAYLOAD}",
    "You are an agent. Tool results: {PAYLOAD}\nDecide the next step.",
    "Summarise this document for an executive audience:\n{PAYLOAD}",
]
SUPPORT_SYS = ("You are {company} Assistant, the customer support agent for {company}. Answer using the knowledge "
               "base below and be concise. If you cannot help, offer to open a ticket.\nKnowledge base: {biz_sentence} "
               "{biz_sentence}")
LAB_PRE = ["", "[run {int_l}] ", "Condition: {tone}.\n", "Persona: a {job} from {city}.\n", "Question {int_m}:\n",
           "You are participating in a study on reasoning.\n", "### Instruction\n", "Item {int_l}/{int_l}\n"]
LAB_POST = ["", "\nAnswer in one sentence.", "\n{cot}", "\n{long}", "\nRespond in character.",
            "\nGive your confidence from 0 to 100.", "\n### Response", "\nFinal answer only."]
CAMP_PRE = ["", "", "{polite_pre}", "Question: ", "Task: ", "### Instruction\n", "Problem:\n", ("Please answer the "
            "following.\n\n"), "{TOPIC_PRE}"]
CAMP_POST = ["", "\n\n{cot}", " {cot}", "\n\n{long}", " {cot} {long}", "\n{cot}\n{long}", "{polite_post}",
             "\n\nFormat the final answer clearly.", " {long}"]
BENCH_TPL = {
    "mc": "The following is a multiple choice question about {stopic}.\n\n{know_task}\nA. {concept}\nB. {concept}\n"
          "C. {concept}\nD. {concept}\nAnswer:",
    "gsm": "Question: {math_task}\nAnswer: Let's think step by step.",
    "code": "Complete the following Python function.\n\ndef solve(items):\n    \"\"\"Return a result that {code_goal}."
            "\"\"\"\n",
    "transl": "Translate the following sentence into {pl}: {biz_sentence}",
    "reason": "{reason_task}\nThink carefully and give the final answer.",
}
SHORT = ["A", "B", "C", "D", "The answer is B.", "Answer: C", "positive", "negative", "neutral", "yes", "no", "4",
         "{\"product\": \"router\", \"problem\": \"no connection\"}", "billing", "technical", "shipping", "D."]


class Renderer:
    """Turns the plan into text columns, vectorised; fixed texts (benchmarks, templates) are drawn once."""

    def __init__(self, seed: int):
        self.f = Filler()
        self.seed = seed
        self.rng = np.random.default_rng(seed + 7)
        bench_rng = np.random.default_rng(20240101)  # public benchmarks: the same in every simulated world
        self.bench = pa.concat_arrays([self.f.fill(BENCH_TPL[s], n, bench_rng) for s, n in BENCH_SUITES.items()])
        assert len(self.bench) == sum(BENCH_SUITES.values()) and BENCH_BASE["mc"] == 0
        br = np.random.default_rng(seed + 11)
        self.banks = {k: self.f.fill(P[k], BANK, br) for k in ("ans_general", "ans_step", "ans_support",
                                                                "ans_translation", "biz_sentence")}
        self.banks["code"] = pa.array(P["ans_code_line"])
        for lang in LANGS:
            self.banks[lang] = pa.array(P[f"ans_{lang}"])
        self.short = pa.array(SHORT)
        self.sys_generic = pa.array(P["sys_generic"])
        self._fixed: dict[tuple, str] = {}

    # --------------------------------------------------------------------------------------------- helpers
    def _fixed_text(self, key: tuple, template: str) -> str:
        """One text per key (a template drawn once: assignment, experiment or campaign wrapper)."""
        if key not in self._fixed:
            r = np.random.default_rng([self.seed, zlib.crc32(repr(key).encode())])
            keep = {"{TASK}": "@@TASK@@", "{PAYLOAD}": "@@PAYLOAD@@", "{TOPIC}": "@@TOPIC@@"}
            t = template
            for k, v in keep.items():
                t = t.replace(k, v)
            s = self.f.fill(t, 1, r)[0].as_py()
            for k, v in keep.items():
                s = s.replace(v, k)
            self._fixed[key] = s
        return self._fixed[key]

    def _sentences(self, bank: str, counts: np.ndarray, sep: str = " ") -> pa.Array:
        b = self.banks[bank]
        idx = self.rng.integers(0, len(b), int(counts.sum()))
        return join_lists(b.take(pa.array(idx)), counts, sep)

    def tasks(self, task: np.ndarray, lang: np.ndarray) -> pa.Array:
        """Task text per row by task code (multilingual rows in the row's language)."""
        n = len(task)
        out = np.empty(n, object)
        for t in np.unique(task):
            m = np.flatnonzero(task == t)
            if t == T_ML:
                for li in np.unique(lang[m]):
                    mm = m[lang[m] == li]
                    out[mm] = self.f.fill(P[f"ml_{LANGS[li]}"], len(mm), self.rng).to_numpy(zero_copy_only=False)
            else:
                out[m] = self.f.fill(P[TASKS[t]], len(m), self.rng).to_numpy(zero_copy_only=False)
        return pa.array(out, pa.string())

    def _pick(self, pool: str, m: int) -> np.ndarray:
        return self.f.pool(pool, m, self.rng).to_numpy(zero_copy_only=False)

    def _wrap(self, wrappers: np.ndarray, task: np.ndarray, payload: np.ndarray | None = None,
              topic: np.ndarray | None = None) -> np.ndarray:
        """Substitute {TASK}/{PAYLOAD}/{TOPIC} into per-row wrapper strings (grouped by distinct wrapper)."""
        out = np.empty(len(wrappers), object)
        uniq, inv = np.unique(wrappers, return_inverse=True)
        for j, wtxt in enumerate(uniq):
            m = np.flatnonzero(inv == j)
            parts = [wtxt]
            cols: list = []
            for token in ("{TASK}", "{PAYLOAD}", "{TOPIC}"):
                parts = [p2 for p in parts for p2 in _split_keep(p, token)]
            for p in parts:
                if p == "{TASK}":
                    cols.append(pa.array(task[m], pa.string()))
                elif p == "{PAYLOAD}":
                    cols.append(pa.array(payload[m], pa.string()))
                elif p == "{TOPIC}":
                    cols.append(pa.array(topic[m], pa.string()))
                elif p:
                    cols.append(p)
            arrs = [c for c in cols if not isinstance(c, str)]
            out[m] = (pc.binary_join_element_wise(*cols, "").to_numpy(zero_copy_only=False) if arrs
                      else "".join(cols))
        return out

    # ------------------------------------------------------------------------------------------ user text
    def messages(self, d: dict[str, np.ndarray]) -> np.ndarray:
        rng, n = self.rng, len(d["recipe"])
        rec = d["recipe"]
        msg = np.empty(n, object)
        lang = (mix(d["acct"]) % np.uint64(len(LANGS))).astype(np.int64)
        flip = rng.random(n) < .2
        lang[flip] = rng.integers(0, len(LANGS), flip.sum())
        need_task = np.isin(rec, [R_HUMAN, R_LABEXP, R_CTPL, R_CPARA])
        task = np.empty(n, object)
        task[need_task] = self.tasks(d["task"][need_task], lang[need_task]).to_numpy(zero_copy_only=False)
        cot = np.where(d["cot"], np.char.add(" ", self._pick("cot", n).astype(str)).astype(object), "")
        lng = np.where(d["long"], np.char.add(" ", self._pick("long", n).astype(str)).astype(object), "")

        m = rec == R_HUMAN
        if m.any():
            k = int(m.sum())
            s = (self._pick("polite_pre", k) + task[m] + cot[m] + lng[m] + self._pick("polite_post", k))
            low = rng.random(k) < .15
            s[low] = pc.utf8_lower(pa.array(s[low], pa.string())).to_numpy(zero_copy_only=False)
            msg[m] = s
        m = rec == R_FOLLOW
        if m.any():
            msg[m] = self._pick("followup", int(m.sum()))
        m = rec == R_SUPPORT
        if m.any():
            k = int(m.sum())
            msg[m] = self._pick("polite_pre", k) + self._pick("issue", k) + self._pick("polite_post", k)
        m = rec == R_BENCH
        if m.any():
            msg[m] = self.bench.take(pa.array(d["aux"][m])).to_numpy(zero_copy_only=False)
        for r, tpls in ((R_TRANSLATE, TRANSLATE_TPL), (R_LABEL, LABEL_TPL), (R_AGENT, AGENT_TPL)):
            m = np.flatnonzero(rec == r)
            if len(m):
                w = np.array([self._fixed_text((r, int(a)), tpls[(int(a) // 100 * 7 + int(a) % 100) % len(tpls)])
                              for a in d["aux"][m]], object)
                payload = self._sentences("biz_sentence", rng.integers(1, 9 if r != R_LABEL else 3, len(m)))
                msg[m] = self._wrap(w, np.empty(len(m), object), payload.to_numpy(zero_copy_only=False))
        m = np.flatnonzero(rec == R_ASSIGN)
        if len(m):
            msg[m] = np.array([self._fixed_text(("asg", int(a)), "{" + ["math_task", "code_task", "reason_task",
                                                                     "know_task"][int(a) % 4] + "}")
                               for a in d["aux"][m]], object) + cot[m]
        m = np.flatnonzero(rec == R_LABEXP)
        if len(m):
            w = np.array([self._fixed_text(("lab", int(a)), LAB_PRE[int(a) % len(LAB_PRE)] + "{TASK}" +
                                           LAB_POST[(int(a) * 3 + 1) % len(LAB_POST)]) for a in d["aux"][m]], object)
            msg[m] = self._wrap(w, task[m] + cot[m])
        m = np.flatnonzero(rec == R_CTPL)
        if len(m):
            a = d["aux"][m]
            w = np.array([self._fixed_text(("camp", int(x)), CAMP_PRE[int(x) * 5 % len(CAMP_PRE)]
                                           .replace("{TOPIC_PRE}", "Subject: {TOPIC}\n") + "{TASK}" +
                                           CAMP_POST[int(x) * 7 % len(CAMP_POST)]) for x in a], object)
            topic = np.where(d["topic"][m] >= 0, np.array(P["stopic"], object)[np.maximum(d["topic"][m], 0)],
                             self._pick("stopic", len(m)))
            msg[m] = self._wrap(w, task[m], None, topic)
        m = np.flatnonzero(rec == R_CPARA)
        if len(m):
            k = len(m)
            pre = self._pick("polite_pre", k)
            post = self._pick("polite_post", k)
            inst = (cot[m] + lng[m]).astype(str)
            first = rng.random(k) < .35
            body = np.where(first, np.char.add(np.char.add(np.char.strip(inst), "\n\n").astype(object), task[m]),
                            task[m] + inst)
            body = np.where(first & (inst == ""), task[m], body)
            s = pre + body + post
            low = rng.random(k) < .1
            s[low] = pc.utf8_lower(pa.array(s[low], pa.string())).to_numpy(zero_copy_only=False)
            msg[m] = s
        return msg

    # ----------------------------------------------------------------------------------------- answers
    def completions(self, d: dict[str, np.ndarray], max_chars: int) -> tuple[np.ndarray, np.ndarray]:
        """Completion text (logged up to ``max_chars``) and billed completion tokens."""
        rng, n = self.rng, len(d["ans"])
        tgt = np.maximum(1, d["tgt"]).astype(np.int64)
        out = np.empty(n, object)
        sent_chars = 85.0
        k_full = np.maximum(1, np.round(tgt * 3.9 / sent_chars)).astype(np.int64)
        k = np.minimum(k_full, max(1, int(max_chars / sent_chars)))
        ans = d["ans"]
        stepish = np.isin(d["task"], [0, 2])  # math and reasoning steps; other tasks reason in prose
        for style, bank, sep, sel in ((0, "ans_general", " ", True), (1, "ans_step", "\n", stepish),
                                      (1, "ans_general", "\n", ~stepish), (3, "ans_support", " ", True),
                                      (4, "ans_translation", " ", True)):
            m = np.flatnonzero((ans == style) & sel)
            if not len(m):
                continue
            body = self._sentences(bank, k[m], sep).to_numpy(zero_copy_only=False)
            if style == 1:
                body = "Step-by-step:\n" + body + "\nFinal answer: " + \
                    rng.integers(1, 500, len(m)).astype(str).astype(object)
            if style in (0, 1):
                body = self._pick("ans_open", len(m)) + " " + body + " " + self._pick("ans_close", len(m))
            out[m] = body
        m = np.flatnonzero(ans == 2)
        if len(m):
            lines = self._sentences("code", np.maximum(2, k[m] * 2), "\n").to_numpy(zero_copy_only=False)
            out[m] = "Here's one way to do it:\n\n```\n" + lines + "\n```\n\n" + \
                self._sentences("ans_general", np.ones(len(m), np.int64)).to_numpy(zero_copy_only=False)
        m = np.flatnonzero(ans == 5)
        if len(m):
            out[m] = self.short.take(pa.array(rng.integers(0, len(self.short), len(m)))).to_numpy(
                zero_copy_only=False)
        m = np.flatnonzero(ans == 6)
        if len(m):
            lang = (mix(d["acct"][m]) % np.uint64(len(LANGS))).astype(np.int64)
            for li in np.unique(lang):
                mm = m[lang == li]
                out[mm] = self._sentences(LANGS[li], np.maximum(1, k[mm] // 2))
        text = pa.array(out, pa.string())
        nbytes = pc.binary_length(text).to_numpy(zero_copy_only=False)
        tokens = np.where(k < k_full, tgt, np.ceil(nbytes / 3.9 * rng.lognormal(0, .04, n))).astype(np.int64)
        short = ans == 5
        tokens[short] = np.ceil(nbytes[short] / 3.5).astype(np.int64)
        text = pc.utf8_slice_codeunits(text, 0, max_chars)
        return text.to_numpy(zero_copy_only=False), np.maximum(tokens, 1)


def _split_keep(s: str, token: str) -> list[str]:
    parts = s.split(token)
    out = []
    for i, p in enumerate(parts):
        if i:
            out.append(token)
        out.append(p)
    return out


# ================================================================================================ assembly
def build_world(rows: int, seed: int, campaign_share: float) -> World:
    w = World(np.random.default_rng(seed))
    benign(w, rows * (1 - campaign_share))
    campaigns(w, rows * campaign_share)
    rng = w.rng
    for a in w.accounts:
        p_sys = .5 if a.label == "campaign" else .2
        if a.kind not in ("eval_harness", "translation", "support_bot", "data_labeling") and rng.random() < p_sys:
            a.sys = int(rng.integers(0, len(P["sys_generic"])))
    return w


def _concat(parts: list[dict]) -> dict[str, np.ndarray]:
    keys = ["acct", "t", "sess", "pos", "turn", "recipe", "task", "cot", "long", "aux", "ans", "tgt", "model",
            "abusive", "topic"]
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def account_arrays(w: World) -> dict[str, np.ndarray]:
    accs = w.accounts
    A = len(accs)
    nip = np.array([max(1, len(a.ips)) for a in accs])
    ips = np.zeros((A, max(nip.max(), 1)), np.uint64)
    for i, a in enumerate(accs):
        if a.ips:
            ips[i, :len(a.ips)] = a.ips
    maxtok = np.array([json.loads(a.extra).get("max_tokens", 1e9) if a.extra else 1e9 for a in accs])
    return {"mode": np.array([a.ip_mode for a in accs]), "ips": ips, "nip": nip,
            "home24": np.array([a.home24 for a in accs], np.uint64), "mobile": np.array([a.mobile_p for a in accs]),
            "cgnat": np.array([a.cgnat for a in accs], np.uint64), "v6": np.array([a.v6 for a in accs], object),
            "maxtok": maxtok, "sys": np.array([a.sys for a in accs])}


def addresses(w: World, aa: dict, d: dict, rng: np.random.Generator) -> np.ndarray:
    """The client address of every exchange, by the account's infrastructure."""
    acct, n = d["acct"], len(d["acct"])
    mode = aa["mode"][acct]
    ip = np.zeros(n, np.uint64)
    isp = w.addr.isp.astype(np.uint64)
    m = (mode == "fixed") | (mode == "cloud")
    j = np.floor(rng.random(m.sum()) * aa["nip"][acct[m]]).astype(np.int64)
    ip[m] = aa["ips"][acct[m], j]
    m = mode == "home"
    lease = np.floor(d["t"][m] / (86400 * 6)).astype(np.int64)  # dynamic leases: a new address every ~6 days
    h = mix(acct[m], lease)
    home = aa["home24"][acct[m]]
    third = (((home >> np.uint64(8)) & np.uint64(255)) + (h >> np.uint64(20)) % np.uint64(4)) & np.uint64(255)
    ip[m] = (home & np.uint64(0xFFFF0000)) | (third << np.uint64(8)) | (np.uint64(2) + h % np.uint64(250))
    mob = m.copy()
    mob[m] = rng.random(m.sum()) < aa["mobile"][acct[m]]
    ip[mob] = aa["cgnat"][acct[mob]] | rng.integers(2, 254, mob.sum()).astype(np.uint64)
    for mm, key in ((mode == "proxy_session", d["sess"]), (mode == "proxy_request", np.arange(n) + 10 ** 9)):
        h = mix(key[mm], np.full(mm.sum(), 77))
        ip[mm] = (isp[(h % np.uint64(len(isp))).astype(np.int64)] | (((h >> np.uint64(16)) & np.uint64(255)) << np.uint64(8))
                  | (np.uint64(2) + (h >> np.uint64(24)) % np.uint64(250)))
    text = ip_text(ip)
    v6 = (aa["v6"][acct] != "") & m & ~mob & (rng.random(n) < .6)
    if v6.any():
        hh = mix(acct[v6], np.floor(d["t"][v6] / 86400).astype(np.int64))
        text[v6] = aa["v6"][acct[v6]] + ":" + np.char.mod("%x", (hh % np.uint64(65535)).astype(np.int64)).astype(
            object) + ":" + np.char.mod("%x", ((hh >> np.uint64(16)) % np.uint64(65535)).astype(np.int64)).astype(
            object) + "::" + np.char.mod("%x", ((hh >> np.uint64(32)) % np.uint64(65535)).astype(np.int64)).astype(
            object)
    return text


def render_batch(w: World, aa: dict, r: Renderer, d: dict, max_chars: int, rng: np.random.Generator) -> tuple[pa.Table, dict]:
    n = len(d["acct"])
    order = np.lexsort((d["t"], d["sess"], d["acct"]))
    d = {k: v[order] for k, v in d.items()}
    same = np.r_[False, (d["sess"][1:] == d["sess"][:-1]) & (d["acct"][1:] == d["acct"][:-1])]
    restart = ~(same & (d["turn"] > 0))
    for _ in range(2):  # turns count from the conversation's first message; very long ones start afresh
        cid = np.cumsum(restart) - 1
        turn = np.arange(n) - np.flatnonzero(restart)[cid]
        restart |= (turn % 10) == 0
    d["turn"] = turn
    d["recipe"] = np.where((d["turn"] == 0) & (d["recipe"] == R_FOLLOW), R_HUMAN, d["recipe"])
    d["tgt"] = np.minimum(d["tgt"], aa["maxtok"][d["acct"]])
    msg = r.messages(d)
    comp, ctok = r.completions(d, max_chars)
    sys_i = aa["sys"][d["acct"]]
    sys = np.where(sys_i >= 0, np.array(["system: " + s + "\n" for s in P["sys_generic"]] + [""], object)[sys_i], "")
    sup = np.flatnonzero(d["recipe"] == R_SUPPORT)
    if len(sup):
        sys[sup] = ["system: " + r._fixed_text(("sup", int(a) // 100), SUPPORT_SYS) + "\n" for a in d["aux"][sup]]
    # the flattened chat: system line, earlier turns (with the assistant's answers), the new message; the text
    # is logged up to 2 x max_chars (head kept), the billed tokens count all of it
    cap = 2 * max_chars

    def nbytes(x: np.ndarray) -> np.ndarray:
        return pc.binary_length(pa.array(x, pa.string())).to_numpy(zero_copy_only=False)

    def clip(x: np.ndarray) -> np.ndarray:
        return pc.utf8_slice_codeunits(pa.array(x, pa.string()), 0, cap).to_numpy(zero_copy_only=False)

    prompt = np.empty(n, object)
    ptok = np.zeros(n, np.int64)
    t0 = np.flatnonzero(d["turn"] == 0)
    prompt[t0] = clip(sys[t0] + "user: " + msg[t0])
    ptok[t0] = np.ceil(nbytes(sys[t0] + "user: " + msg[t0]) / 3.9) + 3 + 3 * (sys[t0] != "")
    for lvl in range(1, int(d["turn"].max()) + 1 if n else 1):
        m = np.flatnonzero(d["turn"] == lvl)
        prompt[m] = clip(prompt[m - 1] + "\nassistant: " + comp[m - 1] + "\nuser: " + msg[m])
        ptok[m] = ptok[m - 1] + ctok[m - 1] + np.ceil(nbytes(msg[m]) / 3.9) + 6
    ptext = pa.array(prompt, pa.string())
    # status: rate limits hit bursty automation more; the gateway logs 429s without bodies
    auto = ~np.isin(d["recipe"], [R_HUMAN, R_FOLLOW, R_ASSIGN])
    st = np.full(n, 200, np.int32)
    st[rng.random(n) < np.where(auto, .015, .002)] = 429
    st[(st == 200) & (rng.random(n) < .001)] = 500
    ok = st == 200
    ctok = np.where(ok, ctok, 0)
    speed = np.array([8, 15, 30, 7, 25], float)[d["model"]]
    lat = (250 + ctok * speed * rng.lognormal(0, .25, n)) * np.where(ok, 1, .1)
    accs = w.accounts
    ids = np.array([a.account_id for a in accs], object)
    orgs = np.array([a.org_id for a in accs], object)
    extra = np.array([a.extra for a in accs], object)
    ukey = rng.random(n)
    keys = np.array([a.keys[int(u * len(a.keys))] for a, u in zip([accs[i] for i in d["acct"]], ukey, strict=True)],
                    object)
    uas = np.array([a.uas[0] if (len(a.uas) == 1 or u < .85) else a.uas[1]
                    for a, u in zip([accs[i] for i in d["acct"]], rng.random(n), strict=True)], object)
    model = np.array(MODELS, object)[d["model"]]
    wm = np.where(d["model"] >= 3, "wm-2026-11-b", None)
    exid = np.array([f"req_{x:016x}" for x in rng.integers(0, 2 ** 63, n).tolist()], object)
    ts = START + (d["t"] * 1e6).astype("timedelta64[us]")
    tbl = pa.table({
        "account_id": pa.array(ids[d["acct"]], pa.string()),
        "key_id": pa.array(keys, pa.string()),
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "ip": pa.array(addresses(w, aa, d, rng), pa.string()),
        "user_agent": pa.array(uas, pa.string()),
        "org_id": pa.array(orgs[d["acct"]], pa.string()),
        "model": pa.array(model, pa.string()),
        "prompt": pc.if_else(pa.array(ok | (st == 500)), ptext, ""),
        "completion": pc.if_else(pa.array(ok), pa.array(comp, pa.string()), ""),
        "prompt_tokens": pa.array(np.where(ok | (st == 500), ptok, 0), pa.int64()),
        "completion_tokens": pa.array(ctok, pa.int64()),
        "watermark_key_id": pa.array(wm, pa.string()),
        "exchange_id": pa.array(exid, pa.string()),
        "status": pa.array(st, pa.int32()),
        "latency_ms": pa.array(np.round(lat, 1), pa.float64()),
        "extra": pa.array(extra[d["acct"]], pa.string()),
    })
    tbl = tbl.take(pa.array(np.argsort(d["t"], kind="stable")))
    return tbl, d


def generate(rows: int, seed: int, out: Path, campaign_share: float = .2, batch_rows: int = 100_000,
             max_chars: int = 6000) -> dict:
    """Write the log and the ground truth under ``out``; returns a summary."""
    t0 = time.time()
    w = build_world(rows, seed, campaign_share)
    plan = _concat(w.parts)
    aa = account_arrays(w)
    r = Renderer(seed)
    rng = np.random.default_rng(seed + 3)
    (out / "log").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    A = len(w.accounts)
    per_acc = np.bincount(plan["acct"], minlength=A)
    abusive = np.bincount(plan["acct"], weights=plan["abusive"], minlength=A).astype(np.int64)
    perm = rng.permutation(A)
    batch_of = np.empty(A, np.int64)
    batch_of[perm] = np.cumsum(per_acc[perm]) // batch_rows
    rows_truth = []
    groups = np.array([a.group for a in w.accounts], object)
    from distillscope.monitor.schema import arrow_schema
    schema = arrow_schema()
    for b in range(int(batch_of.max()) + 1):
        sel = batch_of[plan["acct"]] == b
        if not sel.any():
            continue
        tbl, d = render_batch(w, aa, r, {k: v[sel] for k, v in plan.items()}, max_chars, rng)
        pq.write_table(tbl.cast(schema), out / "log" / f"part-{b:05d}.parquet", row_group_size=100_000)
        o = np.argsort(d["t"], kind="stable")
        ab = d["abusive"][o]
        camp = groups[d["acct"][o]]
        rows_truth.append(pa.table({"exchange_id": tbl.column("exchange_id"),
                                    "campaign_id": pa.array(np.where(ab, camp, None), pa.string())}))
    pq.write_table(pa.concat_tables(rows_truth), out / "truth" / "rows.parquet")
    with open(out / "truth" / "accounts.csv", "w") as fh:
        fh.write("account_id,label,kind,group,org_id,exchanges,abusive_exchanges\n")
        for i, a in enumerate(w.accounts):
            if per_acc[i]:
                fh.write(f"{a.account_id},{a.label},{a.kind},{a.group},{a.org_id or ''},{per_acc[i]},{abusive[i]}\n")
    camps = [dict(c, accounts_with_traffic=int(sum(1 for i, a in enumerate(w.accounts)
                                                   if a.group == c["campaign_id"] and per_acc[i])))
             for c in w.campaigns]
    (out / "truth" / "campaigns.json").write_text(json.dumps(
        {"seed": seed, "rows": int(per_acc.sum()), "start": str(START), "days": 28, "campaigns": camps}, indent=1))
    return {"rows": int(per_acc.sum()), "accounts": int((per_acc > 0).sum()),
            "campaign_accounts": int(sum(1 for i, a in enumerate(w.accounts) if a.label == "campaign" and per_acc[i])),
            "abusive_rows": int(abusive.sum()), "seconds": round(time.time() - t0, 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=300_000, help="approximate number of exchanges (300k to 5M)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True, help="output folder (log/ and truth/ are written in it)")
    ap.add_argument("--campaign-share", type=float, default=.2, help="share of exchanges that are campaign traffic")
    ap.add_argument("--batch-rows", type=int, default=100_000, help="rows per Parquet part (bounds memory)")
    ap.add_argument("--max-chars", type=int, default=6000,
                    help="the gateway logs at most this many characters of a completion (2x for prompts); billed "
                         "token counts are not truncated")
    a = ap.parse_args(argv)
    print(json.dumps(generate(a.rows, a.seed, a.out, a.campaign_share, a.batch_rows, a.max_chars)))


if __name__ == "__main__":
    main()
