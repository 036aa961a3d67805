"""Black-box tokenizer identification from usage token counts: accuracy over the offline tokenizers, calls used.

Run:

    .venv/bin/python bench/tokenizer_id.py                 # simulated endpoints + real models served over HTTP
    .venv/bin/python bench/tokenizer_id.py --seeds 2 --no-real

Design. Every offline reference tokenizer (trained here, the zoo's tiny BPE, and SmolLM2's / all-MiniLM's / Gemma's
when installed) is served behind each of 4 chat templates (ChatML, Llama-2 [INST], "User: ... Assistant:", BERT
[CLS]/[SEP]) with a hidden system prompt on odd seeds; the endpoint reports the ``usage.prompt_tokens`` that its
tokenizer gives the rendered chat (``TokenCountModel``), and :func:`identify_tokenizer` (candidates = the whole
reference set, first probe and probe ties drawn from the seed) must name it. A trial is correct when the named
tokenizer is the served one, is consistent with every count and is not tied. Also printed: open-set rejection
(served tokenizer left out of the candidates: must come back inconsistent), variants with added special tokens
(must be named as their base), ``tokenizer_consistency`` with 10 calls for every served x claimed pair (relay
detection at alpha 0.01, false positives on honest pairs), and real zoo models served over HTTP
(``serve_in_thread`` + the ``openai:`` backend). A hard set adds near-duplicate candidates: byte BPEs trained on the
same shard with nested vocabularies.

Measured (2-core machine at load ~7, 98 s in all): 11 candidates; closed set 220/220 correct [95% CI 0.983, 1],
5.00 calls per identification (max 5 of 50); open set 11/11 flagged; variants 11/11; relays 110/110 caught at
alpha 0.01 in 10 calls, honest 0/11 flagged; hard set 20/20 in 5.25 calls (max 6); real tiny-llama, tiny-gpt2 and
SmolLM2-135M over HTTP named correctly in 5 calls each.

Rerun with Gemma-3-270M installed (12 candidates, gemma3 among them; load ~5.5, 72 s in all): closed set 240/240
[0.985, 1], 5.00 calls (max 5); open set 12/12; variants 12/12; relays 132/132 caught in 10 calls, honest 0/12;
hard set 20/20 in 5.30 calls (max 6); SmolLM2, tiny-llama, tiny-gpt2 over HTTP named in 5 calls each.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy import stats as st

from distillscope.lineage._tokprobe import TokenCountModel
from distillscope.lineage._tokref import (
    BERT,
    CHATML,
    INST,
    PLAIN,
    TokInfo,
    _train,
    corpus_lines,
    reference_set,
)
from distillscope.lineage.tokenizer import identify_tokenizer, tokenizer_consistency


def _ci(k: int, n: int) -> str:
    lo, hi = st.binomtest(k, n).proportion_ci(0.95, method="exact")
    return f"{k}/{n} = {k / n:.3f} [95% CI {lo:.3f}, {hi:.3f}]"


TEMPLATES = {"chatml": CHATML, "inst": INST, "plain": PLAIN, "bert": BERT}


def closed_set(refs: list[TokInfo], seeds: int, max_calls: int) -> None:
    ok, calls, wrong = 0, [], []
    t1 = time.perf_counter()
    for r in refs:
        for tname, tpl in TEMPLATES.items():
            for seed in range(seeds):
                m = TokenCountModel(r, tpl, system_prompt="You are a helpful assistant." if seed % 2 else None)
                res = identify_tokenizer(m, max_calls=max_calls, seed=seed)
                good = res.name == r.name and res.consistent and not res.tied
                ok += good
                calls.append(m.calls)
                if not good:
                    wrong.append((r.name, tname, seed, res.name, res.tied))
    n = len(calls)
    print(f"identification (closed set, {len(TEMPLATES)} templates x {seeds} seeds): accuracy {_ci(ok, n)}; "
          f"calls per identification mean {np.mean(calls):.2f}, max {max(calls)} (budget {max_calls}); "
          f"{(time.perf_counter() - t1) / n * 1000:.0f} ms each")
    for w in wrong[:10]:
        print("  wrong:", w)


def open_set_and_variants(refs: list[TokInfo]) -> None:
    rej = 0
    for i, r in enumerate(refs):
        res = identify_tokenizer(TokenCountModel(r, PLAIN), candidates=refs[:i] + refs[i + 1:], seed=i)
        rej += not res.consistent
    print(f"open set (served tokenizer not among the candidates): flagged inconsistent {_ci(rej, len(refs))}")
    fam = 0
    for i, r in enumerate(refs):
        v = TokInfo(r.name + "+tools", r.family, r.tok.__class__.from_str(r.tok.to_str()), r.chat_template)
        v.tok.add_special_tokens(["<tool_call>", "</tool_call>", "<think>"])
        res = identify_tokenizer(TokenCountModel(v, CHATML), seed=i)
        fam += res.name == r.name and res.consistent
    print(f"variants with added special tokens named as their base: {_ci(fam, len(refs))}")


def relays(refs: list[TokInfo]) -> None:
    det = fp = n_rel = n_hon = 0
    tl = list(TEMPLATES.values())
    for i, served in enumerate(refs):
        for j, claimed in enumerate(refs):
            ev = tokenizer_consistency(TokenCountModel(served, tl[(i + j) % 4], system_prompt="Hi."), claimed,
                                       calls=10)
            if i == j:
                n_hon += 1
                fp += ev.p_value < 0.01
            else:
                n_rel += 1
                det += ev.p_value < 0.01
    print(f"tokenizer_consistency, 10 calls: relays (served != claimed) caught at alpha 0.01 {_ci(det, n_rel)}; "
          f"honest endpoints flagged {_ci(fp, n_hon)}")


def hard_set(refs: list[TokInfo], seeds: int, max_calls: int) -> None:
    """Near-duplicates among the candidates: byte BPEs trained on the same shard with nested vocabularies."""
    lines = corpus_lines()[0::2]
    nested = [TokInfo(f"bytebpe-a-{v}", f"bytebpe-a-{v}", _train("bytebpe", lines, v), CHATML) for v in (700, 850, 950)]
    hard = refs + nested
    ok, calls = 0, []
    for r in [refs[0], *nested]:
        for seed in range(seeds):
            m = TokenCountModel(r, PLAIN, system_prompt="Hi." if seed % 2 else None)
            res = identify_tokenizer(m, max_calls=max_calls, candidates=hard, seed=seed)
            ok += res.name == r.name and res.consistent and not res.tied
            calls.append(m.calls)
    print(f"hard set (+3 nested byte BPEs of bytebpe-a, vocab 700/850/950, {len(hard)} candidates): accuracy "
          f"{_ci(ok, len(calls))}; calls mean {np.mean(calls):.2f}, max {max(calls)}")


def real_models(max_calls: int) -> None:
    from distillscope.errors import MissingModelError
    from distillscope.models import load_model
    from distillscope.serve import serve_in_thread

    expect = {"zoo:tiny-llama": "tiny-bpe-2k", "zoo:tiny-gpt2-s3": "tiny-bpe-2k",
              "zoo:smollm2-135m-instruct": "smollm2"}
    for spec, want in expect.items():
        try:
            model = load_model(spec)
        except MissingModelError:
            print(f"real {spec}: not installed, skipped")
            continue
        with serve_in_thread(model, name="served") as url:
            ep = load_model(f"openai:served@{url}", api_key_env="NONE")
            t2 = time.perf_counter()
            res = identify_tokenizer(ep, max_calls=max_calls)
            print(f"real {spec} over HTTP: named {res.name} (expected {want}; consistent {res.consistent}) in "
                  f"{res.calls} calls, {time.perf_counter() - t2:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5, help="probe-order seeds per tokenizer x template")
    ap.add_argument("--max-calls", type=int, default=50)
    ap.add_argument("--no-real", action="store_true", help="skip the real zoo models served over HTTP")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    refs = list(reference_set())
    print(f"candidates: {len(refs)} tokenizers: {', '.join(r.name for r in refs)} (loaded in "
          f"{time.perf_counter() - t0:.1f} s)")
    closed_set(refs, args.seeds, args.max_calls)
    open_set_and_variants(refs)
    relays(refs)
    hard_set(refs, args.seeds, args.max_calls)
    if not args.no_real:
        real_models(args.max_calls)
    print(f"total wall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
