"""Rebuild the *blind6* real-answer corpus (tests/identity/data/real/blind6_corpus.jsonl.gz) from git mirrors.

    python bench/real_answers_blind6.py --mirrors DIR [--out tests/identity/data/real/blind6_corpus.jsonl.gz]
    python bench/real_answers_blind6.py --sample blind6_corpus.jsonl.gz            # the seeded sample and its halves
    python bench/real_answers_blind6.py --sample blind6_corpus.jsonl.gz --labels blind6.labels.tsv --write DIR
        # write blind6_{dev,test}.tsv and .meta.tsv from the label file (id<TAB>gold_full)

A seventh real-answer corpus for the identity claim extractor (after ``real_answers_corpus.py``,
``real_answers_fresh.py`` and ``real_answers_blind{2,3,4,5}.py``), from repositories none of them used, built for
**non-English answers**: Chinese safety refusals in which GPT-3.5/GPT-4 say who made them, and a deployed model's
answers to multi-turn jailbreak dialogues in fifteen languages (Russian,
German, French, Spanish, Portuguese, Italian, Turkish, Indonesian, Japanese, Korean, Chinese, Czech, Dutch, Polish,
Romanian). DIR holds one bare git directory per source, named ``owner+name``; every source is read at the pinned
commit below and the output is byte-for-byte reproducible (gzip header without name or time) with the same
``aliases.yaml`` (the selection scans it: rebuild the committed corpus in a checkout of the commit that built it).

Sources (licensed; every answer is a model output the repository committed):

- ``cipherchat``: RobustNLP/CipherChat (MIT), the CipherChat paper's (Yuan et al. 2023) logged Chinese answers of
  GPT-3.5-turbo-0613 and GPT-4-0613 to the toxic questions of eleven safety domains
  (``experimental_results/results_on_multi_domains``) and of Claude 2 (web; ``other_models``), in the two runs
  without a cipher: ``baseline`` (the question alone; ``context`` = ``plain``) and ``unchange`` (the cipher system
  prompt with toxic demonstrations, plain text: ``jailbreak``). The result files are torch-saved pickles; they are
  read with an unpickler that turns every class they name into an inert object (nothing is imported or run). The
  model's turn is logged twice (decoded, then as sent); it is kept once. Cipher-encoded runs and English are left out;
  exact repeats of an answer in one file are kept once;

- ``mhj_apertus``: hyunjun1121/Judge-Capacity-Beats-Template-Language (data CC BY-NC 4.0, code MIT, as its README
  states), the answers of Apertus-70B (swiss-ai/Apertus-70B-2509, Apache-2.0) to the 382 multi-turn human
  jailbreaks of Scale AI's MHJ set machine-translated into 16 languages
  (``data/evaluation_results/final_results/{lang}_complete.json``: ``[{turns: [{content, llm_response}]}]``),
  every turn's answer; the Arabic file is left out (it is not stored in the mirror), and the judges' evaluations
  are not read. ``context`` is ``jailbreak``.

Selection (seeded): blind4's ``_pick_all_selfnamed`` per language file (all answers that name a model or maker,
capped, half as many that speak of themselves as an AI, a uniform sample of the rest, plus every answer the cap left
out in which a name stands next to a first-person phrase: ``select`` = ``selfname``); exact repeats of an answer in
one file are kept once. ``lang`` is the file's language unless the answer reads as English
(``real_answers_blind4.lang_of`` for scripts; the English-word share for Latin-script languages). The labelling
sample and its halves come from ``sample()``: the fresh sets' stratification (``selfname``/``named``/``none``) with
blind6's quotas, round-robin over the answer languages (the source has one answering model).
"""

from __future__ import annotations

import io
import json
import pickle
import random
import re
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import build_corpus, cli, write_labelled, write_labels_only
from real_answers_blind4 import _EN_WORDS, _pick_all_selfnamed, blind4_family, lang_of
from real_answers_corpus import git_ls, git_show
from real_answers_fresh import sample as fresh_sample

