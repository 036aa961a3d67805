"""Weight and representation lineage tests that survive permutations, rescaling and the raw-cosine trap.

Python API::

    from distillscope.models import load_model
    from distillscope.lineage.weights import weight_test, representation_test
    a = load_model("zoo:smollm2-135m-instruct")
    ev = weight_test(load_model("hf:zoo/quantized"), a, null_models=[load_model("zoo:tiny-llama-s1"), ...])
    print(ev.p_value, ev.effect_size, ev.details["layers"])

**The trap.** The raw cosine of two models' flattened weights is high for unrelated models: norm weights sit near 1
and every model starts from the same init scale (:func:`raw_cosine` shows it). Nothing here compares raw weights.

**Weights** (:func:`weight_test`). Tokens shared by string align the embedding rows of A and B; the residual
dimensions of B are matched to A's by the Hungarian algorithm on the correlation of embedding columns (on the
smaller side when widths differ; signs too). In every transformer block the matrices that read from the residual
stream and those that write to it, for attention and MLP separately, are seen as representations of the residual
dimensions (rows = residual dims, columns = units). A block's representation joins the four groups (attention and
MLP, read and write; each scaled to unit trace), and A's and B's blocks are compared with the debiased linear CKA
(per-group CKAs are in the details). CKA is invariant to any permutation or rotation of the units (heads, MLP neurons) and to scale, and centred, so a
shared mean or init scale contributes nothing. Blocks are matched by relative depth. The overall statistic is the
mean CKA over blocks.

Nulls: (1) ``null_models``, models unrelated to the candidate, compared with it in exactly the same way; with
``k >= 2`` of them the prediction t (``k - 1`` df) gives z and p per block and overall (the overall statistic's own
null distribution, so the dependence between blocks needs no Fisher-type correction). (2) Random permutations of the
matched residual dimensions, the same permutation for all blocks at once. The second is a second trap: it is exact
only for models with independent random bases (fresh initialisations). Unrelated models *trained* on similar text
share token geometry; the alignment finds it and their block CKA sits far above the permutation null (0.3 to 0.75
against 0 for tiny GPT-2s trained here from different seeds). So the p-value exists only with null models (without
them ``p_value`` is None and the permutation z is descriptive): the null-model prediction test of the mean block CKA.

The embedding CKA over shared tokens (no residual alignment needed) is reported with its own null-model z and p in
``details`` but no longer enters the p-value: it measures the training data more than the weights. On the bench zoo,
models trained on one third of the corpus reach embedding CKA 0.92-0.985 with each other whatever their seed,
recipe or architecture, and 0.71-0.735 with models trained on another third; three null models of one recipe and
data spread by 0.002, so two unrelated scratch teachers (0.735) came out at z = 15 and p = 0.003, three of the four
false positives among 24 independent pairs. The block CKA of those pairs sat below the null models'.

**Representations** (:func:`representation_test`): debiased CKA between mean-pooled hidden states of A and B on
probe texts, per layer (matched by relative depth). Any two language models represent the same texts similarly, so
the only null is ``null_models``; without them the p-value is None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.lineage._align import cka_u, prediction_test, same_tokenizer, shared_vocab, u_centre
from distillscope.models import require_white_box
from distillscope.stats.permutation import permutation_pvalue

WRITERS = re.compile(r"(o_proj|out_proj|down_proj|c_proj|fc2|fc_out|wo|w2|dense_4h_to_h)$")
ATTENTION = re.compile(r"attn|attention")
MAX_ALIGN_TOKENS = 8192


def raw_cosine(a: Any, b: Any) -> float:
    """Cosine between the flattened weights of two models (every tensor both have with the same name and shape).

    This is the naive statistic that convicts unrelated models; it is here to show the trap, not to be used.
    """
    sa, sb = a.state_dict(), b.state_dict()
    dot = na = nb = 0.0
    for k, v in sa.items():
        w = sb.get(k)
        if w is not None and w.shape == v.shape and v.is_floating_point():
            x, y = v.double().flatten(), w.double().flatten()
            dot += float(x @ y)
            na += float(x @ x)
            nb += float(y @ y)
    if na == 0 or nb == 0:
        raise InputError("The two models share no tensor of the same name and shape to compare.")
    return dot / np.sqrt(na * nb)


def _blocks(module: Any) -> list[Any]:
    lists = [m for m in module.modules() if isinstance(m, torch.nn.ModuleList) and len(m) > 0]
    if not lists:
        raise InputError(f"No list of transformer blocks found in {type(module).__name__}.")
    return list(max(lists, key=lambda m: sum(p.numel() for p in m.parameters())))


def block_grams(block: Any, d: int) -> dict[str, torch.Tensor]:
    """Gram matrices over residual dimensions (``[d, d]``) of a block's reading/writing attention/MLP matrices."""
    feats: dict[str, list[torch.Tensor]] = {}
    for name, mod in block.named_modules():
        w = getattr(mod, "weight", None)
        if w is None or w.dim() != 2:
            continue
        w = w.detach().float()
        if type(mod).__name__ == "Conv1D":  # GPT-2 stores (in, out)
            w = w.T
        out_f, in_f = w.shape
        writer = bool(WRITERS.search(name))
        if writer and out_f == d:
            x = w
        elif in_f == d:
            x, writer = w.T, False
        elif out_f == d:
            x, writer = w, True
        else:
            continue
        kind = ("attn" if ATTENTION.search(name) else "mlp") + (".write" if writer else ".read")
        feats.setdefault(kind, []).append(x)
    return {k: (x := torch.cat(v, 1)) @ x.T for k, v in feats.items()}


