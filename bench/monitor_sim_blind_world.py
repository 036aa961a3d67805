"""Accounts, infrastructure and timing for ``monitor_sim_blind.py``: who sends what, from where, and when.

The output is a *plan*: one entry per exchange with numeric codes only (account, time, session, turn, recipe,
task, chain-of-thought / long-answer flags, answer style, target length, model); ``monitor_sim_blind.py`` renders
the text. Every population draws its timing from the same session model (sessions per day, a local-time hour
profile, weekend factor, exchanges per session, gaps) with different parameters, and its addresses from the same
address plan (home ISPs, mobile carrier NAT, campus and office NAT, cloud ranges).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DAY = 86400.0
DAYS = 28
START_WEEKDAY = 0  # the window starts on a Monday
RELEASE_DAY = 15  # the provider ships a new model generation on this day
MODELS = ["atlas-mini", "atlas", "atlas-pro", "atlas-2-mini", "atlas-2-pro"]
OLD_TO_NEW = {0: 3, 1: 4, 2: 4}

# task codes (into the text pools of monitor_sim_blind_text)
TASKS = ["math_task", "code_task", "reason_task", "know_task", "write_task", "life_task", "ml_task"]
T_MATH, T_CODE, T_REASON, T_KNOW, T_WRITE, T_LIFE, T_ML = range(7)
# recipes: how the user message is built
(R_HUMAN, R_FOLLOW, R_SUPPORT, R_TRANSLATE, R_BENCH, R_LABEL, R_AGENT, R_LABEXP, R_ASSIGN, R_CTPL,
 R_CPARA) = range(11)
# answer styles
A_GENERAL, A_STEP, A_CODE, A_SUPPORT, A_TRANSL, A_SHORT, A_ML = range(7)

# hour-of-day profiles (local time), relative weights
_H = {
    "human": [2, 1, .6, .4, .3, .4, 1, 2, 3, 4, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 5.5, 6, 6.5, 6, 5, 3.5],
    "work": [.2, .1, .1, .1, .1, .2, .5, 2, 6, 8, 8, 8, 6, 7, 8, 8, 7, 5, 3, 2, 1.5, 1, .6, .3],
    "student": [4, 3, 2, 1, .5, .3, .3, .6, 1.5, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 7, 8, 8, 6],
    "flat": [1] * 24,
    "night": [6, 7, 7, 6, 5, 4, 3, 2, 1, .5, .5, .5, .5, .5, .5, .5, .5, .5, .8, 1, 2, 3, 4, 5],
}
PROFILES = list(_H)
_CDF = np.array([np.cumsum(v) / np.sum(v) for v in _H.values()])

# world regions: (utc offset hours, weight)
TZ = np.array([-8, -7, -6, -5, -4, -3, 0, 1, 2, 3, 5.5, 7, 8, 9, 10])
TZ_W = np.array([6, 2, 5, 9, 2, 4, 6, 12, 5, 3, 10, 4, 8, 6, 2], float)
TZ_W /= TZ_W.sum()


# ------------------------------------------------------------------------------------------------ address plan
class AddressPlan:
    """IPv4 /16 prefixes for residential ISPs and cloud providers, carrier NAT /24s, campus and office blocks."""

    def __init__(self, rng: np.random.Generator):
        firsts = np.array([24, 31, 37, 46, 62, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83,
                           84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 108, 151, 176, 177, 178,
                           179, 180, 181, 182, 183, 186, 187, 188, 189, 190, 191, 200, 201, 212, 213, 217, 219, 220])
        self.isp = (rng.choice(firsts, 400) << 24) | (rng.integers(0, 256, 400) << 16)
        cloud_firsts = np.array([3, 13, 18, 20, 34, 35, 40, 44, 52, 54, 104, 137, 138, 139, 143, 146, 157, 159, 161,
                                 164, 165, 167, 168, 170, 178, 188, 195])
        self.cloud = (rng.choice(cloud_firsts, 120) << 24) | (rng.integers(0, 256, 120) << 16)
        self.cgnat = self.isp[rng.integers(0, 400, 60)] | (rng.integers(0, 256, 60) << 8)  # carrier NAT /24s
        self.rng = rng

    def block24(self, kind: str = "isp") -> int:
        """A fresh /24 (as the integer of its .0 address) in an ISP or cloud range."""
        base = self.isp if kind == "isp" else self.cloud
        return int(base[self.rng.integers(0, len(base))] | (self.rng.integers(0, 256) << 8))


def ip_text(ip: np.ndarray) -> np.ndarray:
    """uint32 IPv4 addresses -> dotted text (object array)."""
    ip = ip.astype(np.uint64)
    o = [(ip >> s) & 255 for s in (24, 16, 8, 0)]
    return np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(
        o[0].astype(str), "."), o[1].astype(str)), "."), o[2].astype(str)), "."), o[3].astype(str)).astype(object)


def mix(*xs: np.ndarray) -> np.ndarray:
    """A deterministic 64-bit hash of integer arrays (splitmix64 over their combination)."""
    h = np.zeros(np.broadcast(*xs).shape, np.uint64)
    with np.errstate(over="ignore"):
        for x in xs:
            h = (h ^ np.asarray(x).astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(31)
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(29)
    return h


# ------------------------------------------------------------------------------------------------- user agents
def _ua_pool(rng: np.random.Generator, n: int, family: str | None = None) -> list[str]:
    """``n`` user agents drawn like a provider's real mix (SDKs, HTTP libraries, apps, browsers)."""
    fams = {
        "openai-py": (30, lambda: f"OpenAI/Python 1.{rng.integers(30, 59)}.{rng.integers(0, 10)}"),
        "openai-js": (12, lambda: f"OpenAI/JS 4.{rng.integers(50, 78)}.{rng.integers(0, 6)}"),
        "requests": (10, lambda: f"python-requests/2.{rng.integers(28, 33)}.{rng.integers(0, 4)}"),
        "httpx": (8, lambda: f"python-httpx/0.{rng.integers(24, 29)}.{rng.integers(0, 3)}"),
        "aiohttp": (4, lambda: f"Python/3.{rng.integers(9, 13)} aiohttp/3.{rng.integers(8, 11)}.{rng.integers(0, 6)}"),
        "axios": (5, lambda: f"axios/1.{rng.integers(4, 8)}.{rng.integers(0, 10)}"),
        "curl": (3, lambda: f"curl/8.{rng.integers(0, 11)}.{rng.integers(0, 2)}"),
        "go": (3, lambda: "Go-http-client/2.0" if rng.random() < .7 else "Go-http-client/1.1"),
        "okhttp": (3, lambda: f"okhttp/4.{rng.integers(9, 13)}.0"),
        "java": (2, lambda: f"Java-http-client/{rng.choice([17, 21])}.0.{rng.integers(1, 10)}"),
        "langchain": (4, lambda: f"langchain/0.{rng.integers(1, 4)}.{rng.integers(0, 20)} OpenAI/Python 1.{rng.integers(30, 59)}.0"),
        "app-ios": (6, lambda: f"{rng.choice(['ChatPal', 'Pocket AI', 'AskAway', 'Mindful Chat'])}/"
                               f"{rng.integers(1, 6)}.{rng.integers(0, 20)} (iPhone; iOS 17.{rng.integers(0, 6)})"),
        "app-android": (5, lambda: f"{rng.choice(['ChatPal', 'Pocket AI', 'AskAway'])}/{rng.integers(1, 6)}."
                                   f"{rng.integers(0, 20)} (Linux; Android {rng.integers(11, 15)})"),
        "browser": (5, lambda: "Mozilla/5.0 (" + str(rng.choice(["Windows NT 10.0; Win64; x64",
                                                                 "Macintosh; Intel Mac OS X 10_15_7",
                                                                 "X11; Linux x86_64"])) +
                    f") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{rng.integers(118, 131)}.0.0.0 Safari/537.36"),
        "ide": (0, lambda: f"{rng.choice(['vscode-assist', 'Cursor', 'continue', 'JetBrains-AI', 'zed'])}/"
                           f"{rng.integers(0, 3)}.{rng.integers(0, 50)}.{rng.integers(0, 10)}"),
    }
    names = list(fams)
    w = np.array([fams[k][0] for k in names], float)
    w /= w.sum()
    out = []
    for _ in range(n):
        f = family or names[rng.choice(len(names), p=w)]
        out.append(fams[f][1]())
    return out


