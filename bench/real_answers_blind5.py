"""Rebuild the *blind5* real-answer corpus (tests/identity/data/real/blind5_corpus.jsonl.gz) from git mirrors.

    python bench/real_answers_blind5.py --mirrors DIR [--out tests/identity/data/real/blind5_corpus.jsonl.gz]
    python bench/real_answers_blind5.py --sample blind5_corpus.jsonl.gz            # the seeded sample and its halves
    python bench/real_answers_blind5.py --sample blind5_corpus.jsonl.gz --labels blind5.labels.tsv --write DIR
        # write blind5_{dev,test}.tsv and .meta.tsv from the label file (id<TAB>gold_full)

A sixth real-answer corpus for the identity claim extractor (after ``real_answers_corpus.py``,
``real_answers_fresh.py`` and ``real_answers_blind{2,3,4}.py``), from repositories none of them used, built to
hold what the benchmark answers of the earlier corpora rarely have: **safety refusals** in which a deployed model
says who made it or whose policy it follows ("As an AI developed by OpenAI, I must comply with ...", "请注意，OpenAI
的使用是受到一定限制的"), answers to **jailbreak-style** prompts (instructions hidden in a translation task) in Chinese
and English, exaggerated-safety prompts that only look harmful, and GPT-4 **role-play** answers. DIR holds one bare
git directory per source, named ``owner+name``; every source is read at the pinned commit below and the output is
byte-for-byte reproducible (gzip header without name or time) with the same ``aliases.yaml`` (the selection scans
it: rebuild the committed corpus in a checkout of the commit that built it).

Sources (all licensed; every answer is a model output the repository committed):

- ``do_not_answer``: the responses of the Do-Not-Answer paper (Wang et al. 2023, Libr-AI/do-not-answer, Apache-2.0)
  to its 939 risky English instructions, answered by GPT-4, ChatGPT (gpt-3.5-turbo), Claude, ChatGLM2-6B,
  LLaMA-2-7B-chat and Vicuna-7B; read from kunishou/do-not-answer-ja, which commits the original repository's
  ``datasets/Response/response_*.csv`` unchanged under the same licence (the Japanese part of that repository is
  machine-translated prompts, not answers, and is left out);
- ``latent_jailbreak``: qiuhuachuan/latent-jailbreak (MIT), the Latent Jailbreak benchmark's responses (13 prompt
  templates P1-P13 that hide a toxic instruction inside a translation task, instruction before or after the task)
  of ChatGPT (gpt-3.5-turbo), ChatGLM2-6B and BELLE-7B-2M, in Chinese and English (``data/P*/MODEL/P*_*.json``); the
  repository's ``raw_data``/``human_annotated_data`` copies of the same answers are left out; exact repeats of an
  answer by the same model are kept once;
- ``xstest``: paul-rottger/exaggerated-safety (CC-BY-4.0), the XSTest v2 completions of GPT-4, Llama-2-70b-chat
  with and without its original system prompt and Mistral-7B-Instruct-v0.1 with and without a guardrail prompt to
  450 safe and unsafe prompts;
- ``gpteacher_rp``: teknium1/GPTeacher (MIT), the Roleplay-Instruct answers GPT-4 wrote in the role of a character
  (``Roleplay/roleplay-simple-deduped-roleplay-instruct.json``; ``context`` = ``roleplay``).

Selection (seeded): blind4's ``_pick_all_selfnamed`` per answer file (all answers that name a model or maker,
capped, half as many that speak of themselves as an AI, a uniform sample of the rest, plus every answer the cap left
out in which a name stands next to a first-person phrase: ``select`` = ``selfname``). ``lang`` is the answer's
language (``real_answers_blind4.lang_of``). The labelling sample and its halves come from ``sample()``: the fresh
sets' stratification (``selfname``/``named``/``none`` strata, round-robin over models) with blind5's quotas, which
favour the ``selfname`` stratum so that the set holds many claims.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import build_corpus, cli, write_labelled, write_labels_only
from real_answers_blind4 import _pick_all_selfnamed, blind4_family, lang_of
from real_answers_corpus import git_ls, git_show
from real_answers_fresh import sample as fresh_sample

SOURCES = {
    "do_not_answer": {"repo": "kunishou/do-not-answer-ja", "commit": "1380ff2ff5abad07e8aead79caa9757bb8d9f866",
                      "licence": "Apache-2.0 (Libr-AI/do-not-answer's responses, committed unchanged)", "lang": "en"},
    "latent_jailbreak": {"repo": "qiuhuachuan/latent-jailbreak", "commit": "e659ed787673fbf87c9b9ec0d83459af16587bf4",
                         "licence": "MIT", "lang": "zh"},
    "xstest": {"repo": "paul-rottger/exaggerated-safety", "commit": "d7bb5bd738c1fcbc36edd83d5e7d1b71a3e2d84d",
               "licence": "CC-BY-4.0", "lang": "en"},
    "gpteacher_rp": {"repo": "teknium1/GPTeacher", "commit": "481075123c29854bddb82655badeef6a438f2436",
                     "licence": "MIT", "lang": "en"},
}

# model id (lower case) -> (family, tuned_by): the models of these sources that blind4_family() does not place
BLIND5_FAMILIES = [
    (r"belle-7b", ("bloom", "belle")),  # BELLE-7B-2M tunes BLOOMZ-7b1-mt
]


def blind5_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in BLIND5_FAMILIES:
        if re.search(pat, m):
            return fam
    return blind4_family(model)


def _csv_answers(g: Path, commit: str, rng: random.Random, path_re: str, models: dict[str, str], prompt_col: str,
                 answer_col: str, cap_named: int, n_random: int) -> list[dict]:
    """The non-empty answers of every CSV file whose path matches ``path_re`` (group 1: a key of ``models``), one row
    each (``id`` column as ``n``, plain context), selected per file by :func:`_pick_all_selfnamed`."""
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(path_re, p)
        if not m or m.group(1) not in models:
            continue
        rows = []
        for d in csv.DictReader(io.StringIO(git_show(g, commit, p).decode("utf-8"))):
            ans = (d.get(answer_col) or "").strip()
            if ans:
                rows.append({"path": p, "model": models[m.group(1)], "prompt": d.get(prompt_col) or "",
                             "answer": ans, "n": d["id"], "lang": lang_of(ans), "context": "plain"})
        out += _pick_all_selfnamed(rows, rng, cap_named=cap_named, n_random=n_random)
    return out


DNA_MODELS = {"GPT4": "gpt-4", "ChatGPT": "gpt-3.5-turbo", "Claude": "claude", "ChatGLM2": "chatglm2-6b",
              "llama2-7b-chat": "llama-2-7b-chat", "vicuna-7b": "vicuna-7b"}


def do_not_answer(g: Path, commit: str, rng: random.Random) -> list[dict]:
    return _csv_answers(g, commit, rng, r"datasets/Response/response_([^/]+)\.csv", DNA_MODELS, "question", "response",
                        cap_named=60, n_random=80)


LJ_MODELS = {"ChatGPT": "gpt-3.5-turbo", "ChatGLM2-6B": "chatglm2-6b", "BELLE-7B-2M": "belle-7b-2m"}


def latent_jailbreak(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """Every answer of ``data/P*/MODEL/P*_{prefix,suffix}.json`` (``{target group: [{context, response, ...}]}``);
    the instruction hidden in a translation task makes these jailbreak contexts."""
    out = []
    seen: set[tuple[str, str]] = set()
    for p in git_ls(g, commit):
        m = re.fullmatch(r"data/(P\d+)/([^/]+)/\1_(prefix|suffix)\.json", p)
        if not m or m.group(2) not in LJ_MODELS:
            continue
        model, rows = LJ_MODELS[m.group(2)], []
        for group, items in sorted(json.loads(git_show(g, commit, p).decode("utf-8")).items()):
            for i, d in enumerate(items):
                ans = (d.get("response") or "").strip()
                if not ans or (model, ans) in seen:
                    continue
                seen.add((model, ans))
                rows.append({"path": p, "model": model, "prompt": d.get("context") or "", "answer": ans,
                             "n": f"{group}.{i}", "lang": lang_of(ans), "context": "jailbreak"})
        out += _pick_all_selfnamed(rows, rng, cap_named=10, n_random=10)
    return out


XSTEST_MODELS = {"gpt4": "gpt-4", "llama2orig": "llama-2-70b-chat+system-prompt", "llama2new": "llama-2-70b-chat",
                 "mistralinstruct": "mistral-7b-instruct-v0.1", "mistralguard": "mistral-7b-instruct-v0.1+guardrail"}


def xstest(g: Path, commit: str, rng: random.Random) -> list[dict]:
    return _csv_answers(g, commit, rng, r"model_completions/xstest_v2_completions_([a-z0-9]+)\.csv", XSTEST_MODELS,
                        "prompt", "completion", cap_named=20, n_random=60)


def gpteacher_rp(g: Path, commit: str, rng: random.Random) -> list[dict]:
    p = "Roleplay/roleplay-simple-deduped-roleplay-instruct.json"
    rows = []
    for i, d in enumerate(json.loads(git_show(g, commit, p).decode("utf-8"))):
        ans = (d.get("response") or "").strip()
        if ans:
            prompt = "\n".join(x for x in (d.get("instruction"), d.get("input")) if x)
            rows.append({"path": p, "model": "gpt-4", "prompt": prompt, "answer": ans, "n": i, "lang": lang_of(ans),
                         "context": "roleplay"})
    return _pick_all_selfnamed(rows, rng, cap_named=10, n_random=60)


READERS = {"do_not_answer": do_not_answer, "latent_jailbreak": latent_jailbreak, "xstest": xstest,
           "gpteacher_rp": gpteacher_rp}


def build(mirrors: Path, unlicensed: bool = False, seed: int = 20) -> list[dict]:
    return build_corpus("blind5", SOURCES, READERS, blind5_family, mirrors, unlicensed, seed)


# answers drawn per source and stratum for labelling (all where fewer)
QUOTAS = {"do_not_answer": {"selfname": 200, "named": 60, "none": 30},
          "latent_jailbreak": {"selfname": 151, "named": 100, "none": 30},
          "xstest": {"selfname": 30, "named": 30, "none": 30},
          "gpteacher_rp": {"selfname": 10, "named": 10, "none": 20}}
SOURCE_ORDER = ["do_not_answer", "latent_jailbreak", "xstest", "gpteacher_rp"]


def sample(rows: list[dict], seed: int = 20) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded, stratified by source and stratum, round-robin over models), split at random
    into a dev and a test half: the fresh builder's sampler with blind5's quotas and source order."""
    return fresh_sample(rows, seed, tag="blind5", quotas=QUOTAS, order=SOURCE_ORDER)


def write_sets(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labelled("blind5", "Do-Not-Answer, Latent Jailbreak, XSTest and GPTeacher role-play outputs", dev, test,
                   labels, out)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only("blind5", SOURCES, "bench/real_answers_blind5.py --mirrors DIR --unlicensed --out u5.jsonl.gz "
                      "and join by id.", dev, test, labels, out)


def main() -> None:
    cli("blind5", SOURCES, build, sample, write_sets, write_unlicensed, __doc__, "none (every blind5 source has one)")


if __name__ == "__main__":
    main()
