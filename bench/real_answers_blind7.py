"""Rebuild the *blind7* real-answer corpus (tests/identity/data/real/blind7_corpus.jsonl.gz) from a git mirror.

    python bench/real_answers_blind7.py --mirrors DIR [--out tests/identity/data/real/blind7_corpus.jsonl.gz]
    python bench/real_answers_blind7.py --sample blind7_corpus.jsonl.gz            # the seeded sample and its halves
    python bench/real_answers_blind7.py --sample blind7_corpus.jsonl.gz --labels blind7.labels.tsv --write DIR
        # write blind7_{dev,test}.tsv and .meta.tsv from the label file (id<TAB>gold_full)

An eighth real-answer corpus for the identity claim extractor (after ``real_answers_corpus.py``,
``real_answers_fresh.py`` and ``real_answers_blind{2,3,4,5,6}.py``), from a repository none of them used, built for
answers **outside English and Chinese**: what ten deployed models wrote when asked, in fourteen languages, for
ordinary tasks (Arabic, Russian, Spanish, German, French, Portuguese, Italian, Turkish, Indonesian, Vietnamese,
Hindi, Japanese, Korean, Chinese), in which a model or maker is named far more often as a topic ("Meta, la nouvelle
marque de Facebook", "Microsoft Bookings", "ChatGPT 4" in an article the model summarises) than as the model itself
("come assistente di Google, ho alcune limitazioni"). It is the null the foreign-identity test needs per language,
with the few self-descriptions these answers hold. DIR holds one bare git directory per source, named
``owner+name``; the source is read at the pinned commit below and the output is byte-for-byte reproducible (gzip
header without name or time) with the same ``aliases.yaml`` (the selection scans it: rebuild the committed corpus in
a checkout of the commit that built it).

Source (licensed; every answer is a model output the repository committed):

- ``lcb``: for-ai/language-confusion (Apache-2.0), the Language Confusion Benchmark's (Marchisio et al. 2024)
  completions (``outputs/{model}.csv``: at most 100 tokens, nucleus sampling p=0.75, T=0.3) of Command R, Command R+
  (chat and base), GPT-3.5-turbo, GPT-4-turbo, Llama 2 and Llama 3 Instruct, Mixtral 8x7B and Mistral Large to its
  monolingual prompts (Aya, Dolly, Okapi, native) and cross-lingual ones ("Reply in Russian. ..."; Okapi, ShareGPT,
  complex prompts); the prompt is joined from ``test_sets.zip`` by its row in the (task, dataset, language) file.
  English prompts are left out. ``context`` is ``plain``.

Selection (seeded): blind4's ``_pick_all_selfnamed`` per model file (all answers that name a model or maker, capped,
half as many that speak of themselves as an AI, a uniform sample of the rest, plus every answer the cap left out in
which a name stands next to a first-person phrase), where a first-person phrase may be in any of the benchmark's
languages (``SELF_NEAR_ML``: "я", "soy", "ich bin", "je suis", "أنا", "मैं", ...); exact repeats of an answer in
one file are kept once. ``lang`` is the answer's language: its script for zh/ja/ko/ru/ar/hi, else the prompt's
language unless the answer reads as English (the benchmark measures exactly that confusion). The labelling sample
and its halves come from ``sample()``: the fresh sets' stratification with the same multilingual first-person
phrases, round-robin over (model, language) pairs, halves of equal size.
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import build_corpus, cli, write_labelled, write_labels_only
from real_answers_blind4 import _EN_WORDS, _pick, lang_of
from real_answers_blind6 import blind6_family
from real_answers_corpus import git_show
from real_answers_fresh import SELF_NEAR, _name_res, name_spans
from real_answers_fresh import sample as fresh_sample

SOURCES = {
    "lcb": {"repo": "for-ai/language-confusion", "commit": "0cfdbb4a64502648938c456b2fa9689968f22298",
            "licence": "Apache-2.0", "lang": "multi"},
}

# the completion files of the benchmark's README (the chat models and the two Command R base models)
LCB_MODELS = ("command-r", "command-r-plus", "command-r-base", "command-r-plus-base", "gpt-3.5-turbo", "gpt-4-turbo",
              "llama-2-instruct", "llama-3-instruct", "mistral-8x7b", "mistral-large")
# the ``source`` column of the completion files -> the folder of its prompts in test_sets.zip
LCB_PROMPT_DIRS = {"aya_human_annotated": "aya", "dolly_human_edited": "dolly", "native_prompts": "native",
                   "okapi": "okapi", "sharegpt": "sharegpt", "complex_prompts": "complex_prompts"}

def blind7_family(model: str) -> tuple[str, str | None]:
    """blind6's families place all ten models (Command R, GPT, Llama, Mistral/Mixtral)."""
    return blind6_family(model)


# first-person and "as an AI" phrases of the benchmark's languages, added to the fresh sets' SELF_NEAR
SELF_NEAR_ML = re.compile(
    r"(?i)\b(?:я|меня|мне|мой|моя|моё|как (?:ии|языковая модель|модель|ассистент)|"
    r"soy|yo|mi|como (?:un |una )?(?:ia|modelo|asistente)|sou|eu|meu|minha|como (?:um |uma )?(?:ia|modelo|assistente)|"
    r"je|suis|mon|ma|moi|en tant que|ich|bin|mein|meine|mich|als (?:ki|sprachmodell|assistent)|"
    r"sono|io|mio|mia|come (?:un |una )?(?:ia|modello|assistente)|ben|benim|olarak|saya|aku|tôi|"
    r"model bahasa|dil modeli|modelo de lenguaje|modèle de langage|sprachmodell|modello linguistico|"
    r"modelo de linguagem|языковая модель)\b|أنا|بصفتي|كنموذج|نموذج لغ|मैं|मेरा|मुझे|भाषा मॉडल")