def ua_for(rng: np.random.Generator, family: str | None = None) -> str:
    return _ua_pool(rng, 1, family)[0]


def hexid(rng: np.random.Generator, prefix: str, digits: int = 16) -> str:
    return prefix + "".join(rng.choice(list("0123456789abcdef"), digits))


# ------------------------------------------------------------------------------------------------- the registry
@dataclass
class Account:
    """One account: identity, infrastructure and ground truth."""

    account_id: str
    label: str  # "benign" or "campaign"
    kind: str  # benign type or campaign kind
    group: str  # benign org / cohort id or campaign id ("" for lone accounts)
    org_id: str | None
    keys: list[str]
    uas: list[str]
    ip_mode: str  # home | fixed | proxy_session | proxy_request | cloud
    ips: list[int] = field(default_factory=list)  # fixed / cloud: the addresses it uses
    home24: int = 0  # home: its ISP /24
    v6: str = ""  # home: an IPv6 /64 prefix text when the home line has IPv6
    mobile_p: float = 0.0  # home: share of requests over the carrier NAT
    cgnat: int = 0
    extra: str | None = None
    tz: float = 0.0
    sys: int = -1  # index of the account's system prompt (generic pool), -1 = none


class World:
    """Holds the accounts and the per-exchange plan of every population."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.addr = AddressPlan(rng)
        self.accounts: list[Account] = []
        self.parts: list[dict[str, np.ndarray]] = []
        self.campaigns: list[dict] = []

    # ---------------------------------------------------------------------------------------------- accounts
    def new_account(self, label: str, kind: str, group: str = "", org: str | None | bool = True,
                    ip_mode: str = "home", uas: list[str] | None = None, ips: list[int] | None = None,
                    keys: int = 1, extra: str | None = None, tz: float | None = None, mobile_p: float = .2,
                    v6_p: float = .15) -> int:
        rng = self.rng
        if org is True:
            org = hexid(rng, "org_", 12) if rng.random() > .12 else None
        elif org is False:
            org = None
        a = Account(account_id=hexid(rng, "acct_"), label=label, kind=kind, group=group, org_id=org,
                    keys=[hexid(rng, "key_", 12) for _ in range(keys)],
                    uas=uas if uas is not None else [ua_for(rng)], ip_mode=ip_mode, ips=ips or [], extra=extra,
                    tz=float(rng.choice(TZ, p=TZ_W)) if tz is None else tz)
        if ip_mode == "home":
            a.home24 = self.addr.block24("isp")
            a.mobile_p = mobile_p * rng.random() * 2
            a.cgnat = int(self.addr.cgnat[rng.integers(0, len(self.addr.cgnat))])
            if rng.random() < v6_p:
                a.v6 = f"2a0{rng.integers(0, 10)}:{rng.integers(0, 65536):x}:{rng.integers(0, 65536):x}:" \
                       f"{rng.integers(0, 65536):x}"
        elif ip_mode == "cloud" and not a.ips:
            a.ips = [self.addr.block24("cloud") + int(rng.integers(2, 255)) for _ in range(rng.integers(1, 4))]
        self.accounts.append(a)
        return len(self.accounts) - 1

    def add(self, part: dict[str, np.ndarray]) -> None:
        if len(part["acct"]):
            self.parts.append(part)

    # ------------------------------------------------------------------------------------------------ timing
    def sessions(self, acct: np.ndarray, rate: np.ndarray, start: np.ndarray, end: np.ndarray, profile: int | np.ndarray,
                 tz: np.ndarray, weekend: np.ndarray | float, fixed_hour: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Session start times (seconds from the window start, UTC) for accounts ``acct`` (global indices).

        ``rate`` sessions per active day, active on days [start, end), hours drawn from a local-time profile
        (or a fixed local hour with jitter: cron jobs), weekends thinned to ``weekend``.
        """
        rng = self.rng
        span = np.maximum(end - start, 0)
        n = rng.poisson(rate * span)
        idx = np.repeat(np.arange(len(acct)), n)
        day = start[idx] + np.floor(rng.random(len(idx)) * span[idx])
        prof = np.broadcast_to(np.asarray(profile), len(acct))[idx]
        u = rng.random(len(idx))
        hour = np.empty(len(idx))
        for p in np.unique(prof):
            m = prof == p
            hour[m] = np.searchsorted(_CDF[p], u[m])
        hour = hour + rng.random(len(idx))
        if fixed_hour is not None:
            fh = fixed_hour[idx]
            use = ~np.isnan(fh)
            hour[use] = fh[use] + rng.normal(0, .05, use.sum())
        wk = ((day + START_WEEKDAY) % 7) >= 5
        keep = ~wk | (rng.random(len(idx)) < np.broadcast_to(np.asarray(weekend, float), len(acct))[idx])
        t = day * DAY + hour * 3600 - tz[idx] * 3600
        keep &= (t >= 0) & (t < DAYS * DAY)
        return acct[idx][keep], t[keep]

    def expand(self, s_acct: np.ndarray, s_t: np.ndarray, per_session: np.ndarray | float, gap_med: float,
               gap_sigma: float, p_newconv: float, fixed_len: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Sessions -> exchanges: geometric length (mean ``per_session``), lognormal gaps, conversations."""
        rng = self.rng
        ns = len(s_acct)
        if fixed_len is not None:
            k = fixed_len.astype(np.int64)
        else:
            ps = np.broadcast_to(np.asarray(per_session, float), ns)
            k = rng.geometric(1.0 / np.maximum(ps, 1.0))
        k = np.maximum(k, 1)
        sid = np.repeat(np.arange(ns), k)
        first = np.concatenate([[0], np.cumsum(k)[:-1]])
        pos = np.arange(len(sid)) - first[sid]
        gaps = rng.lognormal(np.log(gap_med), gap_sigma, len(sid))
        gaps[pos == 0] = 0
        cg = np.cumsum(gaps)
        t = s_t[sid] + cg - cg[first[sid]]
        newc = (pos == 0) | (rng.random(len(sid)) < p_newconv)
        cid = np.cumsum(newc) - 1
        cfirst = np.flatnonzero(newc)
        turn = np.arange(len(sid)) - cfirst[cid]
        keep = t < DAYS * DAY
        base = self._sess_base
        self._sess_base += ns
        return {"acct": s_acct[sid][keep], "t": t[keep], "sess": (sid + base)[keep], "pos": pos[keep],
                "turn": np.minimum(turn, 12)[keep]}

    _sess_base = 0

    # --------------------------------------------------------------------------------------------- content
    def content(self, part: dict[str, np.ndarray], recipe: int | np.ndarray, task_w: np.ndarray | None = None,
                cot_p: float | np.ndarray = 0.0, long_p: float | np.ndarray = 0.0, aux: np.ndarray | int = 0,
                model_w: np.ndarray | None = None, adopt_day: np.ndarray | None = None, tgt_scale: float = 1.0,
                abusive: bool | np.ndarray = False) -> dict[str, np.ndarray]:
        """Attach content codes. ``task_w``: per-account task weights (rows of len(TASKS)), indexed by the
        account's position in ``part['loc']``; ``model_w`` likewise for the old model family; ``adopt_day``: the
        day the account moves onto the new generation (inf = never)."""
        rng = self.rng
        n = len(part["acct"])
        loc = part["loc"]
        rec = np.broadcast_to(np.asarray(recipe), n).astype(np.int8).copy()
        if task_w is not None:
            cdf = np.cumsum(task_w, axis=1)
            cdf /= cdf[:, -1:]
            u = rng.random(n)
            task = (u[:, None] > cdf[loc]).sum(1).astype(np.int8)
        else:
            task = np.full(n, T_KNOW, np.int8)
        task = np.minimum(task, len(TASKS) - 1)
        cotp = np.broadcast_to(np.asarray(cot_p, float), n)
        longp = np.broadcast_to(np.asarray(long_p, float), n)
        cot = rng.random(n) < cotp
        lng = rng.random(n) < longp
        follow = (part["turn"] > 0) & np.isin(rec, [R_HUMAN, R_CPARA, R_CTPL])
        rec[follow] = R_FOLLOW
        ans = np.full(n, A_GENERAL, np.int8)
        ans[task == T_CODE] = A_CODE
        ans[(task == T_MATH) | (task == T_REASON) | cot] = A_STEP
        ans[task == T_ML] = A_ML
        if model_w is None:
            model_w = np.tile([.4, .4, .2], (int(loc.max()) + 1 if n else 1, 1))
        mc = np.cumsum(model_w, axis=1)
        mc /= mc[:, -1:]
        model = (rng.random(n)[:, None] > mc[loc]).sum(1).astype(np.int8)
        if adopt_day is not None:
            moved = part["t"] >= adopt_day[loc] * DAY
            model = np.where(moved, np.vectorize(OLD_TO_NEW.get)(model) if n else model, model).astype(np.int8)
        tgt = self._target(ans, lng, task, n) * tgt_scale
        part.update(recipe=rec, task=task, cot=cot, long=lng, aux=np.broadcast_to(np.asarray(aux), n).astype(np.int64),
                    ans=ans, tgt=tgt, model=model,
                    abusive=np.broadcast_to(np.asarray(abusive, bool), n).copy(), topic=np.full(n, -1, np.int16))
        return part

    def _target(self, ans: np.ndarray, lng: np.ndarray, task: np.ndarray, n: int) -> np.ndarray:
        med = np.array([220, 380, 420, 110, 200, 6, 230], float)[ans]
        med = np.where(task == T_WRITE, 330, med)
        med = np.where(lng, 1400, med)
        return np.clip(self.rng.lognormal(np.log(med), .55), 1, 16000)
