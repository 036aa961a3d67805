"""Per-account behaviour features, written once in Ibis so they run on DuckDB (default) and on Spark (scale).

Input is an Ibis table in the exchange-log schema (:mod:`distillscope.monitor.schema`). Outputs are Ibis tables
(lazy; the engine does the work) with one row per account, per (account, token) or per (account, hour):

* :func:`account_features`: volume, tokens, burstiness, inter-arrival regularity, hour-of-day profile (entropy of
  the 24-hour histogram, /log 24, and night share), breadth of
  capability coverage, chain-of-thought elicitation, benchmark-shaped and synthetic-data prompts, language mix,
  traffic shift after a model release, and prompt-template reuse (from :func:`template_buckets`).
* :func:`term_counts`: each account's bag of words over its sampled prompts (its content signature, for
  distances to the population and to other accounts; :mod:`.content`).
* :func:`half_features`: the style indicators once per half of each account's history (alternate blocks of
  consecutive exchanges, the blocks :func:`sample_prompts` samples from), so accounts can be grouped on one half and
  tested on the other (:mod:`.style`).
* :func:`template_buckets`: MinHash LSH buckets of each account's prompts. The MinHash of a prompt is taken over its
  word set with ``md5(salt || word)`` as the hash (the same on every engine, so DuckDB and Spark agree exactly);
  ``rows`` minima make one band, and prompts filled into the same template land in the same bucket of some band.
* :func:`infra_tokens`: the IPs and org/payment ids each account used.
* :func:`activity`: exchanges per account per hour, for synchronised-timing links.
* :func:`meta_tokens`: how often each account used each model, user-agent family and request setting
  (``max_tokens``, ``temperature``, streaming, from ``extra``): the PU classifier's request-shape inputs
  (:mod:`.pu`).

Pattern lists live in ``monitor/data/patterns.yaml`` (data, reviewable without reading code).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ibis
import ibis.expr.types as ir
import yaml


@functools.cache
def patterns() -> dict[str, Any]:
    """The prompt patterns (CoT, benchmark, synthetic, capabilities, scripts) from ``data/patterns.yaml``."""
    text = resources.files("distillscope.monitor").joinpath("data/patterns.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def epoch_s(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole seconds since the epoch, identical on DuckDB (fractional epoch) and Spark (integer)."""
    return ts.epoch_seconds().floor().cast("int64")


@dataclass(frozen=True)
class Release:
    """A model that first appears inside the log (a launch the traffic can shift onto)."""

    model: str
    epoch_s: int


def detect_releases(t: ir.Table, min_share: float = 0.01, warmup_days: float = 1.0) -> list[Release]:
    """Models whose first request comes later than ``warmup_days`` after the log starts and that carry at least
    ``min_share`` of all traffic (so a single probe of an unreleased name is not a release)."""
    firsts = t.group_by("model").aggregate(first=epoch_s(t.ts).min(), n=t.count()).execute()
    t0, total = int(firsts["first"].min()), int(firsts["n"].sum())
    rel = [Release(str(r.model), int(r.first)) for r in firsts.itertuples()
           if r.first > t0 + warmup_days * 86400 and r.n >= min_share * total]
    return sorted(rel, key=lambda r: r.epoch_s)


def sample_prompts(t: ir.Table, per_account: int = 32) -> ir.Table:
    """(account_id, pid, p): up to ``per_account`` of each account's prompts, evenly spaced over its history
    (every ``ceil(n / per_account)``-th by time), lower-cased.

    Content shares and template sketches are estimated on this sample: the cost of regexes and MinHash then
    grows with the number of accounts, not of exchanges, and a share from 32 prompts is within about +-0.09.
    Spacing the sample over the whole history (not the first prompts) keeps an account that starts ordinary and
    turns to harvesting later, or mixes the two, represented as it is.
    """
    s = _blocks(t, per_account)
    s = s.filter((s._rn % s._step) == 0)
    return s.select("account_id", pid=s._blk, p=s.prompt.lower())


def _blocks(t: ir.Table, per_account: int) -> ir.Table:
    """``t`` plus ``_rn`` (row number in the account's history, by time) and ``_blk`` (``_rn // step``, the block
    :func:`sample_prompts` takes one prompt from)."""
    w = ibis.window(group_by=t.account_id, order_by=[t.ts, t.prompt])
    s = t.mutate(_rn=ibis.row_number().over(w), _n=t.count().over(ibis.window(group_by=t.account_id)))
    step = ((s._n + per_account - 1) / per_account).floor().cast("int64")
    return s.mutate(_step=step, _blk=(s._rn / step).floor().cast("int64"))