SOURCES = {
    "cipherchat": {"repo": "RobustNLP/CipherChat", "commit": "540b95e6afb54e7776f08ae2c094f9d7ff7e7b1f",
                   "licence": "MIT", "lang": "zh"},
    "mhj_apertus": {"repo": "hyunjun1121/Judge-Capacity-Beats-Template-Language",
                    "commit": "9f2556a0421f2eeaf7bb1fe016ddb3d193c225b5",
                    "licence": "CC-BY-NC-4.0 (data; code MIT)", "lang": "multi"},
}

# file language code -> the corpus's language id
MHJ_LANGS = {"rus.Cyrl": "ru", "deu.Latn": "de", "fra.Latn": "fr", "spa.Latn": "es", "por.Latn": "pt",
             "ita.Latn": "it", "tur.Latn": "tr", "ind.Latn": "id", "jpn.Jpan": "ja", "kor.Hang": "ko",
             "cmn.Hani": "zh", "ces.Latn": "cs", "nld.Latn": "nl", "pol.Latn": "pl", "ron.Latn": "ro"}

# model id (lower case) -> (family, tuned_by): the models of these sources that blind4_family() does not place
BLIND6_FAMILIES = [
    (r"apertus", ("apertus", None)),  # swiss-ai's own pretrained family, not in the alias table
]


def blind6_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in BLIND6_FAMILIES:
        if re.search(pat, m):
            return fam
    return blind4_family(model)


def answer_lang(text: str, lang: str) -> str:
    """``lang`` (the file's language) unless the answer is in another script or reads as plain English: the script
    decides (``lang_of``: zh/ja/ko/ru); a Latin-script answer in a file of another script is ``en``, one in a
    Latin-script language's file is that language unless its share of common English words says English."""
    got = lang_of(text)
    if got != "en" or lang in ("ru", "ja", "ko", "zh"):
        return got
    words = max(1, len(text.split()))
    return "en" if len(_EN_WORDS.findall(text)) / words > 0.08 else lang


def mhj_apertus(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"data/evaluation_results/final_results/([a-z]{3}\.[A-Za-z]{4})_complete\.json", p)
        if not m or m.group(1) not in MHJ_LANGS:
            continue
        rows, seen = [], set()
        for e in json.loads(git_show(g, commit, p).decode("utf-8")):
            for t in e.get("turns") or []:
                ans = (t.get("llm_response") or "").strip()
                if not ans or ans in seen:
                    continue
                seen.add(ans)
                rows.append({"path": p, "model": "apertus-70b-2509", "prompt": t.get("content") or "",
                             "answer": ans, "n": f"{e['entry_index']}.{t['turn_number']}",
                             "lang": answer_lang(ans, MHJ_LANGS[m.group(1)]), "context": "jailbreak"})
        out += _pick_all_selfnamed(rows, rng, cap_named=40, n_random=160)
    return out


