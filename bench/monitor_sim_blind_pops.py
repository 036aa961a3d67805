"""The populations of ``monitor_sim_blind.py``: benign account types and distillation campaigns.

Each function creates its accounts in the :class:`World` and adds their exchange plan. Sizes scale with the
requested number of rows: ``rows`` is the population's share of the log.
"""

from __future__ import annotations

import json

import numpy as np
from monitor_sim_blind_world import (
    DAY,
    DAYS,
    R_AGENT,
    R_ASSIGN,
    R_BENCH,
    R_CPARA,
    R_CTPL,
    R_HUMAN,
    R_LABEL,
    R_LABEXP,
    R_SUPPORT,
    R_TRANSLATE,
    RELEASE_DAY,
    T_CODE,
    T_KNOW,
    T_LIFE,
    T_MATH,
    T_ML,
    T_REASON,
    T_WRITE,
    TZ,
    TZ_W,
    World,
    hexid,
    ua_for,
)

NT = 7
BENCH_SUITES = {"mc": 3000, "gsm": 1500, "code": 500, "transl": 1000, "reason": 800}  # items per public suite
BENCH_BASE = dict(zip(BENCH_SUITES, np.cumsum([0, *BENCH_SUITES.values()])[:-1], strict=True))


def _extra(rng, kind: str) -> str | None:
    """Per-account request parameters as the gateway's ``extra`` JSON."""
    if kind == "app":
        d = {"stream": True, "temperature": float(rng.choice([.7, 1.0]))}
    elif kind == "eval":
        d = {"temperature": 0.0, "max_tokens": int(rng.choice([256, 512, 1024, 2048]))}
    elif kind == "long":
        d = {"temperature": float(rng.choice([.7, .8, 1.0])), "max_tokens": int(rng.choice([4096, 8192, 16000]))}
    elif kind == "none":
        return None
    else:
        d = {"temperature": float(rng.choice([0.0, .2, .5, .7, 1.0]))}
        if rng.random() < .5:
            d["max_tokens"] = int(rng.choice([512, 1024, 2048, 4096]))
    return json.dumps(d, sort_keys=True)


def _tasks(rng, n: int, base: list[float], conc: float) -> np.ndarray:
    """Per-account task weights around ``base`` (Dirichlet with concentration ``conc``: low = focused users)."""
    b = np.asarray(base, float) / np.sum(base)
    return rng.dirichlet(b * conc + 1e-3, n)


def _models(rng, n: int, base: list[float], conc: float = 4.0) -> np.ndarray:
    return rng.dirichlet(np.asarray(base, float) * conc + 1e-3, n)


def _adopt(rng, n: int, p: float, mean_delay: float) -> np.ndarray:
    d = np.full(n, np.inf)
    m = rng.random(n) < p
    d[m] = RELEASE_DAY + rng.exponential(mean_delay, m.sum())
    return d


def _lifetimes(rng, n: int, full_p: float = .8) -> tuple[np.ndarray, np.ndarray]:
    """Active windows: most accounts cover the whole month, some sign up late or churn."""
    start = np.zeros(n)
    end = np.full(n, float(DAYS))
    late = rng.random(n) > full_p
    start[late] = rng.uniform(0, DAYS - 3, late.sum())
    churn = rng.random(n) < .1
    end[churn] = np.minimum(DAYS, start[churn] + rng.uniform(3, DAYS, churn.sum()))
    return start, end


def _finish(w: World, part: dict, base: int) -> dict:
    part["loc"] = part["acct"] - base
    return part