def half_features(t: ir.Table, sample: ir.Table, long_tokens: int, release: Release | None = None,
                  per_account: int = 32) -> ir.Table:
    """(account_id, half, n, shares...): the style indicators of each half of an account's history.

    Half ``h`` is the exchanges of the blocks ``b`` with ``b % 2 == h`` (blocks of ``ceil(n / per_account)``
    consecutive exchanges; an account with at most ``per_account`` exchanges alternates exchange by exchange), and
    its content shares come from the sampled prompts of those blocks (``pid % 2 == h``), so the two halves share no
    exchange. Columns: ``n``, ``n_sampled``, ``cot_share``, ``detail_share``, ``synth_share``, ``followup_share``
    (sampled prompts), ``long_output_share`` (completion tokens >= ``long_tokens``), ``new_model_share_after``
    (share of the exchanges after ``release`` that go to its model; NaN without one or without such exchanges),
    ``gap_mean``, ``gap_std`` (seconds between an exchange and the account's previous one, over the half's
    exchanges)."""
    b = _blocks(t, per_account)
    e = epoch_s(b.ts)
    w = ibis.window(group_by=b.account_id, order_by=[b.ts, b.prompt])
    b = b.mutate(half=(b._blk % 2).cast("int64"), _gap=(e - e.lag().over(w)).cast("float64"), _e=e)
    aggs: dict[str, ir.Value] = {
        "n": b.count(),
        "long_output_share": (b.completion_tokens >= long_tokens).cast("float64").mean(),
        "gap_mean": b._gap.mean(),
        "gap_std": b._gap.std(),
    }
    if release is not None:
        after = b._e >= release.epoch_s
        aggs["_n_after"] = after.cast("int64").sum()
        aggs["_n_new"] = (after & (b.model == release.model)).cast("int64").sum()
    rows = b.group_by(["account_id", "half"]).aggregate(**aggs)
    if release is not None:
        rows = rows.mutate(new_model_share_after=ibis.cases(
            (rows._n_after > 0, rows._n_new.cast("float64") / rows._n_after), else_=ibis.null("float64")))
        rows = rows.drop("_n_after", "_n_new")
    else:
        rows = rows.mutate(new_model_share_after=ibis.null("float64"))
    f = _flags(sample.mutate(half=(sample.pid % 2).cast("int64")))
    cs = f.group_by(["account_id", "half"]).aggregate(
        n_sampled=f.count(), cot_share=f.cot.mean(), detail_share=f.detail.mean(), synth_share=f.synth.mean(),
        followup_share=f.followup.mean())
    out = rows.left_join(cs, ["account_id", "half"])
    return out.drop(*[c for c in out.columns if c.endswith("_right")])


def content_shares(s: ir.Table) -> ir.Table:
    """Per account, from :func:`sample_prompts`: shares of CoT / benchmark / synthetic prompts, capability
    breadth inputs and script shares."""
    pat = patterns()
    f = _flags(s)
    aggs: dict[str, ir.Value] = {"n_sampled": f.count(), "cot_share": f.cot.mean(), "bench_share": f.bench.mean(),
                                 "synth_share": f.synth.mean(), "detail_share": f.detail.mean(),
                                 "followup_share": f.followup.mean(),
                                 "prompt_chars_mean": f.p.length().cast("float64").mean()}
    for c in pat["capabilities"]:
        aggs[f"_n_{c}"] = f[f"cap_{c}"].sum()
    for c in pat["scripts"]:
        aggs[f"_s_{c}"] = f[f"scr_{c}"].mean()
    return f.group_by("account_id").aggregate(**aggs)


def _flags(t: ir.Table) -> ir.Table:
    pat = patterns()
    p = t.p
    cols: dict[str, ir.Value] = {
        "cot": p.re_search(pat["cot"]).cast("int8"),
        "bench": p.re_search(pat["benchmark"]).cast("int8"),
        "synth": p.re_search(pat["synthetic"]).cast("int8"),
        "detail": p.re_search(pat["detail"]).cast("int8"),
        "followup": p.re_search(pat["followup"]).cast("int8"),
    }
    for name, rx in pat["capabilities"].items():
        cols[f"cap_{name}"] = p.re_search(rx).cast("int8")
    for name, rx in pat["scripts"].items():
        cols[f"scr_{name}"] = p.re_search(rx).cast("int8")
    return t.mutate(**cols)