class _Inert:
    """What every class in a CipherChat results pickle becomes: nothing of the pickle's code is imported or run."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __setstate__(self, state) -> None:
        pass


class _InertUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        return type(name, (_Inert,), {})

    def persistent_load(self, pid) -> None:
        return None


def _cipher_items(blob: bytes) -> list:
    """The list of ``{conversation, toxic}`` dicts in a CipherChat ``*_results.list`` (a torch-saved zip holding one
    pickle), read without importing or running anything the pickle names."""
    z = zipfile.ZipFile(io.BytesIO(blob))
    name = next(n for n in sorted(z.namelist()) if n.endswith("/data.pkl"))
    items = _InertUnpickler(io.BytesIO(z.read(name))).load()
    return [d for d in items if isinstance(d, dict)] if isinstance(items, list) else []


CIPHER_MODELS = {"gpt-35-turbo-0613": "gpt-3.5-turbo-0613", "gpt-4-0613": "gpt-4-0613", "claude-2-web": "claude-2"}
_CIPHER_FILE = re.compile(r"experimental_results/(?:results_on_multi_domains/MainExperiment|other_models/claude2)_"
                          r"([a-z0-9.-]+?)_data_([a-z-]+)_(baseline|unchange)_toxic_zh_(?:True|False)_(?:True|False)_"
                          r"\d+_0_results\.list")
_BOT = re.compile("\U0001f916: (.*?)\x1b\\[0m", re.DOTALL)


def _cipher_answer(conversation: str) -> str:
    """The model's turn of a logged conversation; the log writes it twice (decoded, then as sent), so a turn that
    is two equal halves is kept once."""
    m = _BOT.search(conversation)
    if not m:
        return ""
    a = m.group(1)
    h = len(a) // 2
    return a[:h].strip() if len(a) % 2 == 1 and a[:h] == a[h + 1:] else a.strip()


def cipherchat(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """The Chinese answers of the CipherChat paper's plain-text runs: ``baseline`` (the toxic question alone) and
    ``unchange`` (the cipher system prompt with toxic demonstrations but no cipher: a jailbreak context), eleven
    safety domains, GPT-3.5-turbo-0613 and GPT-4-0613 (``results_on_multi_domains``) and Claude 2 (web;
    ``other_models``); cipher-encoded runs and English are left out."""
    out = []
    for p in git_ls(g, commit):
        m = _CIPHER_FILE.fullmatch(p)
        if not m or m.group(1) not in CIPHER_MODELS:
            continue
        model, rows, seen = CIPHER_MODELS[m.group(1)], [], set()
        for i, d in enumerate(_cipher_items(git_show(g, commit, p))):
            ans = _cipher_answer(d.get("conversation") or "")
            if not ans or ans in seen:
                continue
            seen.add(ans)
            rows.append({"path": p, "model": model, "prompt": "", "answer": ans, "n": i, "lang": lang_of(ans),
                         "context": "jailbreak" if m.group(3) == "unchange" else "plain"})
        out += _pick_all_selfnamed(rows, rng, cap_named=15, n_random=15)
    return out


READERS = {"cipherchat": cipherchat, "mhj_apertus": mhj_apertus}


def build(mirrors: Path, unlicensed: bool = False, seed: int = 20) -> list[dict]:
    return build_corpus("blind6", SOURCES, READERS, blind6_family, mirrors, unlicensed, seed)


# answers drawn per source and stratum for labelling (all where fewer)
QUOTAS = {"mhj_apertus": {"selfname": 200, "named": 100, "none": 60},
          "cipherchat": {"selfname": 120, "named": 40, "none": 20}}
SOURCE_ORDER = ["mhj_apertus", "cipherchat"]


def sample(rows: list[dict], seed: int = 20) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded, stratified by source and stratum, round-robin over (model, language) pairs),
    split at random into a dev and a test half of equal size: the fresh sets' sampler, with (model, language) in the
    place of the model because mhj_apertus has one answering model in fifteen languages."""
    return fresh_sample(rows, seed, tag="blind6", quotas=QUOTAS, order=SOURCE_ORDER,
                        cell_key=lambda r: f"{r['model']}|{r['lang']}", even=True)


def write_sets(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labelled("blind6", "CipherChat's Chinese GPT-3.5/GPT-4/Claude 2 answers and Apertus-70B's answers to "
                   "multi-turn jailbreaks in fifteen languages", dev, test, labels, out)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only("blind6", SOURCES, "bench/real_answers_blind6.py --mirrors DIR --unlicensed --out u6.jsonl.gz "
                      "and join by id.", dev, test, labels, out)


def main() -> None:
    cli("blind6", SOURCES, build, sample, write_sets, write_unlicensed, __doc__, "none (every blind6 source has one)")


if __name__ == "__main__":
    main()