# ================================================================================================ benign
def humans(w: World, rows: float, kind: str, *, per_day: float, per_session: float, task_base: list[float],
           task_conc: float, cot_p: float, long_p: float, profile: int, weekend: float, model_base: list[float],
           adopt_p: float, ip_mode: str = "home", ua_family: str | None = None, extra: str = "app",
           p_newconv: float = .3, gap_med: float = 70, group: str = "", org: object = True,
           ips: list[int] | None = None, tz: float | None = None, n_acc: int | None = None,
           uas: list[str] | None = None) -> range:
    """Independent people (chat, coding, writing, ...): heavy-tailed activity, sessions and follow-ups."""
    rng = w.rng
    per_acc = per_day * DAYS * .8 * per_session * (5 + 2 * weekend) / 7
    n = n_acc if n_acc is not None else max(1, round(rows / per_acc))
    base = len(w.accounts)
    for _ in range(n):
        u = uas if uas is not None else ([ua_for(rng, ua_family)] if rng.random() < .85 else
                                         [ua_for(rng, ua_family), ua_for(rng)])
        w.new_account("benign", kind, group, org=org, ip_mode=ip_mode, uas=u, ips=ips, extra=_extra(rng, extra),
                      keys=int(rng.integers(1, 3)), tz=tz)
    acct = np.arange(base, base + n)
    rate = per_day * rng.lognormal(-.5, 1.0, n)  # mean exp(0) = 1x, heavy tail
    start, end = _lifetimes(rng, n)
    tzs = np.array([w.accounts[a].tz for a in acct])
    sa, st = w.sessions(acct, rate, start, end, profile, tzs, weekend)
    part = _finish(w, w.expand(sa, st, per_session, gap_med, 1.1, p_newconv), base)
    # some people open a fresh chat for every question
    single = rng.beta(.6, 1.4, n)
    part["turn"] = np.where(rng.random(len(part["t"])) < single[part["loc"]], 0, part["turn"])
    w.content(part, R_HUMAN, _tasks(rng, n, task_base, task_conc), cot_p, long_p,
              model_w=_models(rng, n, model_base), adopt_day=_adopt(rng, n, adopt_p, 4))
    w.add(part)
    return range(base, base + n)


