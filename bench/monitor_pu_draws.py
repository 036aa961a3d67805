"""Per-draw spread of the PU flags' benign FPR (monitor/pu.py) over many random benign references.

    PYTHONPATH=src .venv/bin/python bench/monitor_sim_blind.py --rows 300000 --seed 1 --out /tmp/b1
    PYTHONPATH=src .venv/bin/python bench/monitor_pu_draws.py /tmp/b1 --draws 10 --cache /tmp/b1/engine.pkl

The conformal bound of :func:`distillscope.monitor.pu.pu_scores` holds on average over reference draws; what an
operator lives with is one draw. For each of ``--draws`` random references (``--reference-share`` of the benign
accounts, drawn by account as ``bench/monitor.py`` does, or by organisation with ``--draw-by org``) this scores
the accounts with each variant and prints the PU flags' benign FPR and recall per draw, then per variant the mean,
sd and max FPR over the draws and the shares of draws with FPR > alpha and > 2 * alpha:

* ``account``: per-account p-values, random account splits (the scan's ``--pu`` before clusters);
* ``split``: clusters = the log's ``org_id`` (accounts without one are their own); calibration split and folds by
  cluster, per-account p-values;
* ``cluster``: as ``split``, one p-value per cluster (``PUConfig(unit="cluster")``);
* ``account+pac``, ``cluster+pac``: the same with the calibration-conditional threshold
  (``PUConfig(delta=--delta)``: benign FPR <= alpha in a share >= 1 - delta of the draws);
* ``exchange`` (``pu.exchange_pu_scores``: a model per sampled prompt, the account's top-5 mean, calibrated per
  account; a prototype) and ``either`` (flag at ``2 * min(p_account, p_exchange) <= alpha``: Bonferroni over the
  two); ``exchange+pac``/``either+pac`` with ``delta`` (``either+pac``: delta / 2 and alpha / 2 each).

Reads the ground truth only to count flags (FPR over the unlabelled benign accounts, recall over the unlabelled
campaign accounts) and to draw the references; the clusters come from the log.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds

sys.path.insert(0, str(Path(__file__).parent))
from monitor import draw_reference, truth_table
from monitor_ceiling import engine_tables

from distillscope.monitor.pu import PUConfig, exchange_pu_scores, pu_scores


def engine_outputs(folder: Path, cache: Path | None):
    """The scan's PU inputs on DuckDB (features, terms, vocabulary size, activity, meta tokens), cached."""
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    feats, terms, vocab, act, meta = engine_tables(folder, long_tokens=True)
    out = (feats, terms, len(vocab), act, meta)
    if cache is not None:
        cache.write_bytes(pickle.dumps(out))
    return out


def prompt_outputs(folder: Path, cache: Path | None):
    """Each sampled prompt's words as term ids (``features.prompt_terms``) and the vocabulary size, cached."""
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    from distillscope.monitor import features as F
    from distillscope.monitor.ingest import read_logs
    from distillscope.monitor.scan import Engine

    eng = Engine("duckdb")
    t = eng.load(read_logs([folder / "log"]).table)
    words = F.prompt_words(eng.keep(F.sample_prompts(t)), materialize=eng.keep)
    vt, vocab = F.vocabulary(words, upload=eng.upload)
    out = (F.prompt_terms(words, vt).to_pandas(), len(vocab))
    eng.close()
    if cache is not None:
        cache.write_bytes(pickle.dumps(out))
    return out


def log_orgs(folder: Path) -> pd.Series:
    """``account_id -> org_id`` from the log (the smallest when an account has several; none: absent)."""
    t = ds.dataset(folder / "log").to_table(columns=["account_id", "org_id"]).to_pandas().dropna()
    return t.groupby("account_id")["org_id"].min()


