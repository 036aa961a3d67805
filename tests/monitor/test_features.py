import datetime as dt

import ibis
import numpy as np
import pyarrow as pa
import pytest

from distillscope.monitor import features as F
from distillscope.monitor.schema import arrow_schema, exchange_to_row


def _table(rows):
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    con.con.register("t", pa.Table.from_pylist([exchange_to_row(r) for r in rows], schema=arrow_schema()))
    return con.table("t")


def _row(acct, ts, prompt, **kw):
    return {"account_id": acct, "key_id": "k", "ts": ts, "ip": "10.0.0.1", "user_agent": "ua", "model": "m",
            "prompt": prompt, "completion": "ok", "prompt_tokens": 10, "completion_tokens": 20, **kw}


def test_burstiness_regular_vs_bursty_and_content_shares():
    rng = np.random.default_rng(0)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()
    rows = [_row("regular", t0 + 30 * i, f"Translate to French: item {i}") for i in range(60)]
    bursts = np.concatenate([t0 + 86400 * d + 3 * 3600 * d + np.sort(rng.uniform(0, 60, 10)) for d in range(6)])
    rows += [_row("bursty", float(x), "solve the equation 3x + 1 = 7, think step by step") for x in bursts]
    f = F.account_features(_table(rows), releases=[]).to_pandas().set_index("account_id")
    assert f.loc["regular", "burstiness"] < -0.9  # perfectly periodic
    assert f.loc["bursty", "burstiness"] > 0.5
    assert f.loc["bursty", "cot_share"] == 1.0 and f.loc["regular", "cot_share"] == 0.0
    assert f.loc["regular", "n_exchanges"] == 60 and f.loc["bursty", "active_days"] == 6
    assert f.loc["regular", "hour_entropy"] == 0.0  # 30 minutes, all inside one hour of the day
    assert abs(f.loc["bursty", "hour_entropy"] - np.log(6) / np.log(24)) < 1e-9  # 6 distinct hours, equal counts


def test_capability_breadth_counts_distinct_areas():
    t0 = 1767225600
    broad = ["solve the equation x + 2 = 5", "write a python function to sort", "translate this into german",
             "what is the differential diagnosis for fever", "who won the battle of hastings",
             "draft an okr for the sales team"]
    rows = [_row("broad", t0 + i, broad[i % 6] + f" {i}") for i in range(30)]
    rows += [_row("narrow", t0 + i, f"write a python function number {i}") for i in range(30)]
    f = F.account_features(_table(rows), releases=[]).to_pandas().set_index("account_id")
    assert f.loc["broad", "capability_breadth"] == 6
    assert f.loc["narrow", "capability_breadth"] == 1


def test_release_shift_onto_new_model():
    t0 = 1767225600
    rows = [_row("mover", t0 + 3600 * i, "q", model="v1") for i in range(10)]
    rows += [_row("mover", t0 + 86400 * 10 + 60 * i, "q", model="v2") for i in range(40)]
    rows += [_row("steady", t0 + 3600 * 6 * i, "q", model="v1") for i in range(50)]
    t = _table(rows)
    rel = F.detect_releases(t)
    assert [r.model for r in rel] == ["v2"]
    f = F.account_features(t, releases=rel).to_pandas().set_index("account_id")
    assert f.loc["mover", "new_model_share_after"] == 1.0 and f.loc["mover", "shift_after_release"] > 1
    assert f.loc["steady", "new_model_share_after"] == 0.0


def test_template_buckets_known_positive_and_null():
    """Same template (20 words) + different 8-word fills collide in some band with probability ~0.9 for 6 bands
    of 2 rows (averaged over templates); unrelated 30-word prompts (J ~ 0.005) essentially never."""
    rng = np.random.default_rng(1)
    vocab = [f"w{i:04d}x" for i in range(3000)]
    n, rows = 40, []
    for i in range(n):
        tpl = " ".join(rng.choice(vocab, 20))
        for j in range(2):
            rows.append(_row(f"same{i}", 1767225600 + j, f"{tpl} {' '.join(rng.choice(vocab, 8))}"))
            rows.append(_row(f"diff{i}", 1767225600 + j, " ".join(rng.choice(vocab, 30))))
    tb = F.template_buckets(F.sample_prompts(_table(rows))).to_pandas()
    hit = set(tb["account_id"])
    assert sum(a.startswith("same") for a in hit) >= 0.75 * n  # P(Binomial(40, 0.9) < 30) ~ 0.01
    assert sum(a.startswith("diff") for a in hit) <= 1


def test_minhash_collision_rate_matches_jaccard():
    """One band of one row collides with probability J (MinHash property), checked over many salts."""
    words = [f"tok{i}" for i in range(40)]
    a, b = set(words[:30]), set(words[10:])  # J = 20/40 = 0.5
    k = 400
    h = F.word_hashes(words, k)
    ma = np.min([h[w] for w in a], axis=0)
    mb = np.min([h[w] for w in b], axis=0)
    rate = float(np.mean(ma == mb))
    assert abs(rate - 0.5) < 3 * np.sqrt(0.25 / k)


