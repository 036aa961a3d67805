"""Rebuild the *fresh* real-answer corpus (tests/identity/data/real/fresh_corpus.jsonl.gz) from git mirrors.

    python bench/real_answers_fresh.py --mirrors DIR [--out tests/identity/data/real/fresh_corpus.jsonl.gz]
    python bench/real_answers_fresh.py --sample fresh_corpus.jsonl.gz   # the seeded labelling sample and its halves

A second, independent real-answer corpus for the identity claim extractor, from sources that the first one
(``bench/real_answers_corpus.py``) did not use, so that its labelled halves (``fresh_dev``/``fresh_test``) are
answers nobody on the project has read. DIR holds one bare git directory per source, named ``owner+name`` (as for
``real_answers_corpus.py``); every source is read at the pinned commit below and the output is byte-for-byte
reproducible (gzip header without name or time) with the same ``aliases.yaml`` (the selection scans it: rebuild the
committed corpus in a checkout of 7708a2f, the commit that built it).

Sources (all answers are model outputs the repositories committed):

- ``mt_bench``: MT-Bench answers (both turns) of 34 models (GPT-4, GPT-3.5, Claude v1/instant, PaLM-2, Vicuna,
  Llama, ChatGLM, MPT, Falcon, ...) as committed in a FastChat fork (Apache-2.0), English;
- ``ja_mt_bench``: Japanese MT-Bench answers of ~35 Japanese and multilingual models (GPT-4, Qwen, Swallow,
  Xwin, Shisa, nekomata, ELYZA, llm-jp, ...) from the shisa project's FastChat fork (Apache-2.0);
- ``arena_hard_1k``: answers of 11 models (Claude v1/instant/2, GPT-3.5/4, PaLM-2, Llama-2-70B-chat, Vicuna,
  WizardLM-70B) to 478 Chatbot Arena user prompts, at a commit of FastChat's own history (Apache-2.0), English;
- ``gptfuzz``: GPTFuzzer's labelled responses of Vicuna-7B, ChatGPT and Llama-2-7B-chat to human-written jailbreak
  templates (DAN-style multi-persona role-play; MIT). The files do not say which of the three models wrote a
  response: ``model`` is ``gptfuzz-pool`` and ``family`` ``unattributed``;
- ``vicuna_blog_eval``: the Vicuna blog's 80-question answers of Bard, GPT-3.5, Vicuna, Alpaca and LLaMA
  (Apache-2.0), English;
- ``komt_bench``: KoMT-Bench's Korean GPT-4 answers (LG AI Research; the answer text inside the committed GPT-4
  judgments, first and second turns), Korean.

Selection (seeded): from every answer file all answers that name a model or maker (the loose scan of
``real_answers_corpus.NameScan``, capped per file), up to half that many that speak of themselves as an AI without a
name, and a uniform sample of the rest (the null); GPTFuzz is capped per file like the others (it is one pool).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_corpus import (
    ALIASES,
    SELFREF,
    corpus_row,
    family_of,
    find_gitdir,
    git_ls,
    git_show,
    name_scan,
    write_corpus,
)

SOURCES = {
    "mt_bench": {"repo": "enricai/FastChat", "commit": "edacaa5bd955893e72a7e6f0899d8301fd5ae492",
                 "licence": "Apache-2.0", "lang": "en"},
    "ja_mt_bench": {"repo": "AUGMXNT/FastChat", "commit": "845fb70321322e00b2bf7b5cfcf0b1306d985f24",
                    "licence": "Apache-2.0", "lang": "ja"},
    "arena_hard_1k": {"repo": "lm-sys/FastChat", "commit": "396a8b2f2f06c18300e1efa364a981262b339b8c",
                      "licence": "Apache-2.0", "lang": "en"},
    "gptfuzz": {"repo": "sherdencooper/GPTFuzz", "commit": "1eddeb565740ae311b5f4950492b011a6f866fe7",
                "licence": "MIT", "lang": "en"},
    "vicuna_blog_eval": {"repo": "lm-sys/vicuna-blog-eval", "commit": "29e5d378309de4efe28a87fc0d1f1002df4a448c",
                         "licence": "Apache-2.0", "lang": "en"},
    "komt_bench": {"repo": "LG-AI-EXAONE/KoMT-Bench", "commit": "56d4f3af437543dce39f08aecfb818abed81210d",
                   "licence": "LGPL-3.0 (FastChat part Apache-2.0)", "lang": "ko"},
}

EXTRA_FAMILIES = [  # model ids of these sources that real_answers_corpus.family_of does not know
    (r"^bard|palm", ("gemini", None)),  # Google's Bard / PaLM-2 chat: the alias table's Google family
    (r"chatglm", ("glm", None)),
    (r"^mpt-", ("mpt", None)),
    (r"dolly", ("pythia", "databricks")),
    (r"stablelm|jslma|japanese-stablelm", ("stablelm", None)),
    (r"rwkv", ("rwkv", None)),
    (r"fastchat-t5", ("t5", None)),
    (r"koala|gpt4all|h2ogpt|mixv3|emb-only", ("llama", "other")),
    (r"shisa", ("mistral", "augmxnt")),
    (r"nekomata", ("qwen", "rinna")),
    (r"houou|elyza", ("llama", "other")),
]


def fresh_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in EXTRA_FAMILIES:
        if re.search(pat, m):
            return fam
    return family_of(model)


def _pick(rows: list[dict], rng: random.Random, cap_named: int, n_random: int) -> list[dict]:
    scan = name_scan()
    named, selfref, rest = [], [], []
    for r in rows:
        (named if scan.search(r["answer"]) else selfref if SELFREF.search(r["answer"]) else rest).append(r)
    out = []
    for grp, cap, why in ((named, cap_named, "mention"), (selfref, cap_named // 2, "selfref"), (rest, n_random, "random")):
        take = grp if len(grp) <= cap else rng.sample(grp, cap)
        out += [{**r, "select": why} for r in take]
    return out


def _mt_rows(g: Path, commit: str, qpath: str, apath: str, model: str) -> list[dict]:
    qs = {}
    for line in git_show(g, commit, qpath).decode("utf-8").split("\n"):
        if line.strip():
            q = json.loads(line)
            qs[q["question_id"]] = q
    rows = []
    raw = git_show(g, commit, apath)
    if raw is None:
        return rows
    for i, line in enumerate(raw.decode("utf-8").split("\n")):
        if not line.strip():
            continue
        d = json.loads(line)
        q = qs.get(d["question_id"], {"turns": [], "category": ""})
        for t, ans in enumerate(d["choices"][0]["turns"]):
            if isinstance(ans, str) and ans.strip():
                prompt = q["turns"][t] if t < len(q["turns"]) else ""
                rows.append({"path": apath, "model": model, "prompt": prompt, "answer": ans, "n": f"{i}.{t}",
                             "context": "roleplay" if q.get("category") == "roleplay" else "plain"})
    return rows


def mt_bench(g: Path, commit: str, rng: random.Random, bench: str = "mt_bench", cap_named: int = 16) -> list[dict]:
    base = f"fastchat/llm_judge/data/{bench}/"
    out = []
    for p in git_ls(g, commit):
        if p.startswith(base + "model_answer/") and p.endswith(".jsonl"):
            out += _pick(_mt_rows(g, commit, base + "question.jsonl", p, Path(p).stem), rng, cap_named=cap_named,
                         n_random=10)
    return out


def ja_mt_bench(g: Path, commit: str, rng: random.Random) -> list[dict]:
    return mt_bench(g, commit, rng, "japanese_mt_bench")


def arena_hard_1k(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """Answers of 11 models (Claude v1/instant/2, GPT-3.5/4, PaLM-2, Llama-2-70B-chat, Vicuna, WizardLM) to 478
    Chatbot Arena user prompts, committed at a commit of FastChat's history (the ``harder`` folder is a copy)."""
    return mt_bench(g, commit, rng, "arena_hard_1k", cap_named=30)


