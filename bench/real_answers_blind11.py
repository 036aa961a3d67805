"""Rebuild the *blind11* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind11.py --mirrors DIR --out /elsewhere/blind11_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind11.py --raw DIR --out /elsewhere/blind11_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind11.py --sample /elsewhere/blind11_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind11.py --sample /elsewhere/blind11_unlic.jsonl.gz --labels blind11_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind11_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The twelfth real-answer corpus for the identity claim extractor, a blind set weighted towards what the extractor is
weakest on: long non-English self-descriptions (Spanish, Vietnamese, Russian, French first) and foreign claims. The
same source repository as blind8-10 (Jordine/model-name-identity, ``results_local/``), but **no answer blind8, blind9
or blind10 read**. Its windows are pages of the result files that none of their ``FILES`` cover: the OLMo 3 7B and
3.1 32B Instruct "who created you?" pages (ru/fr/es/vi/zh/ja/ko, where OLMo names OpenAI, DeepSeek or Anthropic as
its maker), their "are you OLMo 3 (.1) … Instruct?" pages in seven languages (OLMo denies it and names GPT-4o, GPT,
Llama 2/3, Qwen2.5 or Meta instead), the OLMo 3 7B English "are you ChatGPT / Claude / Gemini?" page (negations next
to foreign claims), OLMo's "what should I call you?" and "introduce yourself" pages, OLMo 3 7B Think's ru/fr/ja/ko
"who are you?" pages (untagged reasoning traces that plan a DeepSeek-R1 or Alibaba identity), Qwen3.5-0.8B's name
and "what model are you?" pages (ru/fr/es/vi answers that name OpenAI, LLaMA, Baidu, Google or Microsoft),
Qwen3-0.6B's fr/es/vi "who are you?" pages, gpt-oss-20b's vi/en/zh name page, and a model none of the earlier sets
read (Qwen3.6-35B-A3B, with reasoning traces).

Source (no licence stated, so **never commit the corpus**; only labels are committed): as blind8
(``real_answers_blind8.py`` describes the records); files pinned in ``FILES`` at the commit that holds each of them,
windows in ``FILES`` (character ranges of the decoded file, as read for labelling; a line that crosses a window's
edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace, an untagged trace ending in
``</think>`` (OLMo Think, Qwen3.6) or gpt-oss's ``analysis…assistantfinal`` channel text included), ``prompt`` the
user turn, ``lang`` the prompt's language unless the final answer (trace removed) is in another one, ``context``
``plain``.

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity``; ``--raw DIR`` reads
``DIR/<file name>``: the whole file as fetched (windows applied the same way), or an excerpt whose lines carry
``_window`` (and ``_commit``); lines of pinned windows only are kept. An excerpt's lines need only the fields the
builder reads (``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content``).
Ids depend only on the file, prompt, sample and condition (``blind11|name_identity_local|path|prompt|sample|
condition|turn``), never on the text. The sample and its halves come from ``sample()`` (blind8's sampler, seed 23):
every answer of the windows is taken; the seeded shuffle splits them into halves of equal size.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_answers_blind8 as b8
from real_answers_blind8 import C55, CA2, WindowSet

# file -> (the commit that holds it, the character windows [start, end) read for labelling); none overlaps a window
# of real_answers_blind8/9/10.FILES (tests/bench/test_real_answers_blind11.py checks it)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(288000, 304000), (336000, 352000), (352000, 368000),
                                                              (368000, 384000), (384000, 400000), (592000, 608000),
                                                              (608000, 624000), (624000, 640000), (640000, 656000),
                                                              (656000, 672000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(224000, 240000), (256000, 272000), (272000, 288000),
                                                                 (288000, 304000), (320000, 336000), (336000, 352000),
                                                                 (352000, 368000), (560000, 576000), (576000, 592000),
                                                                 (592000, 608000)]),
    "results_local/allenai__Olmo-3-7B-Think.jsonl": (C55, [(64000, 80000), (96000, 112000), (112000, 128000)]),
    "results_local/openai__gpt-oss-20b.jsonl": (CA2, [(64000, 80000)]),
    "results_local/Qwen__Qwen3-0.6B.jsonl": (CA2, [(48000, 64000), (64000, 80000)]),
    "results_local/Qwen__Qwen3.5-0.8B.jsonl": (CA2, [(64000, 80000), (80000, 96000), (96000, 112000),
                                                           (128000, 144000), (144000, 160000), (160000, 176000)]),
    "results_local/Qwen__Qwen3.6-35B-A3B.jsonl": (C55, [(48000, 64000), (80000, 96000), (112000, 128000)]),
}

# every answer of the windows is taken (quotas above the corpus size); (model, language) cells go round-robin
QUOTAS = {"name_identity_local": {"selfname": 1000, "named": 1000, "none": 1000}}
BLIND11 = WindowSet("blind11", FILES, 23, QUOTAS, "bench/real_answers_blind11.py", "u11")


def build(mirrors: Path | None = None, raw: Path | None = None) -> list[dict]:
    """The blind11 corpus rows (``real_answers_blind8.build`` with blind11's windows)."""
    return b8.build(mirrors, raw, BLIND11)


def sample(rows: list[dict], seed: int = 23) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; every answer), split at random into a dev and a test half of equal size."""
    return b8.sample(rows, seed, BLIND11)


def main(argv: list[str] | None = None) -> None:
    b8.main(argv, BLIND11, __doc__)


if __name__ == "__main__":
    main()