def stratum_ml(text: str, res: tuple[re.Pattern, re.Pattern], window: int = 60) -> str:
    """The fresh sets' ``stratum`` with first-person phrases of every language of the benchmark: ``selfname`` (a
    name within ``window`` characters of one), ``named`` (a name elsewhere) or ``none``."""
    spans = name_spans(text, res)
    for s, e in spans:
        near = text[max(0, s - window):e + window]
        if SELF_NEAR.search(near) or SELF_NEAR_ML.search(near):
            return "selfname"
    return "named" if spans else "none"


_ARABIC = re.compile(r"[\u0600-\u06ff]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LETTERS = re.compile(r"[^\W\d_]")


def answer_lang(text: str, lang: str) -> str:
    """The answer's language: its script for zh/ja/ko/ru (``lang_of``) and Arabic/Devanagari (``ar``/``hi`` where
    they are most of the letters); else ``lang`` (the language the prompt asked for) unless the answer's share of
    common English words says English."""
    letters = max(1, len(_LETTERS.findall(text)))
    if len(_ARABIC.findall(text)) / letters > 0.5:
        return "ar"
    if len(_DEVANAGARI.findall(text)) / letters > 0.5:
        return "hi"
    got = lang_of(text)
    if got != "en":
        return got
    if lang in ("ru", "ja", "ko", "zh", "ar", "hi"):
        return "en"
    words = max(1, len(text.split()))
    return "en" if len(_EN_WORDS.findall(text)) / words > 0.08 else lang


def lcb_prompts(g: Path, commit: str) -> dict[tuple[str, str, str], list[str]]:
    """``(task, dataset folder, language) -> prompts`` in file order, from the benchmark's ``test_sets.zip``."""
    blob = git_show(g, commit, "test_sets.zip")
    out: dict[tuple[str, str, str], list[str]] = {}
    if blob is None:
        return out
    z = zipfile.ZipFile(io.BytesIO(blob))
    for name in sorted(z.namelist()):
        m = re.fullmatch(r"test_sets/(monolingual|crosslingual)/([a-z_]+)/([a-z]{2})\.csv", name)
        if m:
            rows = csv.DictReader(io.StringIO(z.read(name).decode("utf-8")))
            out[(m.group(1), m.group(2), m.group(3))] = [r.get("prompt") or "" for r in rows]
    return out


def _pick_all_selfnamed_ml(rows: list[dict], rng: random.Random, cap_named: int, n_random: int) -> list[dict]:
    """blind4's ``_pick_all_selfnamed`` with ``stratum_ml``: ``_pick`` per file, plus every answer the cap left out
    in which a name stands next to a first-person phrase of any of the benchmark's languages."""
    out = _pick(rows, rng, cap_named, n_random)
    taken = {(r["path"], r["n"]) for r in out}
    res = _name_res()
    return out + [{**r, "select": "selfname"} for r in rows
                  if (r["path"], r["n"]) not in taken and stratum_ml(r["answer"], res) == "selfname"]


def lcb(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """The completions of the ten models to the benchmark's non-English prompts, each file's exact repeats once."""
    prompts = lcb_prompts(g, commit)
    out = []
    for model in LCB_MODELS:
        path = f"outputs/{model}.csv"
        raw = git_show(g, commit, path)
        if raw is None:
            continue
        rows, seen, pos = [], set(), {}
        for i, r in enumerate(csv.DictReader(io.StringIO(raw.decode("utf-8")))):
            key = (r.get("task") or "", LCB_PROMPT_DIRS.get(r.get("source") or "", r.get("source") or ""),
                   r.get("language") or "")
            k = pos[key] = pos.get(key, -1) + 1  # the row's place among its (task, dataset, language) prompts
            ans = (r.get("completion") or "").strip()
            if key[2] == "en" or not ans or ans in seen:
                continue
            seen.add(ans)
            ps = prompts.get(key) or []
            rows.append({"path": path, "model": model, "prompt": ps[k] if k < len(ps) else "", "answer": ans, "n": i,
                         "lang": answer_lang(ans, key[2]), "context": "plain"})
        out += _pick_all_selfnamed_ml(rows, rng, cap_named=60, n_random=40)
    return out


READERS = {"lcb": lcb}


def build(mirrors: Path, unlicensed: bool = False, seed: int = 20) -> list[dict]:
    return build_corpus("blind7", SOURCES, READERS, blind7_family, mirrors, unlicensed, seed)


# answers drawn per source and stratum for labelling (all where fewer)
QUOTAS = {"lcb": {"selfname": 400, "named": 120, "none": 40}}
SOURCE_ORDER = ["lcb"]


def sample(rows: list[dict], seed: int = 20) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded, stratified by stratum with multilingual first-person phrases, round-robin over
    (model, language) pairs), split at random into a dev and a test half of equal size: the fresh sets' sampler."""
    return fresh_sample(rows, seed, tag="blind7", quotas=QUOTAS, order=SOURCE_ORDER,
                        cell_key=lambda r: f"{r['model']}|{r['lang']}", even=True, stratum_fn=stratum_ml)


def write_sets(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labelled("blind7", "ten models' completions to the Language Confusion Benchmark's prompts in fourteen "
                   "languages", dev, test, labels, out)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only("blind7", SOURCES, "bench/real_answers_blind7.py --mirrors DIR --unlicensed --out u7.jsonl.gz "
                      "and join by id.", dev, test, labels, out)


def main() -> None:
    cli("blind7", SOURCES, build, sample, write_sets, write_unlicensed, __doc__, "none (the blind7 source has one)")


if __name__ == "__main__":
    main()
