"""Rank the candidate prompts for `verify` by the reference's next-token entropy and regenerate the shipped set.

Run (about a minute on SmolLM2 with one thread; needs the reference installed):

    .venv/bin/python bench/verify_prompts.py                          # print the ranking
    .venv/bin/python bench/verify_prompts.py --write                  # also rewrite probes/verify/prompts.yaml

A prompt is informative for a two-sample test when the reference's completions of it are diverse: short,
open-ended prompts ("Name a color.") spread probability over many answers, so a distorted model moves visible
mass, while prompts with one right answer give every model the same completion. Each candidate of
``probes/verify/candidates.txt`` is scored by the reference's mean next-token entropy (nats) over the first
``--tokens`` tokens of one temperature-1 answer; the ``--keep`` highest become ``probes/verify/prompts.yaml``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import torch
import yaml

from distillscope.models import GenRequest, load_model
from distillscope.verify.scoring import Scorer

DESCRIPTION = (
    "Informative prompts for `distillscope verify`: the {keep} candidates of candidates.txt with the highest mean "
    "next-token entropy (nats, first {tokens} answer tokens, one temperature-1 sample) under {reference}, "
    "computed by bench/verify_prompts.py (rerun it with --write to regenerate this file).")


def candidate_prompts() -> list[str]:
    text = resources.files("distillscope.probes.verify").joinpath("candidates.txt").read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def rank_by_entropy(reference: Any, prompts: Sequence[str], tokens: int = 8, seed: int = 0) -> list[tuple[str, float]]:
    """Candidates sorted by the reference's mean next-token entropy (nats) over the first ``tokens`` answer tokens.

    The answer is one sample of the reference at temperature 1; entropies are those of the full next-token
    distribution along it.
    """
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", default="zoo:smollm2-135m-instruct")
    ap.add_argument("--tokens", type=int, default=8)
    ap.add_argument("--keep", type=int, default=25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", action="store_true", help="rewrite the package's probes/verify/prompts.yaml")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ranked = rank_by_entropy(load_model(args.reference), candidate_prompts(), args.tokens, args.seed)
    for i, (p, e) in enumerate(ranked):
        print(f"{'*' if i < args.keep else ' '} {e:6.3f}  {p}")
    if args.write:
        doc = {"description": DESCRIPTION.format(keep=args.keep, tokens=args.tokens, reference=args.reference),
               "reference": args.reference,
               "prompts": [{"prompt": p, "entropy": round(e, 3)} for p, e in ranked[: args.keep]]}
        path = Path(str(resources.files("distillscope.probes.verify").joinpath("prompts.yaml")))
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
