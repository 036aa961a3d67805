"""Information ceiling of per-account campaign detection on the blind simulator: a SUPERVISED oracle, not a detector.

    PYTHONPATH=src .venv/bin/python bench/monitor_sim_blind.py --rows 300000 --seed 1 --out /tmp/b1
    PYTHONPATH=src .venv/bin/python bench/monitor_sim_blind.py --rows 300000 --seed 2 --out /tmp/b2
    PYTHONPATH=src .venv/bin/python bench/monitor_ceiling.py /tmp/b1 /tmp/b2          # train on b1, test on b2
    PYTHONPATH=src .venv/bin/python bench/monitor_ceiling.py /tmp/b1 /tmp/b2 --both   # and b2 -> b1

**This script reads the ground-truth labels** (``OUT/truth/accounts.csv`` and the per-exchange
``OUT/truth/rows.parquet``) to fit logistic regressions, and it chooses each threshold on the benign accounts of
the *test* log. Its figures are an upper bound for any detector that sees the same signals, never a detector's
score: no operator has the labels of a campaign it has not found yet.

Signals (everything an operator can compute from the log itself):

* ``engine``: what ``distillscope monitor scan`` computes on its engine: the behaviour features of
  ``features.account_features``, the TF-IDF of each account's bag of words over its 32 sampled prompts
  (``features.term_counts``) and its hour-of-day histogram (``features.activity``);
* ``text``: TF-IDF of the account's prompts themselves (word 1-2 grams and char 3-5 grams within word boundaries,
  sublinear tf; up to ``--max-prompts`` prompts per account, evenly spaced over its history, each cut at
  ``--max-chars`` characters);
* ``meta``: per account shares of exchange-level tokens: hour of day, weekday, model, ``max_tokens``,
  temperature, streaming, user-agent family, IPv6, system prompt, conversation turns, prompt / completion token
  bins, status; plus session shape (sessions cut at 30-minute gaps: count, mean length, single-exchange share,
  log gaps), exchanges, active days, IPs / user agents / keys per exchange;
* ``exchange``: a logistic regression per *exchange* (prompt word 1-2 grams + the exchange's meta tokens) fitted
  on the abusive/benign exchange labels, aggregated per account (mean of its top 5 log-odds and the share of its
  exchanges above the training exchanges' 99th benign percentile): a mixed account's abusive part is not
  diluted by its chat.

Reported per model (train seed -> test seed): recall of campaign accounts at benign-account FPR 0.001 and 0.01
(threshold = the test log's benign scores' 99.9th / 99th percentile), per campaign kind, and AUROC. ``combined``
takes, per account, the smallest benign tail probability of the ``all`` and ``exchange`` scores (each against the
test log's benign accounts), i.e. an oracle union of the two. ``--within`` adds 5-fold cross-fits by account inside
each log.

Measured (300k seeds 1 and 2, load 1-4; docs/monitor-blind-scores.md has every row): best model per direction at
benign FPR 0.001 recall 0.67 (1 -> 2, exchange), 0.60 (2 -> 1, all), 0.80 / 0.57 within seeds 1 / 2 (combined /
exchange); mixed accounts 0.03-0.44 over all models; at FPR 0.01 0.93-0.96. 20 min and 4.4 GB for ``--both``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import scipy.sparse as sp

KINDS_ORDER = ["cot_elicitation", "coverage_sweep", "datacenter_easy", "max_length", "mixed", "paraphrase",
               "residential_proxy", "slow"]


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The log (pandas, sorted by account and time, with ``abusive`` per exchange) and the truth accounts."""
    log = ds.dataset(folder / "log").to_table().to_pandas()
    rows = pd.read_parquet(folder / "truth" / "rows.parquet")
    log = log.merge(rows, on="exchange_id", how="left")
    log["abusive"] = log["campaign_id"].notna().astype(np.int8)
    log = log.sort_values(["account_id", "ts"]).reset_index(drop=True)
    truth = pd.read_csv(folder / "truth" / "accounts.csv").set_index("account_id")
    return log, truth


