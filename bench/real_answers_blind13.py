"""Rebuild the *blind13* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind13.py --mirrors DIR --out /elsewhere/blind13_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind13.py --raw DIR --out /elsewhere/blind13_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind13.py --sample /elsewhere/blind13_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind13.py --sample /elsewhere/blind13_unlic.jsonl.gz --labels blind13_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind13_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The fourteenth real-answer corpus for the identity claim extractor, a blind set of the same source as blind8-12
(Jordine/model-name-identity, ``results_local/``) but **no answer blind8, blind9, blind10, blind11 or blind12 read**:
its windows are pages of the result files that none of their ``FILES`` cover, chosen to reach the models the earlier
sets read little and a broad mix of languages. OLMo 3 7B Instruct's ``shipped`` "which language model are you?"
(fr/es/vi: "based on GPT-3.5/GPT-4 by OpenAI"), "introduce yourself" (en/zh/ja/ko/ru/fr/es: ChatGPT, GPT-3-based,
DeepSeek R1, "an OpenAI assistant", no name), "what should I call you?" (en/ru/fr/es: ChatGPT, Claude, Russian nicknames
such as Алиса offered to pick) and "which company developed you?" pages (ja/ko/ru/fr/es/vi: OpenAI as maker in
sentences without "I am" -- "my creators: OpenAI's researchers", "created and maintained by a team including OpenAI",
"a company such as OpenAI" -- and misread questions listing companies as topics); OLMo 3.1 32B Instruct's vi
introduce / en-zh call_you page, its en "are you DeepSeek / Qwen / Llama?" page (denials next to OpenAI claims,
"Llama" read as the animal) and two ``shipped`` pages where it names itself Olmo by Ai2 (no alias-table name; Hugging
Face as a host); OLMo 3 7B Think's ko/ru "who are you?" page (untagged traces; it calls itself DeepSeek-R1);
Qwen3-32B (ru/fr, fr/es, es/vi), Qwen3-14B (ru/fr), Qwen3-8B (fr/es), Qwen3.5-2B (ru/fr/es model), Qwen3.5-4B (ko/ru) and
Qwen3.5-35B-A3B (ja/ko, ko/ru) with ``<think>`` or untagged traces; gpt-oss-20b's ja/ko/ru, ru/fr/es and es/vi name
and en model pages and gpt-oss-120b's vi who / en / zh name page (with the analysis channel).

Source (no licence stated, so **never commit the corpus**; only labels are committed): as blind8
(``real_answers_blind8.py`` describes the records); files pinned in ``FILES`` at the commit that holds each of them,
windows in ``FILES`` (character ranges of the decoded file, as read for labelling; a line that crosses a window's
edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace, an untagged trace ending in
``</think>`` (OLMo Think, Qwen3.5) or gpt-oss's ``analysis…assistantfinal`` channel text included), ``prompt`` the user turn, ``lang`` the prompt's language unless
the final answer (trace removed) is in another one, ``context`` ``plain`` (the source's ``clean`` and ``shipped`` conditions
both hold the user turn only; the condition is part of the id).

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity``; ``--raw DIR`` reads
``DIR/<file name>``: the whole file as fetched (windows applied the same way), or an excerpt whose lines carry
``_window`` (and ``_commit``); lines of pinned windows only are kept. An excerpt's lines need only the fields the
builder reads (``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content``).
Ids depend only on the file, prompt, sample and condition (``blind13|name_identity_local|path|prompt|sample|
condition|turn``), never on the text. The sample and its halves come from ``sample()`` (blind8's sampler, seed 25):
every answer of the windows is taken; the seeded shuffle splits them into halves of equal size.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_answers_blind8 as b8
from real_answers_blind8 import C55, CA2, WindowSet

# file -> (the commit that holds it, the character windows [start, end) read for labelling); none overlaps a window
# of real_answers_blind8/9/10/11/12.FILES (tests/bench/test_real_answers_blind13.py checks it)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(976000, 992000), (992000, 1008000),
                                                              (1008000, 1024000), (1024000, 1040000),
                                                              (1040000, 1056000), (1056000, 1072000),
                                                              (1088000, 1104000), (1200000, 1216000),
                                                              (1216000, 1232000), (1232000, 1248000)]),
    "results_local/allenai__Olmo-3-7B-Think.jsonl": (C55, [(80000, 96000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(240000, 256000), (624000, 640000),
                                                                 (768000, 784000), (832000, 848000)]),
    "results_local/Qwen__Qwen3-14B.jsonl": (C55, [(48000, 64000)]),
    "results_local/Qwen__Qwen3-32B.jsonl": (C55, [(48000, 64000), (64000, 80000), (80000, 96000)]),
    "results_local/Qwen__Qwen3-8B.jsonl": (C55, [(64000, 80000)]),
    "results_local/Qwen__Qwen3.5-2B.jsonl": (C55, [(112000, 128000)]),
    "results_local/Qwen__Qwen3.5-35B-A3B.jsonl": (C55, [(32000, 48000), (48000, 64000)]),
    "results_local/Qwen__Qwen3.5-4B.jsonl": (C55, [(48000, 64000)]),
    "results_local/openai__gpt-oss-120b.jsonl": (CA2, [(64000, 80000)]),
    "results_local/openai__gpt-oss-20b.jsonl": (CA2, [(80000, 96000), (96000, 112000), (112000, 128000)]),
}

# every answer of the windows is taken (quotas above the corpus size); (model, language) cells go round-robin
QUOTAS = {"name_identity_local": {"selfname": 1000, "named": 1000, "none": 1000}}
BLIND13 = WindowSet("blind13", FILES, 25, QUOTAS, "bench/real_answers_blind13.py", "u13")


def build(mirrors: Path | None = None, raw: Path | None = None) -> list[dict]:
    """The blind13 corpus rows (``real_answers_blind8.build`` with blind13's windows)."""
    return b8.build(mirrors, raw, BLIND13)


def sample(rows: list[dict], seed: int = 25) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; every answer), split at random into a dev and a test half of equal size."""
    return b8.sample(rows, seed, BLIND13)


def main(argv: list[str] | None = None) -> None:
    b8.main(argv, BLIND13, __doc__)


if __name__ == "__main__":
    main()
