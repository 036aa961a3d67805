"""Radioactivity: did a suspect model learn from text watermarked with our key?

Two settings (after Sander et al., "Watermarking Makes Language Models Radioactive", 2024):

* **open** (white-box suspect sharing the watermarked model's tokenizer): run the suspect teacher-forced over
  texts (typically our own watermarked outputs, which the suspect may have trained on) and, at each position,
  score the suspect's most likely next token (``mode="greedy"``) or a token drawn from its distribution with a
  key-independent seed (``mode="sample"``). The suspect's green-list mass (expected hit rate of its whole
  next-token distribution) is reported as the effect size.
* **closed** (any model, black-box included): generate from the suspect, tokenize with the watermarked model's
  tokenizer and score the generated tokens.

Both deduplicate scored (context window, token) tuples across all texts and never score a tuple that occurs in
the text the suspect was shown (open: the prefix before the position; closed: the prompt), because a model can
copy such n-grams from its context without ever having trained on watermarked data. With those two rules every
scored tuple is, under the null, an independent Bernoulli(p0) draw per trial, so the p-value is the exact
binomial tail. In the closed setting ``count_cap`` > 1 also weighs each distinct tuple by how often the suspect
produced it (capped), with the exact weighted-binomial null: more power once the suspect's text repeats its likely
tuples (see :mod:`distillscope.watermark.scoring`). ``distillscope radioactivity SUSPECT --key ...`` runs either
setting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from distillscope.errors import InputError
from distillscope.evidence import Evidence
from distillscope.models.base import GenRequest, Model, is_white_box
from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.schemes import Scheme, make_scheme
from distillscope.watermark.scoring import HitCounts, count_hits, ngrams_of

NULL = "the suspect's outputs do not depend on watermark key {kid} (it was not trained on text watermarked with it)"


def _evidence(setting: str, config: WatermarkConfig, c: HitCounts, params: dict[str, Any],
              details: dict[str, Any], caveats: list[str]) -> Evidence:
    return Evidence(
        name=f"watermark.radioactivity.{setting}", null=NULL.format(kid=config.key_id), statistic=c.z,
        p_value=c.p_value, effect_size=(c.rate - c.p0) if c.trials else None,
        effect_name="watermark hit rate of the suspect's tokens minus its null expectation",
        params={**config.public_dict(), **params}, details={"counts": c.to_dict(), **details}, caveats=caveats)


@torch.no_grad()
def open_radioactivity(suspect: Any, texts: Sequence[str] | Sequence[Sequence[int]], config: WatermarkConfig,
                       vocab_size: int | None = None, mode: str = "greedy", exclude_context: bool = True,
                       dedup: bool = True, max_len: int = 512, seed: int = 0,
                       progress: Callable[[int], None] | None = None) -> Evidence:
    """Open-model radioactivity test (see module docstring).

    Args:
        suspect: a white-box :class:`~distillscope.models.WhiteBox` model with the watermarked model's tokenizer.
        texts: texts (tokenized by the suspect) or token id lists to read.
        config: the watermark key and scheme.
        vocab_size: the watermarked model's logits width (default: the suspect's).
        mode: ``"greedy"`` (score the suspect's top-1 token) or ``"sample"`` (a token drawn with ``seed``).
        exclude_context: skip tuples that already occur in the prefix the suspect reads.
        dedup: count each (window, token) tuple once over all texts.
    """
    if mode not in ("greedy", "sample"):
        raise InputError(f"mode must be 'greedy' or 'sample', got {mode!r}.")
    if not is_white_box(suspect):
        raise InputError(f"The open setting needs a white-box suspect (hf:/zoo:); {getattr(suspect, 'spec', suspect)}"
                         " is black-box: use closed_radioactivity / --setting closed.")
    v_suspect = suspect.vocab_size
    vocab = int(vocab_size or v_suspect)
    scheme: Scheme = make_scheme(config, vocab)
    counts = HitCounts(trials_per=scheme.trials, p0=scheme.p0)
    gen = torch.Generator().manual_seed(seed)
    mass_sum, mass_n, seen_ctx = 0.0, 0, set()
    for k, t in enumerate(texts):
        ids = suspect.encode(t) if isinstance(t, str) else [int(x) for x in t]
        ids = ids[:max_len]
        if len(ids) <= scheme.context:
            continue
        logits = suspect.logits([ids])[0]
        if logits.shape[-1] < vocab:
            raise InputError(f"The suspect's vocabulary ({logits.shape[-1]}) is smaller than the watermark's "
                             f"({vocab}): the open setting needs the same tokenizer; use the closed setting.")
        probs = torch.softmax(logits[:, :vocab], -1)
        ctx_ngrams: set[tuple[int, ...]] = set()
        for i in range(len(ids)):
            prefix = ids[: i + 1]  # the suspect has read ids[0..i] and predicts the next token
            if i >= scheme.context:  # the tuple ending at ids[i] is now part of the context
                ctx_ngrams.add(scheme.ngram(ids[:i], ids[i]))
            if len(prefix) < max(scheme.context, 1):
                continue
            tok = int(probs[i].argmax()) if mode == "greedy" else int(torch.multinomial(probs[i], 1, generator=gen))
            key = scheme.ngram(prefix, tok)
            if exclude_context and key in ctx_ngrams:
                counts.n_excluded += 1
                continue
            if dedup and key in counts.seen:
                counts.n_repeated += 1
                continue
            counts.add(key, scheme.hits(prefix, tok))
            window = key[:-1]
            if window not in seen_ctx and scheme.has_token_scores:
                seen_ctx.add(window)
                mass_sum += float((probs[i] * scheme.token_scores(prefix)).sum())
                mass_n += 1
        if progress is not None:
            progress(1)
    mass = mass_sum / mass_n if mass_n else None
    return _evidence(
        "open", config, counts,
        {"mode": mode, "exclude_context": exclude_context, "dedup": dedup, "n_texts": len(texts),
         "suspect": getattr(suspect, "spec", "")},
        {"green_mass": mass, "green_mass_windows": mass_n,
         "green_mass_excess": None if mass is None else mass - scheme.p0},
        ["Exact null assumes the suspect did not see these texts' watermark key in any other way.",
         ("green_mass is descriptive (mean over distinct context windows); the p-value comes from the scored "
          "tokens.")])


def closed_radioactivity(completions: Sequence[str] | Sequence[Sequence[int]], config: WatermarkConfig,
                         tokenizer: Any = None, vocab_size: int | None = None,
                         prompts: Sequence[str] | Sequence[Sequence[int]] = (), dedup: bool = True,
                         suspect_spec: str = "", max_scored: int | None = None, count_cap: int = 1) -> Evidence:
    """Closed-model radioactivity test on the suspect's generated ``completions`` (answers only, no prompts).

    Args:
        completions: the suspect's outputs (strings are tokenized with the watermarked model's ``tokenizer``).
        config: the watermark key and scheme.
        tokenizer: the watermarked model's tokenizer.
        vocab_size: the watermarked model's logits width (default ``len(tokenizer)``).
        prompts: the prompts the suspect answered (text or token ids); their n-grams are never scored.
        dedup: count each (window, token) tuple once over all completions.
        max_scored: token budget: score at most this many distinct tuples (in reading order; None: all).
            Power grows with the tuples scored: see :func:`tokens_needed`.
        count_cap: weigh each distinct tuple by min(its occurrences, count_cap), with the exact weighted-binomial
            null (:mod:`distillscope.watermark.scoring`); 1 (default) counts each tuple once. Worth it when the
            suspect's text repeats tuples a lot (long reads of a model with a small set of likely continuations).
    """
    if vocab_size is None:
        if tokenizer is None:
            raise InputError("closed_radioactivity needs the watermarked model's tokenizer or vocab_size.")
        vocab_size = len(tokenizer)
    scheme = make_scheme(config, vocab_size)

    def enc(x: str | Sequence[int]) -> list[int]:
        if isinstance(x, str):
            if tokenizer is None:
                raise InputError("String completions need the watermarked model's tokenizer.")
            return list(tokenizer(x, add_special_tokens=False)["input_ids"])
        return [int(v) for v in x]

    exclude: set[tuple[int, ...]] = set()
    for p in prompts:
        exclude |= ngrams_of(scheme, enc(p))
    counts = count_hits(scheme, [enc(c) for c in completions], dedup=dedup, exclude=exclude,
                        max_scored=max_scored, count_cap=count_cap)
    return _evidence("closed", config, counts,
                     {"dedup": dedup, "n_completions": len(completions), "n_prompts": len(prompts),
                      "suspect": suspect_spec, "max_scored": max_scored, "count_cap": count_cap}, {},
                     [("Only tuples absent from the prompts are scored; completions are tokenized with the "
                       "watermarked model's tokenizer.")])


def tokens_needed(excess: float, p0: float = 0.25, trials_per: int = 1, alpha: float = 1e-6,
                  power: float = 0.9) -> int:
    """Distinct tuples to score so that a suspect whose hit rate exceeds ``p0`` by ``excess`` gives p < ``alpha``
    with probability ``power`` (normal approximation to the binomial tail).

    A student trained on a fraction f of watermarked text inherits at most about f times the watermark's own
    excess hit rate (KGW delta = 2, gamma = 0.25 on fluent text: roughly +0.2 to +0.3), so 5% watermarked data
    means an excess near 0.01 to 0.015 and tens of thousands of tuples. The excess is not constant in the budget:
    once the read covers most of the tuples the suspect can produce, the excess over first occurrences falls (the
    rare tuples read last carry little of what it learned), so plan from an excess measured at the budget in
    question, or use ``count_cap`` > 1 (``bench/radioactivity.py --neural``).
    """
    from scipy import stats

    if excess <= 0:
        raise InputError(f"excess must be > 0, got {excess}.")
    p1 = min(p0 + excess, 1 - 1e-9)
    za, zb = stats.norm.isf(alpha), stats.norm.isf(1 - power)
    n = ((za * (p0 * (1 - p0)) ** 0.5 + zb * (p1 * (1 - p1)) ** 0.5) / excess) ** 2
    return int(-(-n // trials_per))


def closed_radioactivity_from_model(suspect: Model, prompts: Sequence[str], config: WatermarkConfig,
                                    tokenizer: Any, vocab_size: int | None = None, n_samples: int = 1,
                                    max_tokens: int = 128, temperature: float = 1.0,
                                    progress: Callable[[int], None] | None = None, count_cap: int = 1) -> Evidence:
    """Generate from ``suspect`` (any Model) on ``prompts`` and run :func:`closed_radioactivity` (``count_cap``:
    see there)."""
    reqs = [GenRequest.chat(p, max_tokens=max_tokens, temperature=temperature, seed_index=i)
            for p in prompts for i in range(n_samples)]
    outs = suspect.generate(reqs, progress=progress)
    return closed_radioactivity([o.text for o in outs], config, tokenizer=tokenizer, vocab_size=vocab_size,
                                prompts=list(prompts), suspect_spec=suspect.spec, count_cap=count_cap)
