"""Prompt sets for `verify`: the shipped informative set, user files, and the entropy ranking that chose it.

A prompt is informative for a two-sample test when the reference's completions of it are diverse: short,
open-ended prompts ("Name a color.") spread probability over many answers, so a distorted model moves visible
mass, while prompts with one right answer give every model the same completion. ``rank_by_entropy`` scores
candidates by the reference's mean next-token entropy over the first tokens of its answer;
``probes/verify/prompts.yaml`` holds the top candidates of ``probes/verify/candidates.txt`` under SmolLM2.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SET = "prompts.yaml"


def _data(name: str) -> Any:
    return resources.files("distillscope.probes.verify").joinpath(name)


def default_prompts() -> list[str]:
    """The shipped informative prompt set (see module docstring)."""
    doc = yaml.safe_load(_data(DEFAULT_SET).read_text(encoding="utf-8"))
    return [str(p["prompt"]) for p in doc["prompts"]]


def candidate_prompts() -> list[str]:
    return [ln.strip() for ln in _data("candidates.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]


def load_prompts(path: str | Path | None = None, field: str | None = None) -> list[str]:
    """Prompts from a file in any format of :mod:`distillscope.inputs` (single user messages); ``None`` gives the
    shipped set."""
    if path is None:
        return default_prompts()
    from distillscope.inputs import read_prompt_texts

    return read_prompt_texts(path, field)


def rank_by_entropy(reference: Any, prompts: Sequence[str], tokens: int = 8, seed: int = 0) -> list[tuple[str, float]]:
    """Candidates sorted by the reference's mean next-token entropy (nats) over the first ``tokens`` answer tokens.

    The answer is one sample of the reference at temperature 1; entropies are those of the full next-token
    distribution along it.
    """
    import torch

    from distillscope.models.base import GenRequest
    from distillscope.verify.scoring import Scorer

    sc = Scorer(reference)
    reqs = [GenRequest.chat(p, max_tokens=tokens, temperature=1.0, seed=seed) for p in prompts]
    comps = sc.ref.generate(reqs)
    out = []
    for r, c in zip(reqs, comps):
        ctx = sc.context_ids(r)
        ids = torch.tensor([ctx + list(c.token_ids or [])])
        with torch.no_grad():
            logits = sc.ref.logits(ids)[0, len(ctx) - 1 :]
        logp = torch.log_softmax(logits, -1)
        ent = float(-(logp.exp() * logp).sum(-1).mean())
        out.append((r.message_dicts[-1]["content"], ent))
    return sorted(out, key=lambda x: -x[1])