def draw_by_org(truth: pd.DataFrame, orgs: pd.Series, share: float, seed: int) -> list[str]:
    """About ``share`` of the benign accounts, whole organisations at a time (accounts without one alone)."""
    b = truth[~truth["is_campaign"]]
    cl = b["account_id"].map(orgs).fillna(b["account_id"])
    order = np.random.default_rng(seed).permutation(cl.unique())
    size = cl.value_counts()
    take = order[: int(np.searchsorted(size.reindex(order).cumsum().to_numpy(), share * len(b))) + 1]
    return sorted(b.loc[cl.isin(set(take)), "account_id"].tolist())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="output folder of monitor_sim_blind.py (log/ and truth/)")
    ap.add_argument("--draws", type=int, default=10)
    ap.add_argument("--first-draw", type=int, default=0, help="draw seeds are 1000 + first .. 1000 + first + n - 1")
    ap.add_argument("--reference-share", type=float, default=0.2)
    ap.add_argument("--alpha", type=float, default=0.005)
    ap.add_argument("--variants", default="account,split,cluster")
    ap.add_argument("--delta", type=float, default=0.1, help="for the +pac variants")
    ap.add_argument("--draw-by", choices=["account", "org"], default="account")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the engine outputs (written if absent)")
    ap.add_argument("--prompt-cache", type=Path, default=None, help="pickle of the per-prompt terms (exchange)")
    a = ap.parse_args()
    t0 = time.perf_counter()
    feats, terms, nv, act, meta = engine_outputs(a.folder, a.cache)
    truth = truth_table(a.folder)
    orgs = log_orgs(a.folder)
    print(f"{a.folder}: {len(feats):,} accounts, {orgs.nunique():,} orgs in the log; engine {time.perf_counter() - t0:.0f} s",
          flush=True)
    variants = a.variants.split(",")
    if any(v.split("+")[0] in ("exchange", "either") for v in variants):
        prompts, nv_p = prompt_outputs(a.folder, a.prompt_cache)
    res = {v: [] for v in variants}
    for d in range(a.first_draw, a.first_draw + a.draws):
        ref = (draw_reference(truth, a.reference_share, seed=1000 + d) if a.draw_by == "account"
               else draw_by_org(truth, orgs, a.reference_share, seed=1000 + d))
        for v in variants:
            base = v.split("+")[0]
            pac = v.endswith("+pac")
            if base in ("exchange", "either"):
                alpha, delta = (a.alpha / 2, a.delta / 2) if base == "either" else (a.alpha, a.delta)
                cfg = PUConfig(alpha=alpha, seed=d, delta=delta if pac else None)
                tab = exchange_pu_scores(prompts, nv_p, feats["account_id"].to_numpy(), ref, cfg)
                if base == "either":
                    t2 = pu_scores(feats, terms, nv, act, ref, cfg, meta=meta)
                    tab["pu_flagged"] = tab["pu_flagged"].to_numpy() | t2["pu_flagged"].to_numpy()
            else:
                cfg = PUConfig(alpha=a.alpha, seed=d, unit="cluster" if base == "cluster" else "account",
                               delta=a.delta if pac else None)
                tab = pu_scores(feats, terms, nv, act, ref, cfg, meta=meta,
                                clusters=None if base == "account" else orgs)
            m = tab.merge(truth, on="account_id")
            m = m[m["pu_role"] == "unlabelled"]
            c = m["is_campaign"].astype(bool)
            f = m["pu_flagged"]
            fp = m[~c & f]["population"].value_counts().head(3).to_dict()
            res[v].append((f[~c].mean(), f[c].mean()))
            info = tab.attrs["pu"]
            print(f"draw {d} {v:<8} fpr {f[~c].mean():.4f} ({int(f[~c].sum())}) recall {f[c].mean():.3f} "
                  f"cal units {info['calibration_units']} p-level {info['p_level']:.4f} {fp}", flush=True)
    for v, r in res.items():
        r = np.array(r)
        print(f"{v:<8} {len(r)} draws: FPR mean {r[:, 0].mean():.4f} sd {r[:, 0].std(ddof=1):.4f} max "
              f"{r[:, 0].max():.4f}, share > alpha {np.mean(r[:, 0] > a.alpha):.2f}, > 2 alpha "
              f"{np.mean(r[:, 0] > 2 * a.alpha):.2f}; recall mean "
              f"{r[:, 1].mean():.3f} [{r[:, 1].min():.3f}, {r[:, 1].max():.3f}]", flush=True)
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