def students(w: World, rows: float) -> None:
    """University cohorts: shared campus NAT, evening/deadline peaks, the same assignment pasted by many."""
    rng = w.rng
    n_coh = max(2, int(rows / 4500))
    for c in range(n_coh):
        size = int(rng.integers(15, 120))
        nat = w.addr.block24("isp")
        ips = [nat + int(h) for h in rng.integers(2, 254, rng.integers(2, 7))]
        tz = float(rng.choice(TZ, p=TZ_W))
        accs = humans(w, 0, "student", per_day=.5, per_session=3.5, task_base=[4, 2.5, 1, 2, 1.5, .5, .3],
                      task_conc=3, cot_p=.3, long_p=.12, profile=2, weekend=.8, model_base=[.6, .3, .1],
                      adopt_p=.15, ip_mode="fixed", ips=ips, group=f"uni{c}", tz=tz, n_acc=size, p_newconv=.25)
        # part of each student's traffic is this week's assignment, pasted verbatim, peaking before the deadline
        part = w.parts[-1]
        wk = (part["t"] // (7 * DAY)).astype(np.int64)
        is_asg = (rng.random(len(wk)) < .3) & (part["turn"] == 0)
        part["recipe"][is_asg] = R_ASSIGN
        part["aux"][is_asg] = c * 1000 + wk[is_asg] * 10 + rng.integers(0, 8, is_asg.sum())
        part["cot"][is_asg] |= rng.random(is_asg.sum()) < .3
        for a in accs:
            w.accounts[a].org_id = hexid(rng, "org_", 12) if rng.random() < .7 else None


def runs(w: World, accts: np.ndarray, runs_per_day: np.ndarray, start: np.ndarray, end: np.ndarray,
         run_len: np.ndarray | float, gap: float, profile: int = 3, weekend: float = 1.0,
         fixed_hour: np.ndarray | None = None, tzs: np.ndarray | None = None) -> dict:
    """Automated batch jobs: a run is many exchanges a second or a few apart."""
    rng = w.rng
    tzs = np.zeros(len(accts)) if tzs is None else tzs
    sa, st = w.sessions(accts, runs_per_day, start, end, profile, tzs, weekend, fixed_hour)
    loc = sa - accts[0]
    rl = np.broadcast_to(np.asarray(run_len, float), len(accts))[loc]
    k = np.maximum(1, rng.lognormal(np.log(rl), .5)).astype(np.int64)
    part = w.expand(sa, st, 1, gap, .8, 1.0, fixed_len=k)
    part["loc"] = part["acct"] - accts[0]
    return part


def bench_aux(rng, part: dict, suites: list[str]) -> np.ndarray:
    """Benchmark item ids: each run walks one public suite in order from a random offset."""
    sess = part["sess"]
    us, inv = np.unique(sess, return_inverse=True)
    suite = rng.integers(0, len(suites), len(us))
    off = rng.integers(0, 10_000, len(us))
    names = np.array(suites)[suite][inv]
    size = np.array([BENCH_SUITES[s] for s in names])
    base = np.array([BENCH_BASE[s] for s in names])
    return base + (off[inv] + part["pos"]) % size


def bench_answers(rng, p: dict, m: np.ndarray) -> None:
    """Answers to benchmark items (rows ``m``): a letter or word, a worked solution for GSM-style items, code."""
    a = p["aux"]
    p["ans"][m] = 5
    p["tgt"][m] = rng.lognormal(np.log(6), 1.0, m.sum())
    gsm = m & (a >= BENCH_BASE["gsm"]) & (a < BENCH_BASE["code"])
    p["tgt"][gsm] = rng.lognormal(np.log(180), .4, gsm.sum())
    p["ans"][gsm] = 1
    code = m & (a >= BENCH_BASE["code"]) & (a < BENCH_BASE["transl"])
    p["ans"][code] = 2
    p["tgt"][code] = rng.lognormal(np.log(150), .5, code.sum())


def evals(w: World, rows: float, kind: str = "eval_harness") -> None:
    """Evaluation companies: a few accounts per org on shared cloud NAT, nightly suites on every model, and the
    new model evaluated the day it ships."""
    rng = w.rng
    n_org = max(3, int(rows / 4000))
    per_org = rows / n_org
    for o in range(n_org):
        size = int(rng.integers(2, 9))
        org = hexid(rng, "org_", 12)
        nat = w.addr.block24("cloud")
        ips = [nat + int(h) for h in rng.integers(2, 254, rng.integers(1, 4))]
        ua = ua_for(rng, str(rng.choice(["httpx", "openai-py", "aiohttp"])))
        ext = _extra(rng, "eval")
        base = len(w.accounts)
        for _ in range(size):
            w.new_account("benign", kind, f"eval{o}", org=org, ip_mode="fixed", ips=ips, uas=[ua], extra=ext,
                          keys=int(rng.integers(1, 4)), tz=0)
        acct = np.arange(base, base + size)
        run_len = float(rng.choice([100, 200, 400, 800]))
        rpd = np.full(size, per_org / size / DAYS / run_len)
        fh = np.full(size, float(rng.integers(0, 24)))
        fh[rng.random(size) < .4] = np.nan
        part = runs(w, acct, rpd, np.zeros(size), np.full(size, float(DAYS)), run_len, 1.2, 3, .7, fh)
        # release-day sweep of the new model by every account of the org
        rel = runs(w, acct, np.full(size, 1.5), np.full(size, RELEASE_DAY + 0.0),
                   np.full(size, RELEASE_DAY + 1.0), run_len, .8, 3, 1.0)
        for p, newgen in ((part, False), (rel, True)):
            w.content(p, R_BENCH, aux=bench_aux(rng, p, list(BENCH_SUITES)),
                      model_w=np.tile([.3, .3, .4], (size, 1)), adopt_day=np.full(size, 0.0 if newgen else np.inf))
            bench_answers(rng, p, np.ones(len(p["t"]), bool))
            if not newgen:
                # after the release, evaluations go on the new generation too
                late = p["t"] > (RELEASE_DAY + 1) * DAY
                p["model"][late & (rng.random(len(late)) < .5)] = 4
            w.add(p)


def labs(w: World, rows: float) -> None:
    """Research labs: several accounts of one org on the lab's netblock, benchmark suites plus templated
    experiments that sweep topics, chain-of-thought ablations and long-output probes."""
    rng = w.rng
    n_lab = max(3, int(rows / 4000))
    per_lab = rows / n_lab
    for lab in range(n_lab):
        size = int(rng.integers(3, 26))
        org = hexid(rng, "org_", 12)
        nat = w.addr.block24("isp" if rng.random() < .5 else "cloud")
        tz = float(rng.choice(TZ, p=TZ_W))
        base = len(w.accounts)
        for _ in range(size):
            ips = [nat + int(h) for h in rng.integers(2, 254, rng.integers(1, 5))]
            w.new_account("benign", "research_lab", f"lab{lab}", org=org if rng.random() < .8 else True,
                          ip_mode="fixed", ips=ips, uas=[ua_for(rng, str(rng.choice(["openai-py", "httpx"])))],
                          extra=_extra(rng, "eval" if rng.random() < .5 else "long"), keys=int(rng.integers(1, 4)),
                          tz=tz)
        acct = np.arange(base, base + size)
        run_len = float(rng.choice([50, 150, 300]))
        rpd = per_lab / size / DAYS / run_len * rng.lognormal(0, .7, size)
        tzs = np.full(size, tz)
        part = runs(w, acct, rpd, *_lifetimes(rng, size, .7), run_len, 2.0, 1, .3, None, tzs)
        n = len(part["t"])
        n_exp = int(rng.integers(2, 6))
        exp_ids = lab * 10 + rng.integers(0, n_exp, n)
        rec = np.where(rng.random(n) < .4, R_BENCH, R_LABEXP)
        aux = np.where(rec == R_BENCH, bench_aux(rng, part, list(BENCH_SUITES)), exp_ids)
        w.content(part, rec, _tasks(rng, size, [1, 1, 1, 1, 1, .3, 1], 20), cot_p=.45, long_p=.2, aux=aux,
                  model_w=_models(rng, size, [.2, .3, .5]), adopt_day=_adopt(rng, size, .9, 1))
        bench_answers(rng, part, rec == R_BENCH)
        w.add(part)


def companies(w: World, rows: float, kind: str, recipe: int, *, n_per: float, sizes: tuple[int, int],
              per_session: float, gap: float, profile: int, weekend: float, ans: int, tgt_med: float,
              ua_fams: list[str], p_newconv: float = 1.0, org_share: float = .9) -> None:
    """Companies running one product on the API: several accounts, shared NAT and user agent, templated prompts."""
    rng = w.rng
    n_co = max(2, int(rows / n_per))
    for co in range(n_co):
        size = int(rng.integers(*sizes))
        org = hexid(rng, "org_", 12)
        nat = w.addr.block24("cloud" if rng.random() < .7 else "isp")
        ips = [nat + int(h) for h in rng.integers(2, 254, rng.integers(1, 6))]
        ua = ua_for(rng, str(rng.choice(ua_fams)))
        tz = float(rng.choice(TZ, p=TZ_W))
        ext = _extra(rng, "api")
        base = len(w.accounts)
        for _ in range(size):
            w.new_account("benign", kind, f"{kind}{co}", org=org if rng.random() < org_share else True,
                          ip_mode="fixed", ips=ips, uas=[ua], extra=ext, keys=int(rng.integers(1, 4)), tz=tz)
        acct = np.arange(base, base + size)
        share = rng.dirichlet(np.ones(size) * 2)
        rpd = rows / n_co * share / DAYS / per_session
        start, end = _lifetimes(rng, size, .85)
        sa, st = w.sessions(acct, rpd, start, end, profile, np.full(size, tz), weekend)
        part = _finish(w, w.expand(sa, st, per_session, gap, 1.0, p_newconv), base)
        w.content(part, recipe, aux=np.full(len(part["t"]), co * 100) + rng.integers(0, 3, len(part["t"])),
                  model_w=_models(rng, size, [.5, .4, .1], 20), adopt_day=_adopt(rng, size, .3, 6))
        part["ans"][:] = ans
        part["tgt"] = rng.lognormal(np.log(tgt_med), .5, len(part["t"]))
        w.add(part)


def benign(w: World, rows: float) -> None:
    """All benign populations; ``rows`` is their total."""
    s = {"chat": .27, "multilingual": .05, "coding": .13, "writer": .04, "student": .08, "eval": .07, "lab": .07,
         "translation": .08, "support": .09, "labeling": .04, "agent": .04, "team": .04}
    r = {k: v * rows for k, v in s.items()}
    humans(w, r["chat"], "chat", per_day=.35, per_session=3, task_base=[1, 1, .6, 3, 2, 3, .3], task_conc=4,
           cot_p=.05, long_p=.05, profile=0, weekend=1.1, model_base=[.45, .4, .15], adopt_p=.25)
    humans(w, r["multilingual"], "chat_multilingual", per_day=.35, per_session=3,
           task_base=[.5, .5, .3, 1, 1, 1, 6], task_conc=4, cot_p=.04, long_p=.05, profile=0, weekend=1.1,
           model_base=[.5, .4, .1], adopt_p=.2)
    humans(w, r["coding"], "coding", per_day=1.0, per_session=5, task_base=[.3, 8, .3, .6, .2, .1, 0],
           task_conc=5, cot_p=.04, long_p=.04, profile=1, weekend=.3, model_base=[.1, .3, .6], adopt_p=.5,
           ua_family="ide", extra="api", p_newconv=.15, gap_med=120)
    humans(w, r["writer"], "writer", per_day=.6, per_session=3, task_base=[0, 0, 0, 1, 6, .5, .3], task_conc=5,
           cot_p=.01, long_p=.4, profile=1, weekend=.5, model_base=[.2, .5, .3], adopt_p=.3, extra="long")
    students(w, r["student"])
    evals(w, r["eval"])
    labs(w, r["lab"])
    companies(w, r["translation"], "translation", R_TRANSLATE, n_per=4000, sizes=(3, 30), per_session=40,
              gap=4, profile=1, weekend=.15, ans=4, tgt_med=260, ua_fams=["aiohttp", "requests", "java"])
    companies(w, r["support"], "support_bot", R_SUPPORT, n_per=3000, sizes=(1, 15), per_session=4, gap=25,
              profile=0, weekend=.9, ans=3, tgt_med=110, ua_fams=["openai-js", "openai-py", "go"], p_newconv=0)
    companies(w, r["labeling"], "data_labeling", R_LABEL, n_per=3000, sizes=(4, 20), per_session=120, gap=1.5,
              profile=1, weekend=.2, ans=5, tgt_med=25, ua_fams=["httpx", "requests"])
    # lone automations (cron summarisers, agents) on random cloud VMs
    rng = w.rng
    n_ag = max(3, int(r["agent"] / 300))
    base = len(w.accounts)
    for _ in range(n_ag):
        w.new_account("benign", "agent", "", ip_mode="cloud", uas=[ua_for(rng, str(rng.choice(
            ["openai-py", "langchain", "httpx", "go"])))], extra=_extra(rng, "api"), keys=1, tz=0)
    acct = np.arange(base, base + n_ag)
    fh = rng.integers(0, 24, n_ag).astype(float)
    fh[rng.random(n_ag) < .5] = np.nan
    part = runs(w, acct, rng.uniform(.5, 4, n_ag), *_lifetimes(rng, n_ag), rng.uniform(3, 20, n_ag), 8, 3, 1,
                fh)
    w.content(part, R_AGENT, aux=part["loc"] % 7, model_w=_models(rng, n_ag, [.6, .3, .1]),
              adopt_day=_adopt(rng, n_ag, .2, 5))
    w.add(part)
    # startup teams: one org, one office, building an app on the API
    n_team = max(2, int(r["team"] / 3000))
    for t in range(n_team):
        size = int(rng.integers(3, 13))
        office = w.addr.block24("isp") + int(rng.integers(2, 250))
        org = hexid(rng, "org_", 12)
        humans(w, 0, "startup_team", per_day=.8, per_session=5, task_base=[.3, 6, .5, 1, 1, .2, .2],
               task_conc=6, cot_p=.05, long_p=.05, profile=1, weekend=.2, model_base=[.2, .4, .4], adopt_p=.7,
               ip_mode="fixed", ips=[office], group=f"team{t}", org=org, n_acc=size, extra="api",
               ua_family=str(rng.choice(["openai-py", "openai-js"])))


# ============================================================================================== campaigns
CAMPAIGN_KINDS = {
    # kind: (number of campaigns, account range, relative rows per account)
    "datacenter_easy": (1, (40, 80), 4.0),
    "residential_proxy": (3, (60, 250), 1.2),
    "mixed": (3, (30, 120), .8),
    "slow": (3, (150, 300), .3),
    "paraphrase": (3, (50, 200), 1.0),
    "coverage_sweep": (3, (40, 160), 1.0),
    "cot_elicitation": (3, (40, 200), 1.0),
    "max_length": (2, (30, 120), .7),
}


def campaigns(w: World, rows: float) -> None:
    """Distillation campaigns of every kind; ``rows`` is the total of their exchanges (the mixed accounts'
    ordinary traffic comes on top)."""
    rng = w.rng
    plan = []
    for kind, (k, (lo, hi), rel) in CAMPAIGN_KINDS.items():
        for _ in range(k):
            plan.append((kind, int(np.exp(rng.uniform(np.log(lo), np.log(hi)))), rel))
    weight = np.array([n * rel for _, n, rel in plan])
    for i, (kind, n, _) in enumerate(plan):
        cid = f"c{i:02d}"
        w.campaigns.append({"campaign_id": cid, "kind": kind, "accounts": n})
        _campaign(w, cid, kind, n, rows * weight[i] / weight.sum(), i)


def _campaign(w: World, cid: str, kind: str, n: int, rows: float, ci: int) -> None:
    rng = w.rng
    base = len(w.accounts)
    # ---- infrastructure
    if kind == "datacenter_easy":
        net = w.addr.block24("cloud")
        ua = "python-requests/2.31.0"
        orgs = [hexid(rng, "org_", 12) for _ in range(3)]
        for _ in range(n):
            w.new_account("campaign", kind, cid, org=str(rng.choice(orgs)) if rng.random() < .6 else None,
                          ip_mode="fixed", ips=[net + int(h) for h in rng.integers(2, 254, 2)], uas=[ua],
                          extra=json.dumps({"max_tokens": 4096, "temperature": 0.7}, sort_keys=True), tz=0)
    elif kind == "mixed":
        # aged ordinary accounts (their own chat traffic below) that also run the campaign's script
        humans(w, 0, "chat", per_day=.35, per_session=3, task_base=[1, 1, .6, 3, 2, 3, .3], task_conc=4,
               cot_p=.05, long_p=.05, profile=0, weekend=1.1, model_base=[.5, .4, .1], adopt_p=.25, n_acc=n)
        for a in range(base, base + n):
            w.accounts[a].label, w.accounts[a].kind, w.accounts[a].group = "campaign", kind, cid
    else:
        mode = {"slow": "proxy_sticky", "coverage_sweep": "cloud", "max_length": "cloud"}.get(kind, "proxy_session")
        for _ in range(n):
            fam = None if rng.random() < .7 else str(rng.choice(["openai-py", "httpx", "openai-js"]))
            w.new_account("campaign", kind, cid, org=True, ip_mode=mode if mode != "proxy_sticky" else "home",
                          uas=[ua_for(rng, fam)], keys=int(rng.integers(1, 3)), mobile_p=.1,
                          extra=_extra(rng, "long" if kind == "max_length" else str(rng.choice(["app", "api"]))))
            if mode == "proxy_session":
                w.accounts[-1].ip_mode = "proxy_session" if rng.random() < .8 else "proxy_request"
    acct = np.arange(base, base + n)
    tz = np.array([w.accounts[a].tz for a in acct])
    # ---- timing: waves of accounts with limited lifetimes (bans, rotation), except the slow ones
    if kind in ("slow", "mixed"):
        start, end = np.zeros(n), np.full(n, float(DAYS))
        if kind == "slow":
            start = rng.uniform(0, 4, n)
    elif kind == "datacenter_easy":
        start = np.full(n, float(rng.integers(0, 6)))
        end = np.full(n, float(DAYS))
    else:
        start = rng.uniform(0, DAYS - 6, n)
        end = np.minimum(DAYS, start + rng.uniform(5, 20, n))
    days = np.maximum(end - start, 1)
    per_acc = rows / n
    if kind == "slow":
        # a few requests a day, at human hours in the account's pretend time zone, each on its own
        sa, st = w.sessions(acct, per_acc / days / 1.3, start, end, 0, tz, 1.0)
        part = w.expand(sa, st, 1.3, 60, 1.0, .5)
    elif kind == "datacenter_easy":
        run_len = 60.0
        part = runs(w, acct, per_acc / days / run_len, start, end, run_len, 2.0, 3, 1.0)
    else:
        # short bursts spread over the day, timezone mimicry for proxies, nights for the mixed accounts
        run_len = float(rng.choice([4, 8, 15]))
        prof = {"mixed": 4, "residential_proxy": 0, "paraphrase": 0, "cot_elicitation": 0}.get(kind, 3)
        rate = per_acc / days / run_len * rng.lognormal(0, .5, n)
        part = runs(w, acct, rate, start, end, run_len, float(rng.choice([6, 15, 40])), prof, .9, None, tz)
    part["loc"] = part["acct"] - base
    # ---- content
    tb = {"coverage_sweep": [1, 1, 1, 1, 1, .6, 1], "cot_elicitation": [4, 1.5, 4, 1, 0, 0, .5],
          "max_length": [.3, .8, .3, 3, 3, .6, .5]}.get(kind, [2, 2, 1.5, 1.5, 1, .5, 1])
    cot = {"cot_elicitation": .85, "max_length": .15, "coverage_sweep": .4}.get(kind, .45)
    lng = {"max_length": .85, "cot_elicitation": .25}.get(kind, .2)
    para = kind in ("paraphrase", "slow", "residential_proxy", "mixed")
    n_rows = len(part["t"])
    tpl = ci * 10 + rng.integers(0, int(rng.integers(1, 5)), n_rows)
    if kind == "datacenter_easy":
        tpl[:] = ci * 10 + 2  # one template
    rec = np.full(n_rows, R_CPARA if para else R_CTPL)
    if kind in ("residential_proxy", "mixed"):
        rec[rng.random(n_rows) < .5] = R_CTPL
    # most campaigns want the best model; some settle for the cheaper mid-size one to stretch their budget
    target = [0, .15, .85] if kind == "datacenter_easy" or rng.random() < .6 else [.1, .55, .35]
    w.content(part, rec, _tasks(rng, n, tb, 30), cot, lng, aux=tpl, model_w=_models(rng, n, target, 8),
              adopt_day=_adopt(rng, n, .9 if kind != "datacenter_easy" else 1.0,
                               .01 if kind == "datacenter_easy" else 2.0),
              tgt_scale=1.0 if kind != "max_length" else 2.5, abusive=True)
    if kind == "coverage_sweep":
        # walk the capability grid in order: task kind, then topic, per account
        seq = part["pos"] + part["sess"] * 7
        part["task"] = (seq % NT).astype(np.int8)
        part["topic"] = ((seq // NT) % 25).astype(np.int16)  # topic index
    if kind in ("paraphrase", "residential_proxy", "slow"):
        # multi-turn elicitation: "another way", "go deeper", "continue" follow-ups on the previous answer
        p_follow = {"paraphrase": .3, "residential_proxy": .2, "slow": .35}[kind]
        part["turn"] = np.where((part["pos"] > 0) & (rng.random(n_rows) < p_follow), 1, 0)
        part["recipe"][part["turn"] > 0] = 1
    w.add(part)


__all__ = [
    "BENCH_BASE",
    "BENCH_SUITES",
    "R_CPARA",
    "R_HUMAN",
    "T_CODE",
    "T_KNOW",
    "T_LIFE",
    "T_MATH",
    "T_ML",
    "T_REASON",
    "T_WRITE",
    "benign",
    "campaigns",
]