def engine_tables(folder: Path, long_tokens: bool = False) -> tuple[pd.DataFrame, ...]:
    """The monitor engine's per-account tables on DuckDB, as pandas: behaviour features (sorted by account; with
    ``long_tokens``, the long-completion threshold at the log's 90th percentile, as the scan sets it), term counts,
    the vocabulary, activity per hour and the meta tokens (``bench/monitor_pu_draws.py`` reads them too)."""
    from distillscope.monitor import features as F
    from distillscope.monitor.ingest import read_logs
    from distillscope.monitor.scan import Engine

    eng = Engine("duckdb")
    t = eng.load(read_logs([folder / "log"]).table)
    releases = F.detect_releases(t)
    sample = eng.keep(F.sample_prompts(t))
    words = F.prompt_words(sample, materialize=eng.keep)
    vt, vocab = F.vocabulary(words, upload=eng.upload)
    tpl = eng.keep(F.template_buckets(sample, words=words, vocab=vt))
    terms = F.term_counts(words, vt).to_pandas()
    feats = F.account_features(t, releases=releases[-1:], sample=sample, templates=tpl,
                               long_tokens=F.completion_quantile(t, 0.9) if long_tokens else None).to_pandas()
    act = F.activity(t).to_pandas()
    meta = F.meta_tokens(t).to_pandas()
    eng.close()
    return feats.sort_values("account_id").reset_index(drop=True), terms, vocab, act, meta


def engine_features(folder: Path) -> tuple[pd.DataFrame, sp.csr_matrix, list[str], pd.DataFrame]:
    """The monitor engine's per-account outputs on DuckDB: behaviour features, term counts (sparse, accounts x
    vocabulary), the vocabulary, and the hour-of-day histogram (shares)."""
    feats, terms, vocab, act, _ = engine_tables(folder)
    idx = pd.Index(feats["account_id"])
    m = sp.csr_matrix((terms["n"].to_numpy(float), (idx.get_indexer(terms["account_id"]), terms["term"].to_numpy())),
                      shape=(len(idx), len(vocab)))
    act["hod"] = act["hour"] % 24
    hod = act.pivot_table(index="account_id", columns="hod", values="n", aggfunc="sum", fill_value=0)
    hod = hod.reindex(index=idx, columns=range(24), fill_value=0)
    hod = hod.div(hod.sum(axis=1), axis=0)
    return feats, m, vocab, hod


def exchange_tokens(log: pd.DataFrame) -> pd.Series:
    """A space-separated string of meta tokens per exchange."""
    ts = log["ts"]
    ex = log["extra"].fillna("{}").map(lambda s: json.loads(s) if s.startswith("{") else {})
    mt = ex.map(lambda d: d.get("max_tokens", "none"))
    temp = ex.map(lambda d: d.get("temperature", "none"))
    stream = ex.map(lambda d: d.get("stream", False))
    ua = log["user_agent"].fillna("").str.split("/").str[0].str.replace(r"\s+", "_", regex=True)
    p = log["prompt"].fillna("")
    turns = p.str.count(r"(?m)^user:").clip(upper=4)
    pt = np.floor(np.log2(log["prompt_tokens"].clip(lower=1))).astype(int)
    ct = np.floor(np.log2(log["completion_tokens"].clip(lower=1))).astype(int)
    parts = ["hr" + ts.dt.hour.astype(str), "dow" + ts.dt.day_of_week.astype(str), "mdl_" + log["model"].astype(str),
             "mt_" + mt.astype(str), "temp_" + temp.astype(str), "stream_" + stream.astype(str), "ua_" + ua,
             "ipv6_" + log["ip"].fillna("").str.contains(":").astype(str),
             "sys_" + p.str.startswith("system:").astype(str), "turns" + turns.astype(str),
             "pt" + pt.astype(str), "ct" + ct.astype(str), "st" + log["status"].astype(str)]
    out = parts[0]
    for s in parts[1:]:
        out = out + " " + s
    return out