def account_features(t: ir.Table, releases: list[Release] | None = None, cap_min_share: float = 0.03,
                     sample: ir.Table | None = None, templates: ir.Table | None = None,
                     long_tokens: int | None = None) -> ir.Table:
    """One row per account with the behaviour features (see module docstring). All columns are numeric except
    ``account_id``; shares are in [0, 1].

    Args:
        t: the exchange log.
        releases: launches to measure the traffic shift against (default: the last one :func:`detect_releases`
            finds; with none, shift columns are 0).
        cap_min_share: a capability counts towards breadth when at least this share of the sampled prompts
            (and at least 2 of them) touch it.
        sample: output of :func:`sample_prompts` (else computed here).
        templates: output of :func:`template_buckets` to add ``template_reuse`` (else computed here).
        long_tokens: a completion of at least this many tokens counts as a long (harvested) output for
            ``long_output_share`` (default: :func:`completion_quantile` at 0.9 of this log).
    """
    pat = patterns()
    if long_tokens is None:
        long_tokens = completion_quantile(t, 0.9)
    e = epoch_s(t.ts)
    w = ibis.window(group_by=t.account_id, order_by=t.ts)
    f = t.mutate(_e=e, _gap=(e - e.lag().over(w)).cast("float64"), _hour=t.ts.hour(),
                 _day=(e / 86400).floor().cast("int64"))
    aggs: dict[str, ir.Value] = {
        "n_exchanges": f.count(),
        "n_keys": f.key_id.nunique(),
        "n_ips": f.ip.nunique(),
        "n_user_agents": f.user_agent.nunique(),
        "n_orgs": f.org_id.nunique(),
        "n_models": f.model.nunique(),
        "active_days": f._day.nunique(),
        "active_hours": (f._e / 3600).floor().nunique(),
        "prompt_tokens": f.prompt_tokens.sum(),
        "completion_tokens": f.completion_tokens.sum(),
        "mean_completion_tokens": f.completion_tokens.mean(),
        "gap_mean": f._gap.mean(),
        "gap_std": f._gap.std(),
        "short_gap_share": (f._gap < 60).cast("float64").mean(),
        "first_s": f._e.min(),
        "last_s": f._e.max(),
        "night_share": (f._hour < 6).cast("float64").mean(),
        "long_output_share": (f.completion_tokens >= long_tokens).cast("float64").mean(),
    }
    if releases is None:
        releases = detect_releases(t)[-1:]
    if releases:
        r = releases[-1]
        after = f._e >= r.epoch_s
        aggs["_n_after"] = after.cast("int64").sum()
        aggs["_n_new_after"] = (after & (f.model == r.model)).cast("int64").sum()
    a = f.group_by("account_id").aggregate(**aggs)
    hh = f.group_by(["account_id", "_hour"]).aggregate(_c=f.count())
    tot = hh.group_by("account_id").aggregate(_tot=hh._c.sum())
    hh = hh.join(tot, "account_id")
    pr = hh._c.cast("float64") / hh._tot
    ent = hh.group_by("account_id").aggregate(hour_entropy=(-(pr * pr.ln())).sum() / math.log(24))
    a = a.join(ent, "account_id")
    if sample is None:
        sample = sample_prompts(t)
    cs = content_shares(sample)
    a = a.join(cs, "account_id")
    caps = list(pat["capabilities"])
    n = a.n_exchanges.cast("float64")
    ns = a.n_sampled.cast("float64")
    min_n = ibis.greatest(ibis.literal(2.0), ns * cap_min_share)
    breadth = sum((a[f"_n_{c}"] >= min_n).cast("int64") for c in caps)
    any_cap = sum(a[f"_n_{c}"] for c in caps)
    latin = 1.0 - sum(a[f"_s_{s}"] for s in pat["scripts"])
    shares = [a[f"_s_{s}"] for s in pat["scripts"]] + [ibis.greatest(latin, ibis.literal(0.0))]
    n_langs = sum((s >= 0.05).cast("int64") for s in shares)
    gm, gs = a.gap_mean, a.gap_std.fill_null(0)
    out = a.mutate(
        exchanges_per_active_day=n / a.active_days,
        tokens_per_exchange=(a.prompt_tokens + a.completion_tokens) / n,
        # Goh-Barabasi burstiness: -1 perfectly regular, 0 Poisson, -> 1 bursty
        burstiness=((gs - gm) / (gs + gm)).fill_null(0),
        gap_cv=(gs / gm).fill_null(0),
        capability_breadth=breadth,
        capability_share=any_cap / ns,
        n_languages=n_langs,
    )
    if releases:
        r = releases[-1]
        out = out.mutate(
            n_after_release=out._n_after,
            shift_after_release=((out._n_after + 1).cast("float64").ln() - (n - out._n_after + 1).cast("float64").ln()),
            new_model_share_after=(out._n_new_after / ibis.greatest(out._n_after, 1)).cast("float64"))
    else:
        out = out.mutate(n_after_release=ibis.literal(0, "int64"), shift_after_release=ibis.literal(0.0),
                         new_model_share_after=ibis.literal(0.0))
    if templates is None:
        templates = template_buckets(sample)
    reuse = (templates.group_by("account_id")
             .aggregate(_rep=templates.n.sum(), _bands=templates.band.nunique()))
    out = out.left_join(reuse, "account_id").drop("account_id_right")
    out = out.mutate(template_reuse=(out._rep.fill_null(0).cast("float64")
                                     / (out.n_sampled * _BANDS)),
                     **{f"capn_{c}": out[f"_n_{c}"].cast("int64") for c in caps})
    return out.drop(*[c for c in out.columns if c.startswith("_")])


