"""Functional white-box lineage test: does B's next-token distribution agree with A's more than controls' do?

This is the test that sees logit distillation into a freshly initialised student of another architecture, where no
weight is shared: such a student copies A's *function*, so on held-out text its next-token distributions sit closer
to A's than those of models trained on the same data without A.

Python API::

    from distillscope.models import load_model
    from distillscope.lineage.functional import functional_test
    ev = functional_test(load_model("hf:zoo/logit-distilled"), load_model("zoo:smollm2-135m-instruct"),
                         controls=[load_model("hf:zoo/control-corpus"), load_model("hf:zoo/control-other-teacher")])
    print(ev.p_value, ev.effect_size, ev.details["metrics"])

Per held-out text chunk and model M, three agreements with A are measured at every token position: KL(A || M),
the overlap of the top-10 tokens, and the Spearman correlation of M's log-probs over A's top-20 tokens.

The null: **B is exchangeable with the controls**, i.e. B is one more model trained like the controls without A.
Under that null B's mean agreement (over chunks) is one more draw from the controls' distribution, and the
prediction t ``(a_B - mean a_C) / (sd_C * sqrt(1 + 1/k))`` has ``k - 1`` degrees of freedom (exact for normally
distributed control scores). The unit that varies under this null is the *model* (its seed, its data order), so the
p-value can only be as strong as ``k`` controls allow; treating text chunks as independent (a sign-flip test of B
minus the mean control over chunks) would ignore the seed-to-seed spread of the controls and convict a control that
happens to agree with A a little more than its siblings. That chunk-level p-value is reported in ``details`` for
reading, not as the verdict. The three metrics are combined with Bonferroni (p = 3 · min p).

Choosing controls. The test answers "is B unlike the controls in the direction of A?", so the controls decide what
the answer means. Students trained with soft labels agree more with *any* teacher than hard-label controls do: with
the four tiny teachers of tests/lineage/test_functional.py, a student distilled from another teacher was convicted
against the candidate in 5 of 12 pairs when the controls were 5 hard-label students, and in none of the tested pairs
when the controls were students distilled from other teachers (which still detect the candidate's own student). Use students of other teachers (plus hard-label students) as
controls where you can, and 5 or more of them: the normal approximation across seeds is the weak point with few.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.lineage._align import (
    boundaries_from_end,
    prediction_test,
    rank_pvalue,
    same_tokenizer,
    shared_vocab,
)
from distillscope.models import require_white_box
from distillscope.stats import sign_flip_test

METRICS = ("kl", "top_overlap", "rank_corr")
MIN_SHARED_TOKENS = 200


def heldout_texts() -> list[str]:
    """The shipped held-out passages (written for this package; in no zoo model's training data)."""
    raw = (Path(__file__).parent / "data" / "heldout.txt").read_text()
    return [" ".join(p.split()) for p in raw.split("\n\n") if p.strip()]


@dataclass
class _Vocab:
    ref_ids: torch.Tensor  # candidate's ids of the compared tokens
    model_ids: list[torch.Tensor]  # per compared model, the same tokens' ids
    shared: bool  # every model uses the candidate's tokenizer
    n_ref: int


def _vocab(candidate: Any, models: Sequence[Any]) -> _Vocab:
    ref = candidate.tokenizer
    n_ref = len(ref)
    if all(same_tokenizer(ref, m.tokenizer) for m in models):
        n = min(n_ref, candidate.vocab_size, *(m.vocab_size for m in models))
        ids = torch.arange(n)
        return _Vocab(ids, [ids] * len(models), True, n_ref)
    ref_ids, others = shared_vocab(ref, [m.tokenizer for m in models])
    ok = ref_ids < candidate.vocab_size
    for m, o in zip(models, others):
        ok &= o < m.vocab_size
    smallest = min(len(m.tokenizer) for m in [candidate, *models])
    if ok.sum() < max(MIN_SHARED_TOKENS, 0.2 * smallest):
        raise InputError(
            f"The models' tokenizers share only {int(ok.sum())} tokens by string (the smallest vocabulary has "
            f"{smallest}), too "
            "few to compare next-token distributions. Compare models whose vocabularies overlap, or use the "
            "black-box test (lineage.blackbox), which compares generated text instead.")
    return _Vocab(torch.as_tensor(ref_ids[ok]), [torch.as_tensor(o[ok]) for o in others], False, n_ref)


def _chunks(candidate: Any, texts: Sequence[str], max_tokens: int, chunk_tokens: int, seed: int) -> list[str]:
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    out, used = [], 0
    for i in order:
        ids = candidate.encode(texts[i])[:chunk_tokens]
        if len(ids) < 4:
            continue
        out.append(texts[i] if len(ids) < chunk_tokens else candidate.tokenizer.decode(ids))
        used += len(ids)
        if used >= max_tokens:
            break
    return out


def _positions(models: Sequence[Any], text: str, shared: bool) -> tuple[list[list[int]], list[list[int]]]:
    """Per model, its token ids of ``text`` and the rows whose prefix ends at a boundary common to all models."""
    if shared:
        ids = models[0].encode(text)
        return [ids] * len(models), [list(range(len(ids)))] * len(models)
    ids = [m.encode(text) for m in models]
    bounds = [boundaries_from_end(m.tokenizer, i) for m, i in zip(models, ids)]
    common = set(bounds[0].tolist()).intersection(*(set(b.tolist()) for b in bounds[1:]))
    rows = []
    for b in bounds:
        where = {int(v): t for t, v in enumerate(b.tolist())}
        rows.append([where[v] for v in sorted(common, reverse=True)])
    return ids, rows


def _agreement(lp_a: torch.Tensor, lp_m: torch.Tensor, top_k: int, rank_k: int) -> dict[str, float]:
    """Mean over positions of KL(A||M), top-k overlap and Spearman over A's top tokens (rows = positions)."""
    kl = (lp_a.exp() * (lp_a - lp_m)).sum(-1)
    k = min(top_k, lp_a.shape[-1])
    ta, tm = lp_a.topk(k, -1).indices, lp_m.topk(k, -1).indices
    overlap = (ta[:, :, None] == tm[:, None, :]).any(-1).float().mean(-1)
    rk = min(rank_k, lp_a.shape[-1])
    idx = lp_a.topk(rk, -1).indices
    ra = lp_a.gather(-1, idx).argsort(-1).argsort(-1).float()
    rm = lp_m.gather(-1, idx).argsort(-1).argsort(-1).float()
    ra, rm = ra - ra.mean(-1, keepdim=True), rm - rm.mean(-1, keepdim=True)
    rho = (ra * rm).sum(-1) / (ra.norm(dim=-1) * rm.norm(dim=-1)).clamp(min=1e-12)
    return {"kl": float(kl.mean()), "top_overlap": float(overlap.mean()), "rank_corr": float(rho.mean())}


def _batched_rows(model: Any, ids: Sequence[list[int]], rows: Sequence[list[int]], batch: int = 8) -> list[torch.Tensor]:
    """Logits at the given rows of each sequence; sequences run in right-padded batches."""
    out = []
    for s in range(0, len(ids), batch):
        part = ids[s : s + batch]
        width = max(len(x) for x in part)
        pad = int(getattr(model.tokenizer, "pad_token_id", None) or 0)
        x = torch.tensor([list(q) + [pad] * (width - len(q)) for q in part])
        mask = torch.tensor([[1] * len(q) + [0] * (width - len(q)) for q in part])
        logits = model.logits(x, attention_mask=mask)
        for b, r in enumerate(rows[s : s + batch]):
            out.append(logits[b, r].float())
    return out


def agreement_table(candidate: Any, models: Sequence[Any], chunks: Sequence[str], vocab: _Vocab, top_k: int = 10,
                    rank_k: int = 20) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Each model's agreement with ``candidate``: ``({metric: [n_models, n_kept]}, positions, kept chunk indices)``.

    Chunks without a token boundary common to all models are dropped. ``candidate_mass`` (``[1, n_kept]``) is the
    candidate's mean probability on the compared tokens (1 when all models share its tokenizer).
    """
    pos = [_positions([candidate, *models], text, vocab.shared) for text in chunks]
    kept = np.array([i for i, (_, rows) in enumerate(pos) if rows[0]], dtype=int)
    pos = [pos[i] for i in kept]
    table = {m: np.full((len(models), len(kept)), np.nan) for m in METRICS}
    npos = np.array([len(rows[0]) for _, rows in pos], dtype=int)
    full = [torch.log_softmax(x, -1) for x in _batched_rows(candidate, [p[0][0] for p in pos], [p[1][0] for p in pos])]
    mass = np.array([[float(f[:, vocab.ref_ids].exp().sum(-1).mean()) for f in full]])
    lp_a = [torch.log_softmax(f[:, vocab.ref_ids], -1) for f in full]
    del full
    for j, m in enumerate(models):
        rows_m = _batched_rows(m, [p[0][j + 1] for p in pos], [p[1][j + 1] for p in pos])
        for c, r in enumerate(rows_m):
            lp_m = torch.log_softmax(r[:, vocab.model_ids[j]], -1)
            for name, v in _agreement(lp_a[c], lp_m, top_k, rank_k).items():
                table[name][j, c] = v
    table["candidate_mass"] = mass
    return table, npos, kept


def functional_test(suspect: Any, candidate: Any, controls: Sequence[Any], texts: Sequence[str] | None = None, *,
                    max_tokens: int = 2048, seed: int = 0, chunk_tokens: int = 64, top_k: int = 10,
                    rank_k: int = 20) -> Evidence:
    """Test whether ``suspect`` agrees with ``candidate``'s next-token distributions more than ``controls`` do.

    Args:
        suspect: model B (white-box).
        candidate: model A, the candidate teacher (white-box).
        controls: at least 2 models trained like B on the same data without A (white-box).
        texts: held-out text, never seen in training by any of them (default: :func:`heldout_texts`).
        max_tokens: budget of candidate tokens over all chunks.
        seed: which texts fill the budget (shuffle seed).
        chunk_tokens: tokens per chunk (a chunk is one text, cut to this length).
        top_k, rank_k: sizes for the top-k overlap and the rank correlation.

    Returns:
        Evidence ``lineage.functional``: statistic = prediction t of the most significant metric, p = Bonferroni over
        the three metrics, effect = relative KL reduction ``1 - KL(A||B) / mean KL(A||control)``.
    """
    suspect = require_white_box(suspect, "The functional lineage test")
    candidate = require_white_box(candidate, "The functional lineage test")
    controls = [require_white_box(c, "The functional lineage test") for c in controls]
    if len(controls) < 2:
        raise InputError(f"The functional test needs at least 2 control models (trained like the suspect without "
                         f"the candidate), got {len(controls)}; more controls give a stronger test.")
    models = [suspect, *controls]
    vocab = _vocab(candidate, models)
    chunks = _chunks(candidate, list(texts) if texts is not None else heldout_texts(), max_tokens, chunk_tokens, seed)
    if len(chunks) < 2:
        raise InputError("The functional test needs at least 2 held-out texts of 4 tokens or more.")
    with torch.no_grad():
        table, npos, kept = agreement_table(candidate, models, chunks, vocab, top_k, rank_k)
    if npos.size < 2:
        raise InputError("Fewer than 2 texts have token boundaries common to all models; give longer texts.")
    sign = {"kl": -1.0, "top_overlap": 1.0, "rank_corr": 1.0}  # higher agreement = more like A
    metrics = {}
    for name in METRICS:
        mean = table[name].mean(1) * sign[name]
        t, p, z = prediction_test(float(mean[0]), mean[1:])
        metrics[name] = {"suspect": float(table[name][0].mean()), "controls": table[name][1:].mean(1).tolist(),
                         "t": t, "p": p, "z": z, "rank_p": rank_pvalue(float(mean[0]), mean[1:])}
    best = min(METRICS, key=lambda m: metrics[m]["p"])
    p_value = min(1.0, len(METRICS) * metrics[best]["p"])
    mass = float(table["candidate_mass"].mean())
    kl_b, kl_c = metrics["kl"]["suspect"], float(np.mean(metrics["kl"]["controls"]))
    delta = table["kl"][1:].mean(0) - table["kl"][0]  # > 0 where B is closer to A than the mean control
    chunk_p = sign_flip_test(delta, n_perm=2000, seed=seed).p_value
    rank = 1 + (table["kl"][1:] < table["kl"][0]).sum(0)
    rows = [{"chunk": int(c), "text": chunks[c][:80], "positions": int(npos[i]), "kl_suspect": float(table["kl"][0, i]),
             "kl_controls_mean": float(table["kl"][1:, i].mean()), "delta_kl": float(delta[i]),
             "suspect_rank": int(rank[i])} for i, c in enumerate(kept[:200])]
    caveats = [
        (f"Null: B is exchangeable with the {len(controls)} controls. The prediction t has {len(controls) - 1} degrees "
        "of freedom and assumes the controls' mean agreement with A is roughly normal across training seeds; the "
        "exact rank p-value (details) cannot go below 1/(k+1)."),
        ("The controls must be trained like B (architecture, size, data, recipe) but without A: a B trained "
        "differently can differ from them for reasons other than A. In particular any soft-label student agrees "
        "more with every teacher than hard-label controls do; students distilled from other teachers make the "
        "strictest controls."),
        ("details.chunk_sign_flip_p treats text chunks as independent for these particular controls; it ignores "
        "seed-to-seed spread between models and is not a valid verdict for the null above."),
    ]
    if not vocab.shared:
        caveats.append(f"Tokenizers differ: distributions are compared on the {len(vocab.ref_ids)} tokens shared by "
                       f"string (of the candidate's {vocab.n_ref}), renormalised, at token boundaries common to all "
                       f"models; the candidate puts {mass:.0%} of its probability on them on average, the rest is "
                       "ignored.")
    return Evidence(
        name="lineage.functional",
        null="B agrees with A's next-token distributions no more than models trained like B without A (the controls)",
        statistic=metrics[best]["t"], p_value=p_value,
        effect_size=1.0 - kl_b / kl_c if kl_c > 0 else 0.0,
        effect_name="relative KL reduction: 1 - KL(A||B) / mean KL(A||control) on held-out text",
        params={"suspect": suspect.spec, "candidate": candidate.spec, "controls": [c.spec for c in controls],
                "n_chunks": int(npos.size), "n_positions": int(npos.sum()), "chunk_tokens": chunk_tokens,
                "top_k": top_k, "rank_k": rank_k, "seed": seed, "combine": "bonferroni over metrics",
                "shared_tokenizer": vocab.shared, "compared_tokens": len(vocab.ref_ids),
                "candidate_mass_compared": mass},
        caveats=caveats,
        details={"metrics": metrics, "most_significant": best, "chunk_sign_flip_p": chunk_p, "chunks": rows},
    )