def gptfuzz(g: Path, commit: str, rng: random.Random) -> list[dict]:
    qs = {r["index"]: r["text"] for r in csv.DictReader(io.StringIO(
        git_show(g, commit, "datasets/questions/question_list.csv").decode("utf-8")))}
    out = []
    for p in ("datasets/responses_labeled/train.csv", "datasets/responses_labeled/evaluate.csv"):
        rows = [{"path": p, "model": "gptfuzz-pool", "prompt": qs.get(r["question"], ""), "answer": r["Response"],
                 "context": "roleplay", "n": i}
                for i, r in enumerate(csv.DictReader(io.StringIO(git_show(g, commit, p).decode("utf-8"))))
                if (r["Response"] or "").strip()]
        out += _pick(rows, rng, cap_named=700 if "train" in p else 200, n_random=150 if "train" in p else 50)
    return out


def vicuna_blog(g: Path, commit: str, rng: random.Random) -> list[dict]:
    qs = {}
    for line in git_show(g, commit, "eval/table/question.jsonl").decode("utf-8").split("\n"):
        if line.strip():
            q = json.loads(line)
            qs[q["question_id"]] = q
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("eval/table/answer/") and p.endswith(".jsonl")):
            continue
        rows = []
        for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            q = qs.get(d["question_id"], {"text": "", "category": ""})
            if d["text"].strip():
                rows.append({"path": p, "model": d.get("model_id") or Path(p).stem, "prompt": q["text"],
                             "answer": d["text"], "n": i,
                             "context": "roleplay" if q["category"] == "roleplay" else "plain"})
        out += _pick(rows, rng, cap_named=20, n_random=12)
    return out


