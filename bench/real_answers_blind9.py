"""Rebuild the *blind9* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind9.py --mirrors DIR --out /elsewhere/blind9_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind9.py --raw DIR --out /elsewhere/blind9_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind9.py --sample /elsewhere/blind9_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind9.py --sample /elsewhere/blind9_unlic.jsonl.gz --labels blind9_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind9_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The tenth real-answer corpus for the identity claim extractor, the blind test of the rules written on blind8: the same
source repository as blind8 (Jordine/model-name-identity, ``results_local/``), but **no answer blind8 read**. Its
windows are pages of the result files that blind8's ``FILES`` do not cover: further into the OLMo 3 7B / 3.1 32B
Instruct files (the "what model / which language model are you?", "introduce yourself" and "which company developed
you?" prompts in 8 languages, and the Chinese cross-probes "你是Grok/Kimi/Mistral/Doubao吗？" and placebo names that lie
between blind8's two cross-probe pages), a later page of OLMo 3 7B Think, and models blind8 did not read at all
(Qwen3-1.7B/4B/14B/32B, Qwen3.5-2B/4B).

Source (no licence stated, so **never commit the corpus**; only labels are committed): as blind8
(``real_answers_blind8.py`` describes the records); files pinned in ``FILES`` at the commit that holds each of them,
windows in ``WINDOWS`` (character ranges of the decoded file, as read for labelling; a line that crosses a window's
edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace, or Qwen3.5's untagged trace
ending in ``</think>``, included), ``prompt`` the user turn, ``lang`` the prompt's language unless the final answer
(trace removed) is in another one, ``context`` ``plain``.

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity``; ``--raw DIR`` reads
``DIR/<file name>``: the whole file as fetched (windows applied the same way), or an excerpt whose lines carry
``_window`` (and ``_commit``); lines of pinned windows only are kept. An excerpt's lines need only the fields the
builder reads (``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content``).
Ids depend only on the file, prompt, sample and condition (``blind9|name_identity_local|path|prompt|sample|condition|
turn``), never on the text. The sample and its halves come from ``sample()`` (blind8's sampler, seed 21): every
answer of the windows is taken; the seeded shuffle splits them into halves of equal size.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_answers_blind8 as b8
from real_answers_blind8 import C55, CA2, WindowSet

# file -> (the commit that holds it, the character windows [start, end) read for labelling); none overlaps a window
# of real_answers_blind8.FILES (tests/bench/test_real_answers_blind9.py checks it)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(112000, 128000), (128000, 144000), (144000, 160000),
                                                              (160000, 176000), (176000, 192000), (192000, 208000),
                                                              (224000, 240000), (240000, 256000),
                                                              (400000, 416000), (416000, 432000), (432000, 448000),
                                                              (768000, 784000), (784000, 800000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(80000, 96000), (96000, 112000), (112000, 128000),
                                                                 (128000, 144000), (160000, 176000),
                                                                 (176000, 192000), (368000, 384000), (384000, 400000),
                                                                 (400000, 416000), (720000, 736000)]),
    "results_local/allenai__Olmo-3-7B-Think.jsonl": (C55, [(48000, 64000)]),
    "results_local/Qwen__Qwen3-1.7B.jsonl": (CA2, [(32000, 48000)]),
    "results_local/Qwen__Qwen3-4B.jsonl": (CA2, [(48000, 64000)]),
    "results_local/Qwen__Qwen3-14B.jsonl": (C55, [(64000, 80000)]),
    "results_local/Qwen__Qwen3-32B.jsonl": (C55, [(32000, 48000)]),
    "results_local/Qwen__Qwen3.5-2B.jsonl": (C55, [(16000, 32000), (80000, 96000), (96000, 112000)]),
    "results_local/Qwen__Qwen3.5-4B.jsonl": (C55, [(16000, 32000)]),
}

# every answer of the windows is taken (quotas above the corpus size); (model, language) cells go round-robin
QUOTAS = {"name_identity_local": {"selfname": 1000, "named": 1000, "none": 1000}}
BLIND9 = WindowSet("blind9", FILES, 21, QUOTAS, "bench/real_answers_blind9.py", "u9")


def build(mirrors: Path | None = None, raw: Path | None = None) -> list[dict]:
    """The blind9 corpus rows (``real_answers_blind8.build`` with blind9's windows)."""
    return b8.build(mirrors, raw, BLIND9)


def sample(rows: list[dict], seed: int = 21) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; every answer), split at random into a dev and a test half of equal size."""
    return b8.sample(rows, seed, BLIND9)


def main(argv: list[str] | None = None) -> None:
    b8.main(argv, BLIND9, __doc__)


if __name__ == "__main__":
    main()
