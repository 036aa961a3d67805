"""Rebuild the *blind12* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind12.py --mirrors DIR --out /elsewhere/blind12_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind12.py --raw DIR --out /elsewhere/blind12_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind12.py --sample /elsewhere/blind12_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind12.py --sample /elsewhere/blind12_unlic.jsonl.gz --labels blind12_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind12_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The thirteenth real-answer corpus for the identity claim extractor, a blind set of the same source as blind8-11
(Jordine/model-name-identity, ``results_local/``) but **no answer blind8, blind9, blind10 or blind11 read**: its
windows are pages of the result files that none of their ``FILES`` cover. Most are pages of the ``shipped``
condition, which the earlier sets read little: OLMo 3 7B Instruct answering "who are you?", "what is your name?",
"what (language) model are you?" and "who made you?" in fr/es/vi/ru/ko/zh/ja (it names itself ChatGPT, GPT-4, Qwen, DeepSeek R1
or "OpenAI", and names OpenAI, Anthropic, DeepMind/Google, DeepSeek or a Microsoft "BingAI" project as its maker), and
OLMo 3.1 32B Instruct's name, "who are you?" and "who made you?" pages, where it names itself Olmo by Ai2 (no
alias-table name: answers without a claim, some naming Microsoft or Hugging Face as topics). Then the English "are you
Gemini / DeepSeek / Qwen / Claude?" pages of both OLMo models (negations next to foreign claims: "not Qwen, but
developed by Alibaba Cloud", "not DeepSeek; powered by OpenAI's GPT-4"), OLMo 3.1 32B's en/zh "who made you?" page,
and Qwen models the earlier sets read little: Qwen3-1.7B's ru/fr/es/vi "who are you?" pages (with ``<think>`` traces;
it calls itself Claude, made by "AnthroTech", DeepMind or OpenAI, now and then), Qwen3-4B/8B/14B (fr/es, ko/ru, vi/en,
with traces), Qwen3.5-2B's name pages (one answer calls itself Алиса) and gpt-oss-120b's zh/ja/ko/ru/fr/es name pages
(with its analysis channel).

Source (no licence stated, so **never commit the corpus**; only labels are committed): as blind8
(``real_answers_blind8.py`` describes the records); files pinned in ``FILES`` at the commit that holds each of them,
windows in ``FILES`` (character ranges of the decoded file, as read for labelling; a line that crosses a window's
edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace or gpt-oss's
``analysis…assistantfinal`` channel text included), ``prompt`` the user turn, ``lang`` the prompt's language unless
the final answer (trace removed) is in another one, ``context`` ``plain`` (the source's ``clean`` and ``shipped`` conditions
both hold the user turn only; the condition is part of the id).

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity``; ``--raw DIR`` reads
``DIR/<file name>``: the whole file as fetched (windows applied the same way), or an excerpt whose lines carry
``_window`` (and ``_commit``); lines of pinned windows only are kept. An excerpt's lines need only the fields the
builder reads (``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content``).
Ids depend only on the file, prompt, sample and condition (``blind12|name_identity_local|path|prompt|sample|
condition|turn``), never on the text. The sample and its halves come from ``sample()`` (blind8's sampler, seed 24):
every answer of the windows is taken; the seeded shuffle splits them into halves of equal size.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_answers_blind8 as b8
from real_answers_blind8 import C55, CA2, WindowSet

# file -> (the commit that holds it, the character windows [start, end) read for labelling); none overlaps a window
# of real_answers_blind8/9/10/11.FILES (tests/bench/test_real_answers_blind12.py checks it)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(672000, 688000), (832000, 848000), (848000, 864000),
                                                              (864000, 880000), (880000, 896000), (896000, 912000),
                                                              (912000, 928000), (928000, 944000), (960000, 976000),
                                                              (1136000, 1152000),
                                                              (1152000, 1168000), (1168000, 1184000),
                                                              (1184000, 1200000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(304000, 320000), (608000, 624000), (784000, 800000),
                                                                 (816000, 832000), (1104000, 1120000)]),
    "results_local/Qwen__Qwen3.5-2B.jsonl": (C55, [(48000, 64000), (64000, 80000)]),
    "results_local/Qwen__Qwen3-1.7B.jsonl": (CA2, [(48000, 64000), (64000, 80000), (80000, 96000)]),
    "results_local/Qwen__Qwen3-4B.jsonl": (CA2, [(64000, 80000)]),
    "results_local/Qwen__Qwen3-8B.jsonl": (C55, [(32000, 48000)]),
    "results_local/Qwen__Qwen3-14B.jsonl": (C55, [(80000, 96000)]),
    "results_local/openai__gpt-oss-120b.jsonl": (CA2, [(80000, 96000), (96000, 112000)]),
}

# every answer of the windows is taken (quotas above the corpus size); (model, language) cells go round-robin
QUOTAS = {"name_identity_local": {"selfname": 1000, "named": 1000, "none": 1000}}
BLIND12 = WindowSet("blind12", FILES, 24, QUOTAS, "bench/real_answers_blind12.py", "u12")


def build(mirrors: Path | None = None, raw: Path | None = None) -> list[dict]:
    """The blind12 corpus rows (``real_answers_blind8.build`` with blind12's windows)."""
    return b8.build(mirrors, raw, BLIND12)


def sample(rows: list[dict], seed: int = 24) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; every answer), split at random into a dev and a test half of equal size."""
    return b8.sample(rows, seed, BLIND12)


def main(argv: list[str] | None = None) -> None:
    b8.main(argv, BLIND12, __doc__)


if __name__ == "__main__":
    main()