class _Profile:
    """What the weight test needs from one model, computed once: embeddings, per-block Grams."""

    def __init__(self, model: Any) -> None:
        mod = model.module
        self.model = model
        self.emb = mod.get_input_embeddings().weight.detach().float()
        self.d = int(self.emb.shape[1])
        with torch.no_grad():
            self.grams = [block_grams(b, self.d) for b in _blocks(mod)]


def match_layers(n_a: int, n_b: int) -> list[tuple[int, int]]:
    """Pairs of layer indices matched by relative depth, one per layer of the shallower model."""
    if n_a <= n_b:
        return [(i, round(i * (n_b - 1) / max(1, n_a - 1))) for i in range(n_a)]
    return [(round(j * (n_a - 1) / max(1, n_b - 1)), j) for j in range(n_b)]


def _token_rows(a: Any, b: Any, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if same_tokenizer(a.tokenizer, b.tokenizer):
        ia = ib = np.arange(min(len(a.tokenizer), a.vocab_size, b.vocab_size))
    else:
        ia, (ib,) = shared_vocab(a.tokenizer, [b.tokenizer])
        ok = (ia < a.vocab_size) & (ib < b.vocab_size)
        ia, ib = ia[ok], ib[ok]
    if len(ia) < 100:
        raise InputError(f"The models share only {len(ia)} tokens by string: too few to align their embeddings. "
                         "Weight lineage needs overlapping vocabularies; use the functional or black-box tests.")
    if len(ia) > MAX_ALIGN_TOKENS:
        keep = np.sort(np.random.default_rng(seed).choice(len(ia), MAX_ALIGN_TOKENS, replace=False))
        ia, ib = ia[keep], ib[keep]
    return ia, ib


def align_residual(ea: torch.Tensor, eb: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hungarian matching of residual dims by |correlation| of embedding columns: (A dims, B dims, signs)."""
    za = (ea - ea.mean(0)) / ea.std(0).clamp(min=1e-8)
    zb = (eb - eb.mean(0)) / eb.std(0).clamp(min=1e-8)
    c = (za.T.double() @ zb.double() / ea.shape[0]).numpy()
    r, k = linear_sum_assignment(-np.abs(c))
    return r, k, np.where(c[r, k] < 0, -1.0, 1.0)


class _Pair:
    """A's and B's aligned, U-centred, unit-norm block Grams (flattened), one row per matched block.

    A block's Gram is the sum of its attention/MLP read/write group Grams, each scaled to unit trace, so every group
    weighs the same whatever its width or scale. Per-group CKAs are kept for the details table.
    """

    def __init__(self, a: _Profile, b: _Profile, seed: int) -> None:
        ia, ib = _token_rows(a.model, b.model, seed)
        ea, eb = a.emb[torch.as_tensor(ia)], b.emb[torch.as_tensor(ib)]
        self.embedding_cka = cka_u(ea, eb)
        r, k, s = align_residual(ea, eb)
        self.m = len(r)
        if self.m < 8:
            raise InputError(f"Only {self.m} residual dimensions can be matched; CKA needs at least 8.")
        self.layers = match_layers(len(a.grams), len(b.grams))
        ri, ki, sg = torch.as_tensor(r), torch.as_tensor(k), torch.as_tensor(s)
        flip = sg[:, None] * sg[None, :]
        self.groups: list[dict[str, float]] = []
        ua, ub = [], []
        for la, lb in self.layers:
            groups = sorted(set(a.grams[la]) & set(b.grams[lb]))
            if not groups:
                raise InputError(f"Blocks {la} (candidate) and {lb} (suspect) have no attention/MLP matrices in "
                                 "common to compare.")
            ga = [a.grams[la][g][ri][:, ri].double() for g in groups]
            gb = [b.grams[lb][g][ki][:, ki].double() * flip for g in groups]
            self.groups.append({g: _cos(u_centre(x), u_centre(y)) for g, x, y in zip(groups, ga, gb)})
            ka = u_centre(sum(x / x.trace().clamp(min=1e-30) for x in ga))
            kb = u_centre(sum(y / y.trace().clamp(min=1e-30) for y in gb))
            ua.append((ka / ka.norm().clamp(min=1e-30)).flatten())
            ub.append((kb / kb.norm().clamp(min=1e-30)).flatten())
        self.ua, self.ub = torch.stack(ua).float(), torch.stack(ub).float()

    def per_layer(self, perm: torch.Tensor | None = None) -> np.ndarray:
        """CKA per matched block (B's residual dims permuted by ``perm`` if given)."""
        if perm is None:
            return (self.ua * self.ub).sum(1).double().numpy()
        idx = (perm[:, None] * self.m + perm[None, :]).flatten()
        return (self.ua * self.ub[:, idx]).sum(1).double().numpy()


def _cos(x: torch.Tensor, y: torch.Tensor) -> float:
    nx, ny = float(x.norm()), float(y.norm())
    return 0.0 if nx == 0 or ny == 0 else float((x * y).sum()) / (nx * ny)


def _null_summary(obs_layers: np.ndarray, null_layers: list[np.ndarray]) -> tuple[dict, list[dict]]:
    overall = prediction_test(float(obs_layers.mean()), [float(x.mean()) for x in null_layers])
    per = []
    for i, v in enumerate(obs_layers):
        _t, p, z = prediction_test(float(v), [float(x[i]) for x in null_layers])
        per.append({"null_models_z": z, "null_models_p": p})
    return {"t": overall[0], "p": overall[1], "z": overall[2]}, per


def weight_test(suspect: Any, candidate: Any, *, null_models: Sequence[Any] = (), permutations: int = 200,
                seed: int = 0) -> Evidence:
    """Are B's weights derived from A's? Permutation-robust CKA of attention/MLP matrices per block.

    Args:
        suspect: model B (white-box).
        candidate: model A (white-box).
        null_models: models unrelated to A (>= 2 for a null-model p-value; compared with A the same way).
        permutations: random permutations of the matched residual dims for the permutation null.
        seed: seed of the token subsample and of the permutations.

    Returns:
        Evidence ``lineage.weights``: statistic = mean CKA over blocks; p (None without >= 2 null models) and effect
        (z against the null models, else the descriptive permutation z); ``details.layers`` = per block CKA, z, p.
    """
    suspect = require_white_box(suspect, "The weight lineage test")
    candidate = require_white_box(candidate, "The weight lineage test")
    nulls = [require_white_box(n, "The weight lineage test") for n in null_models]
    if permutations < 1:
        raise InputError(f"permutations must be >= 1, got {permutations}.")
    prof_a, prof_b = _Profile(candidate), _Profile(suspect)
    pair = _Pair(prof_a, prof_b, seed)
    obs = pair.per_layer()
    stat = float(obs.mean())
    gen = torch.Generator().manual_seed(seed)
    perm = np.stack([pair.per_layer(torch.randperm(pair.m, generator=gen)) for _ in range(permutations)])
    p_perm = permutation_pvalue(stat, perm.mean(1), "greater")
    sd = perm.std(0).clip(min=1e-12)
    z_perm = float((stat - perm.mean()) / max(float(perm.mean(1).std()), 1e-12))
    layers = [{"candidate_layer": la, "suspect_layer": lb, "cka": float(obs[i]), "groups": pair.groups[i],
               "perm_z": float((obs[i] - perm[:, i].mean()) / sd[i]),
               "perm_p": permutation_pvalue(float(obs[i]), perm[:, i], "greater")}
              for i, (la, lb) in enumerate(pair.layers)]
    details: dict[str, Any] = {"layers": layers[:200], "embedding_cka": pair.embedding_cka, "matched_dims": pair.m,
                               "perm_p": p_perm, "perm_z": z_perm}
    caveats = [("The permutation null (details.perm_p) holds only for models with independent random bases (e.g. "
                "two fresh initialisations): unrelated models trained on similar text share token geometry, which the "
                "residual alignment picks up, and reach perm_p at its floor (measured: every unrelated trained tiny pair "
                "here). The verdict therefore rests on the null models.")]
    p_value: float | None = None
    effect, effect_name = z_perm, "z of the mean block CKA against random residual permutations (descriptive)"
    if len(nulls) >= 2:
        null_profiles = [_Profile(n) for n in nulls]
        null_pairs = [_Pair(prof_a, p, seed) for p in null_profiles]
        if any(p.d != prof_b.d or len(p.grams) != len(prof_b.grams) for p in null_profiles):
            caveats.append("Some null models differ in width or depth from the suspect; CKA's spread depends on the "
                           "number of matched dimensions, so null models shaped like the suspect calibrate best.")
        null_layers = []
        for npair in null_pairs:
            v = np.full(len(pair.layers), np.nan)
            nl = npair.per_layer()
            for i, (la, _) in enumerate(pair.layers):  # the null model's block at the same candidate layer
                j = [k for k, (ka, _) in enumerate(npair.layers) if ka == la]
                v[i] = nl[j[0]] if j else np.nan
            null_layers.append(np.nan_to_num(v, nan=float(np.nanmean(nl))))
        summary, per = _null_summary(obs, null_layers)
        for row, extra in zip(layers, per):
            row.update(extra)
        emb = prediction_test(pair.embedding_cka, [q.embedding_cka for q in null_pairs])
        details.update({"null_models": [n.spec for n in nulls], "null_models_t": summary["t"],
                        "null_models_p": summary["p"], "null_models_z": summary["z"],
                        "null_mean_cka": [float(x.mean()) for x in null_layers],
                        "embedding_null_models_z": emb[2], "embedding_null_models_p": emb[1]})
        p_value = summary["p"]
        effect, effect_name = summary["z"], "z of the mean block CKA against the null models (in their SDs)"
        caveats.append(f"p = prediction test of the mean block CKA against {len(nulls)} null models ({len(nulls) - 1} "
                       "df). The embedding CKA's z and p (details) are descriptive: token geometry follows the "
                       "training data, so unrelated models trained on the same text as the candidate, or null models "
                       "all trained on one other sample, move it without any weight in common. The null models "
                       "should be trained on data like the suspect's.")
    else:
        caveats.append("No p-value: pass at least 2 models unrelated to the candidate (ideally shaped and trained "
                       "like the suspect, 5 or more) as null_models.")
    if prof_a.d != prof_b.d or len(prof_a.grams) != len(prof_b.grams):
        caveats.append(f"Shapes differ: compared {pair.m} matched residual dims and {len(pair.layers)} blocks matched "
                       "by relative depth.")
    return Evidence(
        name="lineage.weights",
        null="B's weights are no more similar to A's than those of models unrelated to A (the null models)",
        statistic=stat, p_value=p_value, effect_size=effect, effect_name=effect_name,
        params={"suspect": suspect.spec, "candidate": candidate.spec, "permutations": permutations, "seed": seed,
                "statistic": "mean debiased CKA over blocks of attention/MLP read/write matrices",
                "combine": "mean over blocks (its own null distribution); the embedding CKA is descriptive"},
        caveats=caveats, details=details,
    )


# --- representations ----------------------------------------------------------------------------------------


def layer_states(model: Any, texts: Sequence[str], max_tokens: int = 64) -> list[torch.Tensor]:
    """Mean-pooled output of every transformer block for each text: list over blocks of ``[n_texts, d]``.

    Block outputs are read with temporary forward hooks (removed afterwards), which works for any architecture.
    """
    captured: list[torch.Tensor] = []

    def hook(_mod: Any, _inp: Any, out: Any) -> None:
        h = out[0] if isinstance(out, (tuple, list)) else out
        captured.append(h[0].detach().float().mean(0))

    handles = [b.register_forward_hook(hook) for b in _blocks(model.module)]
    rows: list[list[torch.Tensor]] = []
    try:
        for t in texts:
            ids = model.encode(t)[:max_tokens] or [int(model.tokenizer.eos_token_id or 0)]
            captured.clear()
            model.logits([ids])
            rows.append(list(captured))
    finally:
        for h in handles:
            h.remove()
    return [torch.stack([r[i] for r in rows]) for i in range(len(rows[0]))]


def _rep_layers(sa: list[torch.Tensor], sb: list[torch.Tensor]) -> tuple[list[tuple[int, int]], np.ndarray]:
    pairs = match_layers(len(sa), len(sb))
    return pairs, np.array([cka_u(sa[i], sb[j]) for i, j in pairs])


def representation_test(suspect: Any, candidate: Any, texts: Sequence[str] | None = None, *,
                        null_models: Sequence[Any] = (), seed: int = 0, max_texts: int = 64,
                        candidate_peers: Sequence[Any] = ()) -> Evidence:
    """Are B's hidden representations of probe texts closer to A's than unrelated models' are?

    The null models' side asks whether CKA(A, B) exceeds CKA(A, N) for models N unrelated to A; it is valid when
    the N are peers of B (trained like B): a B of another kind than the N (a 135M model against tiny controls)
    can sit closer to *any* model than they do. With ``candidate_peers`` (>= 2 models trained like A, unrelated to
    B) a second side asks whether CKA(A, B) exceeds CKA(P, B); the p-value is then the larger of the two
    (rejected only when both reject), valid when either set holds true peers, as in
    :mod:`distillscope.lineage.blackbox`. On the bench zoo, SmolLM2 derivatives against a scratch teacher (another
    tokenizer) were 8 of the 9 representation false positives with the null-models side alone.

    Args:
        suspect, candidate: models B and A (white-box).
        texts: probe texts (default: the shipped held-out passages).
        null_models: models unrelated to A (peers of B); with >= 2 of them a p-value (prediction t) is given.
        seed: which texts are used when there are more than ``max_texts``.
        max_texts: number of probe texts (the examples of the CKA).
        candidate_peers: models trained like A and unrelated to B, for the second side (none: one side only).
    """
    from distillscope.lineage.functional import heldout_texts

    suspect = require_white_box(suspect, "The representation lineage test")
    candidate = require_white_box(candidate, "The representation lineage test")
    nulls = [require_white_box(n, "The representation lineage test") for n in null_models]
    texts = list(texts) if texts is not None else heldout_texts()
    if len(texts) > max_texts:
        idx = np.sort(np.random.default_rng(seed).choice(len(texts), max_texts, replace=False))
        texts = [texts[i] for i in idx]
    if len(texts) < 8:
        raise InputError(f"The representation test needs at least 8 probe texts, got {len(texts)}.")
    sa, sb = layer_states(candidate, texts), layer_states(suspect, texts)
    pairs, obs = _rep_layers(sa, sb)
    stat = float(obs.mean())
    layers = [{"candidate_layer": i, "suspect_layer": j, "cka": float(v)} for (i, j), v in zip(pairs, obs)]
    details: dict[str, Any] = {"layers": layers[:200], "n_texts": len(texts)}
    caveats = [("Hidden states of any two language models on the same texts are similar (CKA is high even for "
               "unrelated models); only the null models calibrate it.")]
    p_value: float | None = None
    effect: float | None = None
    if len(nulls) >= 2:
        null_layers = []
        for n in nulls:
            npairs, nv = _rep_layers(sa, layer_states(n, texts))
            by_a = {i: v for (i, _), v in zip(npairs, nv)}
            null_layers.append(np.array([by_a.get(i, float(nv.mean())) for i, _ in pairs]))
        summary, per = _null_summary(obs, null_layers)
        for row, extra in zip(layers, per):
            row.update(extra)
        p_value, effect = summary["p"], summary["z"]
        details.update({"null_models": [n.spec for n in nulls], "null_mean_cka": [float(x.mean()) for x in null_layers],
                        "null_models_t": summary["t"], "p_null_models": p_value})
        caveats.append(f"Prediction t with {len(nulls) - 1} df over the null models (normal approximation).")
        peers = [require_white_box(n, "The representation lineage test") for n in candidate_peers]
        if len(peers) >= 2:
            peer_cka = [float(_rep_layers(layer_states(n, texts), sb)[1].mean()) for n in peers]
            _t, p_peer, z_peer = prediction_test(stat, peer_cka)  # CKA(A, B) against CKA(P, B)
            details.update({"candidate_peers": [n.spec for n in peers], "peer_mean_cka": peer_cka,
                            "p_candidate_peers": p_peer, "candidate_peers_z": z_peer})
            side = "candidate-peers" if p_peer > p_value else "null-models"
            caveats.append(f"p = max(null-models side {p_value:.3g}, candidate-peers side {p_peer:.3g}): the {side} "
                           "side decides; valid when either set holds true peers.")
            if p_peer > p_value:
                p_value, effect = p_peer, z_peer
    else:
        caveats.append("No p-value: pass >= 2 models unrelated to the candidate as null_models.")
    return Evidence(
        name="lineage.representations",
        null="B's representations of the probe texts are no closer to A's than unrelated models' are",
        statistic=stat, p_value=p_value, effect_size=effect,
        effect_name="z of the mean layer CKA against the null models (in their SDs)",
        params={"suspect": suspect.spec, "candidate": candidate.spec, "seed": seed,
                "statistic": "mean debiased CKA of mean-pooled hidden states over matched layers"},
        caveats=caveats, details=details,
    )