@pytest.mark.parametrize("col", ["infra", "activity"])
def test_token_tables(col):
    t = _table([_row("a", 1767225600 + i * 60, "p", org_id="o1") for i in range(5)])
    if col == "infra":
        tok = F.infra_tokens(t).to_pandas()
        assert set(zip(tok.kind, tok.token, tok.n, strict=True)) == {("ip", "10.0.0.1", 5), ("net", "10.0.0", 5),
                                                                     ("org", "o1", 5)}
    else:
        act = F.activity(t).to_pandas()
        assert act["n"].sum() == 5 and len(act) == 1


def test_netblock_v4_v6():
    t = _table([_row("a", 1767225600, "p", ip="203.0.113.77"), _row("b", 1767225601, "p", ip="2001:db8:abcd:12::1")])
    nb = t.select("account_id", net=F.netblock(t.ip)).to_pandas().set_index("account_id")["net"]
    assert nb["a"] == "203.0.113" and nb["b"] == "2001:db8:abcd"


def test_style_shares_long_outputs_and_even_sample():
    t0 = 1767225600
    rows = [_row("harvest", t0 + 60 * i, f"explain topic {i} in full detail, leave nothing out",
                 completion_tokens=4000) for i in range(100)]
    rows += [_row("chatty", t0 + 60 * i, "user: hi\nassistant: hello\nuser: and what about that?" if i % 2 else
                  f"user: what is {i}", completion_tokens=50) for i in range(10)]
    t = _table(rows)
    assert F.completion_quantile(t, 0.5) == 4000 and F.completion_quantile(t, 0.05) == 50
    f = F.account_features(t, releases=[], long_tokens=1000).to_pandas().set_index("account_id")
    assert f.loc["harvest", "detail_share"] == 1.0 and f.loc["chatty", "detail_share"] == 0.0
    assert f.loc["harvest", "long_output_share"] == 1.0 and f.loc["chatty", "long_output_share"] == 0.0
    assert f.loc["chatty", "followup_share"] == 0.5 and f.loc["harvest", "followup_share"] == 0.0
    s = F.sample_prompts(t).to_pandas()
    h = s[s.account_id == "harvest"]
    # 100 prompts -> every 4th, spread over the whole history (not the first 32)
    assert len(h) == 25 and h["p"].str.contains("topic 96 ").any() and h["pid"].is_unique


def test_term_counts_count_prompts_per_word():
    rows = [_row("a", 1767225600 + i, f"alpha beta gamma {i}") for i in range(3)] + [_row("b", 1767225600, "alpha")]
    s = F.sample_prompts(_table(rows))
    u = F.prompt_words(s)
    vt, vocab = F.vocabulary(u)
    tc = F.term_counts(u, vt).to_pandas()
    assert vocab == sorted(vocab) and set(vocab) == {"alpha", "beta", "gamma"}
    got = {(r.account_id, vocab[r.term]): r.n for r in tc.itertuples()}
    assert got == {("a", "alpha"): 3, ("a", "beta"): 3, ("a", "gamma"): 3, ("b", "alpha"): 1}


def test_half_features_split_each_history_into_disjoint_alternating_blocks():
    t0 = 1767225600
    # 100 exchanges -> blocks of 4 (the sample's spacing): even blocks ask for detail and get long outputs
    rows = [_row("big", t0 + 60 * i, "explain this in full detail" if (i // 4) % 2 == 0 else "user: hi",
                 completion_tokens=4000 if (i // 4) % 2 == 0 else 50) for i in range(100)]
    # 10 exchanges -> blocks of 1: the halves alternate exchange by exchange; the new model only in half 1
    rows += [_row("small", t0 + 3600 * i, "user: what is this", model="new" if i % 2 else "m") for i in range(10)]
    t = _table(rows)
    s = F.sample_prompts(t)
    rel = F.Release("new", t0)
    h = F.half_features(t, s, long_tokens=1000, release=rel).to_pandas().set_index(["account_id", "half"])
    assert h.loc[("big", 0), "n"] == 52 and h.loc[("big", 1), "n"] == 48
    assert h.loc[("big", 0), "detail_share"] == 1.0 and h.loc[("big", 1), "detail_share"] == 0.0
    assert h.loc[("big", 0), "long_output_share"] == 1.0 and h.loc[("big", 1), "long_output_share"] == 0.0
    assert h.loc[("big", 0), "n_sampled"] + h.loc[("big", 1), "n_sampled"] == len(s.to_pandas().query("account_id == 'big'"))
    assert h.loc[("small", 0), "n"] == 5 and h.loc[("small", 1), "n"] == 5
    assert h.loc[("small", 0), "new_model_share_after"] == 0.0 and h.loc[("small", 1), "new_model_share_after"] == 1.0
    assert h.loc[("small", 1), "gap_mean"] == 3600.0
    no_rel = F.half_features(t, s, long_tokens=1000).to_pandas()
    assert no_rel["new_model_share_after"].isna().all()