def session_features(log: pd.DataFrame, idx: pd.Index) -> pd.DataFrame:
    """Session shape and volume per account (sessions cut at gaps over 30 minutes)."""
    e = log["ts"].astype("int64") / 1e6
    gap = e.groupby(log["account_id"]).diff()
    new = gap.isna() | (gap > 1800)
    sess = new.groupby(log["account_id"]).cumsum()
    slen = log.groupby([log["account_id"], sess]).size()
    g = slen.groupby(level=0)
    lg = np.log10(gap.clip(lower=1))
    d = pd.DataFrame({
        "log_n": np.log1p(log.groupby("account_id").size()),
        "log_sessions": np.log1p(g.size()),
        "mean_session_len": np.log1p(g.mean()),
        "single_session_share": (slen == 1).groupby(level=0).mean(),
        "log_gap_mean": lg.groupby(log["account_id"]).mean(),
        "log_gap_std": lg.groupby(log["account_id"]).std(),
        "active_days_log": np.log1p((e // 86400).groupby(log["account_id"]).nunique()),
        "ips_per_ex": log.groupby("account_id")["ip"].nunique() / log.groupby("account_id").size(),
        "uas_per_ex": log.groupby("account_id")["user_agent"].nunique() / log.groupby("account_id").size(),
        "keys": np.log1p(log.groupby("account_id")["key_id"].nunique()),
        "span_days": ((e.groupby(log["account_id"]).max() - e.groupby(log["account_id"]).min()) / 86400),
    })
    return d.reindex(idx).fillna(0.0)


def evenly(log: pd.DataFrame, k: int) -> np.ndarray:
    """Row positions of up to ``k`` exchanges per account, evenly spaced over its history (log sorted by
    account, time)."""
    rn = log.groupby("account_id").cumcount().to_numpy()
    n = log.groupby("account_id")["account_id"].transform("size").to_numpy()
    step = np.ceil(n / k).astype(int)
    return np.flatnonzero(rn % step == 0)


class Seed:
    """Everything computed for one simulated log."""

    def __init__(self, folder: Path, max_prompts: int, max_chars: int):
        t0 = time.perf_counter()
        self.log, truth = load(folder)
        self.feats, self.terms, self.vocab, self.hod = engine_features(folder)
        self.ids = pd.Index(self.feats["account_id"])
        self.truth = truth.reindex(self.ids)
        self.y = (self.truth["label"] == "campaign").to_numpy().astype(int)
        self.kind = self.truth["kind"].to_numpy()
        self.sess = session_features(self.log, self.ids)
        self.log["meta"] = exchange_tokens(self.log)
        pos = evenly(self.log, max_prompts)
        sub = self.log.iloc[pos]
        self.docs = (sub["prompt"].fillna("").str.slice(0, max_chars)
                     .groupby(sub["account_id"]).agg("\n".join).reindex(self.ids).fillna(""))
        self.meta_docs = self.log["meta"].groupby(self.log["account_id"]).agg(" ".join).reindex(self.ids).fillna("")
        self.seconds = time.perf_counter() - t0


def numeric_block(s: Seed) -> pd.DataFrame:
    f = s.feats.drop(columns=["account_id"]).astype(float)
    f = f.replace([np.inf, -np.inf], np.nan).fillna(0.0)
    f = np.sign(f) * np.log1p(f.abs())  # heavy tails (counts, seconds)
    return pd.concat([f.reset_index(drop=True), s.sess.reset_index(drop=True),
                      s.hod.add_prefix("hod").reset_index(drop=True)], axis=1)


def matrices(tr: Seed, te: Seed, blocks: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Account x feature matrices of ``tr`` and ``te`` over the named blocks, every transform fitted on ``tr``
    (without labels)."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.preprocessing import StandardScaler, normalize

    xs_tr, xs_te = [], []
    if "engine" in blocks or "all" in blocks:
        sc = StandardScaler().fit(numeric_block(tr))
        xs_tr.append(sp.csr_matrix(np.clip(sc.transform(numeric_block(tr)), -8, 8)))
        xs_te.append(sp.csr_matrix(np.clip(sc.transform(numeric_block(te)), -8, 8)))
        # the term ids are per log: map test words onto the training vocabulary
        col = pd.Index(tr.vocab).get_indexer(te.vocab)
        keep = np.flatnonzero(col >= 0)
        to_tr = sp.csr_matrix((np.ones(len(keep)), (keep, col[keep])), shape=(len(te.vocab), len(tr.vocab)))
        te_m = te.terms @ to_tr
        tf = TfidfTransformer(sublinear_tf=True).fit(tr.terms)
        xs_tr.append(tf.transform(tr.terms))
        xs_te.append(tf.transform(te_m))
    if "text" in blocks or "all" in blocks:
        for kw in ({"analyzer": "word", "ngram_range": (1, 2), "min_df": 3, "max_features": 200_000},
                   {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 5, "max_features": 200_000}):
            v = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **kw).fit(tr.docs)
            xs_tr.append(v.transform(tr.docs))
            xs_te.append(v.transform(te.docs))
    if "meta" in blocks or "all" in blocks:
        v = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=2).fit(tr.meta_docs)
        xs_tr.append(normalize(v.transform(tr.meta_docs).astype(float), "l1") * 4)
        xs_te.append(normalize(v.transform(te.meta_docs).astype(float), "l1") * 4)
        if "all" not in blocks and "engine" not in blocks:
            sc = StandardScaler().fit(tr.sess)
            xs_tr.append(sp.csr_matrix(np.clip(sc.transform(tr.sess), -8, 8)))
            xs_te.append(sp.csr_matrix(np.clip(sc.transform(te.sess), -8, 8)))
    return sp.hstack(xs_tr).tocsr(), sp.hstack(xs_te).tocsr()


def _lr(c: float, balanced: bool = True):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, solver="liblinear", class_weight="balanced" if balanced else None)