def completion_quantile(t: ir.Table, q: float) -> int:
    """The ``q`` quantile of ``completion_tokens`` over the log, exact and the same on every engine (from the
    value histogram, which is small: token counts are bounded by the model's output limit)."""
    h = t.group_by("completion_tokens").aggregate(n=t.count()).to_pandas().sort_values("completion_tokens")
    if h.empty:
        return 0
    cum = h["n"].cumsum().to_numpy()
    i = int((cum >= q * cum[-1]).argmax())
    return int(h["completion_tokens"].iloc[i])


_BANDS = 6
_ROWS = 2


def word_hashes(words: list[str], k: int) -> dict[str, list[int]]:
    """``k`` salted 63-bit hashes per word (blake2b; identical on every engine and every run)."""
    import hashlib

    out = {}
    chunks = (k + 7) // 8
    for w in words:
        b = w.encode("utf-8")
        d = b"".join(hashlib.blake2b(b, digest_size=64, person=f"minhash{j}".encode()).digest()
                     for j in range(chunks))
        out[w] = [int.from_bytes(d[8 * i: 8 * i + 8], "little") >> 1 for i in range(k)]
    return out


def prompt_words(s: ir.Table, materialize: Callable[[ir.Table], ir.Table] | None = None) -> ir.Table:
    """(account_id, pid, word): the words of 3+ characters of each sampled prompt (:func:`sample_prompts`).

    ``materialize`` stores the table (the engine's own way) so the split runs once for sketches and terms."""
    s = s.select("account_id", "pid", words=s.p.split(" "))
    u = s.unnest("words").rename(word="words")
    u = u.filter(u.word.length() >= 3)
    return materialize(u) if materialize is not None else u


def vocabulary(u: ir.Table, k: int = _BANDS * _ROWS,
               upload: Callable[[Any], ir.Table] | None = None) -> tuple[ir.Table, list[str]]:
    """(engine table ``word, term, h0..h{k-1}``, the words): every distinct word of :func:`prompt_words`, its term
    id (rank in sorted order, so every engine numbers words alike) and ``k`` salted hashes for MinHash."""
    import pyarrow as pa

    vocab = sorted(u.select("word").distinct().to_pyarrow().column("word").to_pylist())
    hashes = word_hashes(vocab, k)
    cols = {"word": pa.array(vocab, pa.string()), "term": pa.array(range(len(vocab)), pa.int64())}
    for i in range(k):
        cols[f"h{i}"] = pa.array([hashes[v][i] for v in vocab], pa.int64())
    return (upload or ibis.memtable)(pa.table(cols)), vocab


def term_counts(u: ir.Table, vt: ir.Table) -> ir.Table:
    """(account_id, term, n): how many of the account's sampled prompts use each word (the account's content
    signature, a bag of words; ``term`` indexes :func:`vocabulary`)."""
    j = u.join(vt.select("word", "term"), "word")
    return j.group_by(["account_id", "term"]).aggregate(n=j.pid.nunique())