KO_START, KO_END = "[어시스턴트 답변 시작]\n", "\n[어시스턴트 답변 끝]"


def komt(g: Path, commit: str, rng: random.Random) -> list[dict]:
    p = "FastChat/fastchat/llm_judge/data/mt_bench/model_judgment/gpt-4_single_final.jsonl"
    qs = {}
    for line in git_show(g, commit, "FastChat/fastchat/llm_judge/data/mt_bench/question_ko.jsonl").decode("utf-8").split("\n"):
        if line.strip():
            q = json.loads(line)
            qs[q["question_id"]] = q
    rows = []
    for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
        if not line.strip():
            continue
        d = json.loads(line)
        up = d["user_prompt"]
        # the second-turn judgment shows both turns: the answer of the judged turn is the last block
        k = up.rfind(KO_START)
        e = up.find(KO_END, k)
        if k < 0 or e < 0:
            continue
        ans = up[k + len(KO_START):e]
        q = qs.get(d["question_id"], {"turns": [], "category": ""})
        t = int(d.get("turn", 1)) - 1
        if ans.strip():
            rows.append({"path": p, "model": "gpt-4", "prompt": q["turns"][t] if t < len(q.get("turns", [])) else "",
                         "answer": ans, "n": i, "context": "roleplay" if q.get("category") == "roleplay" else "plain",
                         "select": "all"})
    return rows


def _name_res(table: Path | None = None) -> tuple[re.Pattern, re.Pattern]:
    """Where a model or maker name of aliases.yaml (or of the alias table ``table``) occurs (a loose regex for
    sampling, not the extractor)."""
    t = yaml.safe_load((table or ALIASES).read_text(encoding="utf-8"))
    ci, cs, pats = set(), set(), []
    for sec in ("families", "makers"):
        for spec in t[sec].values():
            ci |= set(spec.get("aliases") or [])
            cs |= set(spec.get("exact") or [])
            pats += spec.get("patterns") or []

    def alt(xs: set[str]) -> str:
        # a space, hyphen or dot between two parts of an alias is optional and may be any separator
        return "|".join(re.sub(r"\\[ .\-]", r"[\\s\\-_.·・]?", re.escape(x))
                        for x in sorted(xs, key=len, reverse=True))

    return (re.compile(rf"(?:(?<![A-Za-z])(?:{alt(ci)}))|(?:{'|'.join(pats)})", re.IGNORECASE),
            re.compile(rf"(?<![A-Za-z])(?:{alt(cs)})(?![A-Za-z])"))


SELF_NEAR = re.compile(r"(?i)\b(?:I|I'm|I am|my|me|myself|we|our|as an? (?:ai|artificial|language model|large language|"
                       r"chatbot|assistant)|language model)\b|私は|私の|わたし|当方|저는|제가|나는|저의|我是|我的|作为")


def name_spans(text: str, res: tuple[re.Pattern, re.Pattern]) -> list[tuple[int, int]]:
    return sorted((m.start(), m.end()) for r in res for m in r.finditer(text))


def stratum(text: str, res: tuple[re.Pattern, re.Pattern], window: int = 60) -> str:
    """``selfname`` (a name within ``window`` characters of a first-person or "as an AI" phrase), ``named`` (a
    name elsewhere) or ``none``."""
    spans = name_spans(text, res)
    if any(SELF_NEAR.search(text[max(0, s - window):e + window]) for s, e in spans):
        return "selfname"
    return "named" if spans else "none"


