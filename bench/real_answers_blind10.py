"""Rebuild the *blind10* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind10.py --mirrors DIR --out /elsewhere/blind10_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind10.py --raw DIR --out /elsewhere/blind10_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind10.py --sample /elsewhere/blind10_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind10.py --sample /elsewhere/blind10_unlic.jsonl.gz --labels blind10_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind10_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The eleventh real-answer corpus for the identity claim extractor, the blind test of the rules written on blind9: the
same source repository as blind8 and blind9 (Jordine/model-name-identity, ``results_local/``), but **no answer blind8
or blind9 read**. Its windows are pages of the result files that neither ``real_answers_blind8.FILES`` nor
``real_answers_blind9.FILES`` cover: further pages of the OLMo 3 7B / 3.1 32B Instruct files (the "which language
model are you?", "introduce yourself", "what should I call you?", "which company developed you?" and "hi" prompts in
several languages), later pages of gpt-oss 20B/120B (fr/es/vi "who are you?"), Qwen3-0.6B (ko/ru) and Qwen3.5-0.8B
(es/vi), and a model neither read (Qwen3.5-35B-A3B, zh/ja).

Source (no licence stated, so **never commit the corpus**; only labels are committed): as blind8
(``real_answers_blind8.py`` describes the records); files pinned in ``FILES`` at the commit that holds each of them,
windows in ``FILES`` (character ranges of the decoded file, as read for labelling; a line that crosses a window's
edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace, Qwen3.5's untagged trace
ending in ``</think>`` or gpt-oss's ``analysis…assistantfinal`` channel text included), ``prompt`` the user turn,
``lang`` the prompt's language unless the final answer (trace removed) is in another one, ``context`` ``plain``.

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity``; ``--raw DIR`` reads
``DIR/<file name>``: the whole file as fetched (windows applied the same way), or an excerpt whose lines carry
``_window`` (and ``_commit``); lines of pinned windows only are kept. An excerpt's lines need only the fields the
builder reads (``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content``).
Ids depend only on the file, prompt, sample and condition (``blind10|name_identity_local|path|prompt|sample|
condition|turn``), never on the text. The sample and its halves come from ``sample()`` (blind8's sampler, seed 22):
every answer of the windows is taken; the seeded shuffle splits them into halves of equal size.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_answers_blind8 as b8
from real_answers_blind8 import C55, CA2, WindowSet

# file -> (the commit that holds it, the character windows [start, end) read for labelling); none overlaps a window
# of real_answers_blind8.FILES or real_answers_blind9.FILES (tests/bench/test_real_answers_blind10.py checks it)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(256000, 272000), (272000, 288000),
                                                              (448000, 464000), (464000, 480000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(144000, 160000), (192000, 208000),
                                                                 (208000, 224000), (416000, 432000)]),
    "results_local/openai__gpt-oss-20b.jsonl": (CA2, [(48000, 64000)]),
    "results_local/openai__gpt-oss-120b.jsonl": (CA2, [(48000, 64000)]),
    "results_local/Qwen__Qwen3-0.6B.jsonl": (CA2, [(32000, 48000)]),
    "results_local/Qwen__Qwen3.5-0.8B.jsonl": (CA2, [(48000, 64000)]),
    "results_local/Qwen__Qwen3.5-35B-A3B.jsonl": (C55, [(16000, 32000)]),
}

# every answer of the windows is taken (quotas above the corpus size); (model, language) cells go round-robin
QUOTAS = {"name_identity_local": {"selfname": 1000, "named": 1000, "none": 1000}}
BLIND10 = WindowSet("blind10", FILES, 22, QUOTAS, "bench/real_answers_blind10.py", "u10")


def build(mirrors: Path | None = None, raw: Path | None = None) -> list[dict]:
    """The blind10 corpus rows (``real_answers_blind8.build`` with blind10's windows)."""
    return b8.build(mirrors, raw, BLIND10)


def sample(rows: list[dict], seed: int = 22) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; every answer), split at random into a dev and a test half of equal size."""
    return b8.sample(rows, seed, BLIND10)


def main(argv: list[str] | None = None) -> None:
    b8.main(argv, BLIND10, __doc__)


if __name__ == "__main__":
    main()