def template_buckets(s: ir.Table, bands: int = _BANDS, rows: int = _ROWS,
                     materialize: Callable[[ir.Table], ir.Table] | None = None,
                     upload: Callable[[Any], ir.Table] | None = None,
                     words: ir.Table | None = None, vocab: ir.Table | None = None) -> ir.Table:
    """(account_id, band, bucket, n): LSH buckets that hold at least 2 of the account's sampled prompts.

    ``s`` is :func:`sample_prompts`. A prompt's words of 3+ characters form a set; for each of ``bands * rows``
    salts, the minimum over the set of a salted hash of the word is one MinHash value; ``rows`` values make one
    band bucket. Two prompts share a band with probability ``J ** rows`` (J = Jaccard similarity of their word
    sets), so prompts cut from one template collide in some band with high probability and unrelated prompts
    rarely. Word hashes are computed once per distinct word on the driver (blake2b), so every engine gets the same
    buckets. ``materialize`` stores the word table (the engine's own way) so it is computed once; ``upload``
    puts the word-hash Arrow table into the engine (default ``ibis.memtable``). ``words`` / ``vocab`` pass in
    :func:`prompt_words` / :func:`vocabulary` already computed.
    """
    u = words if words is not None else prompt_words(s, materialize)
    k = bands * rows
    vt = vocab if vocab is not None else vocabulary(u, k, upload)[0]
    j = u.join(vt, "word")
    mins = j.group_by(["account_id", "pid"]).aggregate(**{f"m{i}": j[f"h{i}"].min() for i in range(k)})
    per_band = []
    for b in range(bands):
        key = mins[f"m{b * rows}"].cast("string")
        for r in range(1, rows):
            key = key + ":" + mins[f"m{b * rows + r}"].cast("string")
        per_band.append(mins.select("account_id", band=ibis.literal(b, "int64"), bucket=key))
    allb = ibis.union(*per_band)
    g = allb.group_by(["account_id", "band", "bucket"]).aggregate(n=allb.count())
    return g.filter(g.n >= 2)


def netblock(ip: ir.StringValue) -> ir.StringValue:
    """The /24 of an IPv4 address (``a.b.c``) or the first three groups of an IPv6 one: a stand-in for the
    network/ASN when no ASN database is at hand (proxy pools are usually bought in blocks)."""
    v4 = ip.re_extract(r"^(\d+\.\d+\.\d+)\.\d+$", 1)
    v6 = ip.re_extract(r"^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*):", 1)
    return ibis.cases((ip.contains(":"), v6), else_=v4)


def infra_tokens(t: ir.Table) -> ir.Table:
    """(account_id, kind, token, n): each IP, netblock and org/payment id an account used, with its count."""
    ip = t.group_by(["account_id", "ip"]).aggregate(n=t.count()).select(
        "account_id", kind=ibis.literal("ip"), token=ibis._.ip, n="n")
    nb = t.mutate(_net=netblock(t.ip))
    nb = nb.filter(nb._net.notnull() & (nb._net != ""))
    net = nb.group_by(["account_id", "_net"]).aggregate(n=nb.count()).select(
        "account_id", kind=ibis.literal("net"), token=ibis._._net, n="n")
    o = t.filter(t.org_id.notnull())
    org = o.group_by(["account_id", "org_id"]).aggregate(n=o.count()).select(
        "account_id", kind=ibis.literal("org"), token=ibis._.org_id, n="n")
    return ibis.union(ip, net, org)


def activity(t: ir.Table) -> ir.Table:
    """(account_id, hour, n): exchanges per account per hour since the epoch."""
    h = (epoch_s(t.ts) / 3600).floor().cast("int64")
    a = t.mutate(hour=h)
    return a.group_by(["account_id", "hour"]).aggregate(n=a.count())


def meta_tokens(t: ir.Table) -> ir.Table:
    """(account_id, token, n): per account, how many exchanges used each model (``model=...``), user-agent family
    (``ua=`` the user agent up to its first ``/``), ``max_tokens`` and ``temperature`` setting (``max_tokens=none``
    when absent) and streaming (``stream=true|false``), the last three read from the ``extra`` JSON column when the
    log has one. Regex extraction only, so DuckDB and Spark give the same tokens."""
    parts = [t.select("account_id", token="model=" + t.model.fill_null("")),
             t.select("account_id", token="ua=" + t.user_agent.fill_null("").re_extract(r"^([^/]*)", 1))]
    if "extra" in t.columns:
        ex = t.extra.fill_null("")
        for key in ("max_tokens", "temperature"):
            v = ex.re_extract(rf'"{key}"\s*:\s*([0-9.]+)', 1)
            parts.append(t.select("account_id", token=ibis.cases((v == "", f"{key}=none"), else_=f"{key}=" + v)))
        st = ex.re_search(r'"stream"\s*:\s*true')
        parts.append(t.select("account_id", token=ibis.cases((st, "stream=true"), else_="stream=false")))
    u = ibis.union(*parts)
    return u.group_by(["account_id", "token"]).aggregate(n=u.count())