def fit_score(tr: Seed, te: Seed, blocks: list[str], c: float) -> np.ndarray:
    """Fit a logistic regression on ``tr``'s account labels over the named feature blocks; scores of ``te``."""
    xtr, xte = matrices(tr, te, blocks)
    return _lr(c).fit(xtr, tr.y).decision_function(xte)


def cv_score(s: Seed, blocks: list[str], c: float, folds: int = 5) -> np.ndarray:
    """Within one log: each account scored by a model fitted on the labels of the other folds' accounts (the
    transforms are fitted on the whole log, without labels)."""
    x, _ = matrices(s, s, blocks)
    fold = np.random.default_rng(0).permutation(np.arange(len(s.y)) % folds)
    out = np.zeros(len(s.y))
    for k in range(folds):
        out[fold == k] = _lr(c).fit(x[fold != k], s.y[fold != k]).decision_function(x[fold == k])
    return out


def exchange_score(tr: Seed, te: Seed, c: float, folds: int = 0) -> np.ndarray:
    """Per-exchange logistic regression on the exchange labels, aggregated per account of ``te``: percentile of
    the mean of its top 5 log-odds plus percentile of its share of exchanges above the training benign exchanges'
    99th percentile. ``folds`` > 0 (with ``te is tr``): cross-fitted by account within the log."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    def docs(s: Seed) -> pd.Series:
        return s.log["prompt"].fillna("").str.slice(0, 1000)

    v = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=3, max_features=300_000,
                        dtype=np.float32).fit(docs(tr))
    mv = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=2, binary=True).fit(tr.log["meta"])
    xtr = sp.hstack([v.transform(docs(tr)), mv.transform(tr.log["meta"]).astype(np.float32) * 0.5]).tocsr()
    xte = xtr if te is tr else \
        sp.hstack([v.transform(docs(te)), mv.transform(te.log["meta"]).astype(np.float32) * 0.5]).tocsr()
    ab = tr.log["abusive"].to_numpy()
    if folds:
        acc_fold = pd.Series(np.random.default_rng(0).permutation(np.arange(len(tr.ids)) % folds), index=tr.ids)
        row_fold = acc_fold.reindex(tr.log["account_id"]).to_numpy()
        raw = np.zeros(len(ab))
        hi_rows = np.zeros(len(ab))
        for k in range(folds):
            m = _lr(c, balanced=False).fit(xtr[row_fold != k], ab[row_fold != k])
            s_in = m.decision_function(xtr[row_fold != k])
            hi_rows[row_fold == k] = np.quantile(s_in[ab[row_fold != k] == 0], 0.99)
            raw[row_fold == k] = m.decision_function(xtr[row_fold == k])
        s, above = pd.Series(raw, index=te.log.index), raw > hi_rows
    else:
        m = _lr(c, balanced=False).fit(xtr, ab)
        hi = np.quantile(m.decision_function(xtr)[ab == 0], 0.99)
        s = pd.Series(m.decision_function(xte), index=te.log.index)
        above = s.to_numpy() > hi
    g = s.groupby(te.log["account_id"])
    top5 = g.apply(lambda x: np.sort(x.to_numpy())[-5:].mean()).reindex(te.ids)
    share = pd.Series(above, index=te.log.index).groupby(te.log["account_id"]).mean().reindex(te.ids)
    return (top5.rank(pct=True) + share.rank(pct=True)).to_numpy()


def tail_p(score: np.ndarray, benign: np.ndarray) -> np.ndarray:
    """Share of benign scores >= each score (the oracle's benign tail probability)."""
    b = np.sort(benign)
    return (len(b) - np.searchsorted(b, score, side="left") + 1) / (len(b) + 1)


def report(name: str, te: Seed, score: np.ndarray) -> dict:
    from sklearn.metrics import roc_auc_score

    ben = score[te.y == 0]
    out = {"model": name, "auroc": float(roc_auc_score(te.y, score))}
    for fpr in (0.001, 0.01):
        thr = np.quantile(ben, 1 - fpr, method="higher")
        fl = score > thr
        out[f"fpr_target_{fpr}"] = {
            "benign_fpr": float(fl[te.y == 0].mean()), "recall": float(fl[te.y == 1].mean()),
            "per_kind": {k: float(fl[(te.y == 1) & (te.kind == k)].mean()) for k in KINDS_ORDER
                         if ((te.y == 1) & (te.kind == k)).any()}}
    return out


def line(r: dict) -> str:
    cells = []
    for fpr in ("0.001", "0.01"):
        d = r[f"fpr_target_{fpr}"]
        ks = " ".join(f"{k.split('_')[0][:5]} {v:.2f}" for k, v in d["per_kind"].items())
        cells.append(f"FPR<={fpr}: recall {d['recall']:.3f} (fpr {d['benign_fpr']:.4f}) [{ks}]")
    return f"  {r['model']:<22} AUROC {r['auroc']:.3f}\n    " + "\n    ".join(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train", type=Path, help="output folder of monitor_sim_blind.py (log/ and truth/): fit here")
    ap.add_argument("test", type=Path, help="another seed's output folder: threshold and score here")
    ap.add_argument("--both", action="store_true", help="also train on TEST and test on TRAIN")
    ap.add_argument("--max-prompts", type=int, default=200, help="prompts per account for the text block")
    ap.add_argument("--max-chars", type=int, default=400, help="characters per prompt for the text block")
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of the logistic regressions")
    ap.add_argument("--models", default="engine,text,meta,all,exchange",
                    help="comma-separated: engine, text, meta, all (= engine+text+meta), exchange")
    ap.add_argument("--within", action="store_true",
                    help="also cross-fit within each log (5 folds of accounts: each scored by a model fitted on the "
                         "other folds' labels): the ceiling when the campaigns' own traits are learnable")
    ap.add_argument("--no-cross", action="store_true", help="with --within: skip the train -> test fits")
    ap.add_argument("--json-out", type=Path, default=None, help="write every figure here")
    a = ap.parse_args()
    seeds = {}
    for f in (a.train, a.test):
        seeds[f] = Seed(f, a.max_prompts, a.max_chars)
        print(f"{f}: {len(seeds[f].ids):,} accounts ({seeds[f].y.sum():,} campaign), features "
              f"{seeds[f].seconds:.0f} s", flush=True)
    pairs = [] if a.within and a.no_cross else [(a.train, a.test)] + ([(a.test, a.train)] if a.both else [])
    if a.within:
        pairs += [(a.train, a.train), (a.test, a.test)]
    results = []
    for tr, te in pairs:
        print(f"train {tr.name} -> test {te.name}" + (" (5-fold cross-fit within the log)" if tr == te else ""),
              flush=True)
        scores = {}
        for name in a.models.split(","):
            t0 = time.perf_counter()
            if name == "exchange":
                scores[name] = exchange_score(seeds[tr], seeds[te], a.c, folds=5 if tr == te else 0)
            elif tr == te:
                scores[name] = cv_score(seeds[tr], [name], a.c)
            else:
                scores[name] = fit_score(seeds[tr], seeds[te], [name], a.c)
            r = report(name, seeds[te], scores[name]) | {"train": str(tr), "test": str(te),
                                                         "seconds": time.perf_counter() - t0}
            results.append(r)
            print(line(r), flush=True)
        if "all" in scores and "exchange" in scores:
            y = seeds[te].y
            p = np.minimum(tail_p(scores["all"], scores["all"][y == 0]),
                           tail_p(scores["exchange"], scores["exchange"][y == 0]))
            r = report("combined (all|exchange)", seeds[te], -p) | {"train": str(tr), "test": str(te)}
            results.append(r)
            print(line(r), flush=True)
    if a.json_out:
        a.json_out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