# answers drawn per source and stratum for labelling (all where fewer); everything else stays unlabelled
QUOTAS = {"gptfuzz": {"selfname": 360, "named": 30, "none": 80},
          "arena_hard_1k": {"selfname": 80, "named": 60, "none": 50},
          "mt_bench": {"selfname": 60, "named": 80, "none": 120},
          "ja_mt_bench": {"selfname": 10, "named": 50, "none": 70},
          "vicuna_blog_eval": {"selfname": 10, "named": 10, "none": 40},
          "komt_bench": {"selfname": 80, "named": 80, "none": 80}}


SOURCE_ORDER = ["gptfuzz", "ja_mt_bench", "komt_bench", "mt_bench", "vicuna_blog_eval", "arena_hard_1k"]


def sample(rows: list[dict], seed: int = 20, tag: str = "fresh", quotas: dict | None = None,
           order: list[str] | None = None, cell_key=None, even: bool = False,
           stratum_fn=None, aliases: Path | None = None) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded, stratified by source and stratum, round-robin over models so that every model
    appears), split at random into a dev and a test half. ``tag``, ``quotas`` and ``order`` let another corpus
    builder (``real_answers_blind2.py``) draw its own sample the same way; ``cell_key`` (an answer -> the name of
    its round-robin queue; the model by default) and ``even`` (drop the last draw for halves of equal size) let
    ``real_answers_blind6.py`` go round (model, language) pairs; ``stratum_fn`` (text, name regexes -> stratum;
    ``stratum`` by default) lets ``real_answers_blind7.py`` count first-person phrases of more languages;
    ``aliases`` (an alias table file; the live one by default) pins the names the strata look for."""
    quotas, order = quotas or QUOTAS, order or SOURCE_ORDER
    cell_key = cell_key or (lambda r: r["model"])
    stratum_fn = stratum_fn or stratum
    res = _name_res(aliases)
    rng = random.Random(f"{seed}:{tag}:sample")
    cells: dict[tuple[str, str], dict[str, list[dict]]] = {}
    for r in rows:
        st = stratum_fn(r["answer"], res)
        cells.setdefault((r["source"], st), {}).setdefault(cell_key(r), []).append({**r, "stratum": st})
    picked = []
    # one seeded stream over the cells in the order the sources were added (SOURCE_ORDER), so that adding a source
    # or raising a quota leaves the answers drawn before unchanged
    for (src, st), by_model in sorted(cells.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        quota = quotas[src][st]
        queues = [rng.sample(v, len(v)) for _, v in sorted(by_model.items())]
        take: list[dict] = []
        while len(take) < quota and any(queues):
            for q in queues:
                if q and len(take) < quota:
                    take.append(q.pop())
        picked += take
    rng.shuffle(picked)
    if even:
        picked = picked[: len(picked) // 2 * 2]
    half = len(picked) // 2
    return sorted(picked[:half], key=lambda r: r["id"]), sorted(picked[half:], key=lambda r: r["id"])


READERS = {"mt_bench": mt_bench, "ja_mt_bench": ja_mt_bench, "arena_hard_1k": arena_hard_1k, "gptfuzz": gptfuzz, "vicuna_blog_eval": vicuna_blog,
           "komt_bench": komt}


def build(mirrors: Path, seed: int = 20) -> list[dict]:
    rows = []
    for name, src in SOURCES.items():
        g = find_gitdir(mirrors, src["repo"])
        rng = random.Random(f"{seed}:fresh:{name}")
        for r in READERS[name](g, src["commit"], rng):
            fam = ("unattributed", None) if name == "gptfuzz" else fresh_family(r["model"])
            rows.append(corpus_row(name, src, r, fam, f"fresh|{name}|"))
    rows.sort(key=lambda r: (r["source"], r["path"], r["id"]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, help="folder with one git mirror per source (owner+name)")
    ap.add_argument("--sample", type=Path, help="a built fresh corpus: print the labelling sample (half, id, stratum)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "tests" / "identity" / "data"
                    / "real" / "fresh_corpus.jsonl.gz")
    args = ap.parse_args()
    if args.sample:
        with gzip.open(args.sample, "rt", encoding="utf-8") as f:
            dev, test = sample([json.loads(line) for line in f])
        for half, rs in (("dev", dev), ("test", test)):
            for r in rs:
                print(f"{half}\t{r['id']}\t{r['stratum']}")
        return
    if not args.mirrors:
        raise SystemExit("--mirrors DIR is needed to build the corpus")
    write_corpus(build(args.mirrors), args.out)


if __name__ == "__main__":
    main()
