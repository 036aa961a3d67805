"""Rebuild the *blind2* real-answer corpus (tests/identity/data/real/blind2_corpus.jsonl.gz) from git mirrors.

    python bench/real_answers_blind2.py --mirrors DIR [--out tests/identity/data/real/blind2_corpus.jsonl.gz]
    python bench/real_answers_blind2.py --sample blind2_corpus.jsonl.gz            # the seeded sample and its halves
    python bench/real_answers_blind2.py --sample blind2_corpus.jsonl.gz --labels blind2.labels.tsv --write DIR
        # write blind2_{dev,test}.tsv and .meta.tsv from the label file (id<TAB>gold_full)

A third real-answer corpus for the identity claim extractor, built to cover what the first two lack: **Chinese**
answers under a licence that allows redistribution (the first corpus's Chinese source, Carena-hard, has none), and
Chinese self-descriptions, refusals and role-play answers. Its sources are repositories neither earlier corpus used
(``bench/real_answers_corpus.py``, ``bench/real_answers_fresh.py``). DIR holds one bare git directory per source,
named ``owner+name``; every source is read at the pinned commit below and the output is byte-for-byte reproducible
(gzip header without name or time) with the same ``aliases.yaml`` (the selection scans it: rebuild the committed
corpus in a checkout of the commit that built it).

Sources (all answers are model outputs the repositories committed):

- ``llmzoo``: LLM Zoo's evaluation answers (FreedomIntelligence/LLMZoo, ``llmzoo/eval/answers/``) of Phoenix-7B,
  Chimera-7B/13B, Chinese-Alpaca-7B, Vicuna-7B/13B and GPT-3.5-turbo to its 70 Chinese and 70 English questions
  (Vicuna-style: generic, knowledge, role-play, common sense, Fermi, counterfactual, coding, math, writing);
- ``hfl_examples``: the output examples the HFL Chinese-LLaMA-Alpaca projects committed (``examples/*.md``
  markdown tables): Chinese-Alpaca 7B/13B/33B and Plus-7B/13B (four quantisation settings), Chinese-Alpaca-2
  7B/13B, Llama-3-Chinese-8B-Instruct and Chinese-Mixtral-Instruct, on ~20 prompts per category (dialogue with
  role-play, ethics/refusals, open QA, generation, literature, translation, reasoning, code); three repositories of
  one project, pinned separately;
- ``moss_sft``: the 620 MOSS-003 SFT sample conversations without plugins that OpenLMLab/MOSS commits
  (``SFT_data/conversations/conversation_without_plugins/``), Chinese and English: every turn was written by
  gpt-3.5-turbo under the MOSS system prompt ("You are an AI assistant whose name is MOSS ..."), role-play and
  harmless (refusal) conversations included.

Sources without a stated licence, built only with ``--unlicensed`` into a local file that is never committed (the
committed files hold their labels only, ``blind2_unlic_{dev,test}.labels.tsv``):

- ``logickor``: LogicKor's Korean answers of ~60 models (instructkr/LogicKor, ``generated/``);
- ``reseairch_identity``: the identity studies of dBrogle/reseairch (answers of Claude, GPT, Gemini, Gemma, Grok,
  DeepSeek, Qwen, Kimi, MiniMax, GLM and ByteDance Seed to "what model are you?" in Chinese and English, some under
  a system prompt that names another model, some with ``<think>`` traces).

Selection (seeded): from every answer file all answers that name a model or maker (the loose scan of
``real_answers_corpus.NameScan``, capped per file), up to half that many that speak of themselves as an AI without a
name, and a uniform sample of the rest (the null). The labelling sample and its halves come from ``sample()``, the
same stratification as the fresh sets (``selfname``/``named``/``none`` strata, round-robin over models).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_corpus import (
    corpus_row,
    family_of,
    find_gitdir,
    git_ls,
    git_show,
    write_corpus,
)
from real_answers_fresh import _pick
from real_answers_fresh import sample as fresh_sample

SOURCES = {
    "llmzoo": {"repo": "FreedomIntelligence/LLMZoo", "commit": "cf70d9cd7a34808681ebe58e652f697420d7b055",
               "licence": "Apache-2.0 (code), CC BY-NC 4.0 (DATA_LICENSE)", "lang": "zh"},
    "hfl_alpaca": {"repo": "ymcui/Chinese-LLaMA-Alpaca", "commit": "090475fbebcca06af2ae52c5227fe1617e22072a",
                   "licence": "Apache-2.0", "lang": "zh"},
    "hfl_alpaca2": {"repo": "ymcui/Chinese-LLaMA-Alpaca-2", "commit": "2a334d1634c857a7f02f885026d02ac4b469479d",
                    "licence": "Apache-2.0", "lang": "zh"},
    "hfl_llama3": {"repo": "ymcui/Chinese-LLaMA-Alpaca-3", "commit": "58a4b6c10d44d7350e9f198088cf1e9271b666f5",
                   "licence": "Apache-2.0", "lang": "zh"},
    "moss_sft": {"repo": "OpenLMLab/MOSS", "commit": "c810e0b428bb209522dcde12f58daa318cf83027",
                 "licence": "Apache-2.0 (code), CC BY-NC 4.0 (DATA_LICENSE)", "lang": "zh"},
    "logickor": {"repo": "instructkr/LogicKor", "commit": "11c3a84f93d176754f1ce197a8f00961cffa9de2",
                 "licence": "none stated (not redistributed)", "lang": "ko", "unlicensed": True},
    "reseairch_identity": {"repo": "dBrogle/reseairch", "commit": "ab5dd9e2fbd5e66a8f674e1439759eb1922ac4f7",
                           "licence": "none stated (not redistributed)", "lang": "zh", "unlicensed": True},
}

# model id (lower case) -> (family, tuned_by): the models of these sources
BLIND2_FAMILIES = [
    (r"phoenix", ("bloom", "freedomintelligence")),  # Phoenix is a BLOOMZ fine-tune
    (r"chimera", ("llama", "freedomintelligence")),
    (r"chinese-mixtral", ("mistral", "hfl")),
    (r"chinese-alpaca|llama-3-chinese|chinese-llama", ("llama", "hfl")),
    (r"^moss$", ("gpt", None)),  # MOSS-003 SFT turns were written by gpt-3.5-turbo under the MOSS system prompt
    (r"aya-23", ("command", "cohere")),
    (r"orion", ("orion", None)),
    (r"solar|eeve|bookworm|kullm3|synatra-kiqu-10", ("solar", None)),  # Upstage SOLAR-10.7B and its Korean tunes
    (r"openchat-3\.5|toppy|synatra|tinywand", ("mistral", "other")),
    (r"palm", ("gemini", None)),
    (r"^meta-llama/", ("llama", None)),
    (r"^openai/", ("gpt", None)),
    (r"^moonshotai/|kimi", ("kimi", None)),
    (r"^bytedance|seed-", ("doubao", None)),  # ByteDance Seed models: the alias table's ByteDance family
    (r"^z-ai/", ("glm", None)),
    (r"noromaid", ("llama", "other")),
]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def detect_lang(text: str) -> str:
    """``zh``, ``ja``, ``ko`` or ``en`` by script share (enough for answers that are in one language)."""
    n = max(1, len(re.sub(r"\s", "", text)))
    if len(_HANGUL.findall(text)) / n > 0.15:
        return "ko"
    if len(_KANA.findall(text)) / n > 0.08:
        return "ja"
    if len(_HAN.findall(text)) / n > 0.15:
        return "zh"
    return "en"


def blind2_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in BLIND2_FAMILIES:
        if re.search(pat, m):
            return fam
    return family_of(model)


ROLE_CUES = re.compile(r"扮演|假设你是|假如你是|你是一[名个位只]|想象你是|作为一[名个位]|role|pretend|imagine you|you are a",
                       re.IGNORECASE)


def llmzoo(g: Path, commit: str, rng: random.Random) -> list[dict]:
    qs: dict[int, dict] = {}
    for qp in ("llmzoo/eval/questions/questions-en.jsonl", "llmzoo/eval/questions/questions-zh.jsonl"):
        for line in git_show(g, commit, qp).decode("utf-8").split("\n"):
            if line.strip():
                q = json.loads(line)
                qs[q["question_id"]] = q
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("llmzoo/eval/answers/") and p.endswith(".jsonl")):
            continue
        rows = []
        for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            ans = d.get("text") or ""
            if not ans.strip():
                continue
            q = qs.get(d["question_id"], {"text": "", "category": ""})
            model = Path(p).stem.removeprefix("answer_")
            rows.append({"path": p, "model": model, "prompt": q["text"], "answer": ans, "n": i,
                         "lang": detect_lang(ans),
                         "context": "roleplay" if q.get("category") == "roleplay" else "plain"})
        out += _pick(rows, rng, cap_named=30, n_random=25)
    return out


_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _cell_text(cell: str) -> str:
    t = _BR.sub("\n", cell.strip()).replace("\\|", "|")
    return re.sub(r"\*\*(> [^*\n]*)\*\*", r"\1", t).strip()  # Alpaca-2 marks the user's turns bold


def _model_name(col: str, path: str) -> str:
    c = col.strip().replace("中文", "").strip()
    if "alpaca-2-" in path:  # one model per file: examples/alpaca-2-7b.md
        return "chinese-" + Path(path).stem
    if re.fullmatch(r"(?i)(plus-)?\d+b", c):
        return f"chinese-alpaca-{c.lower()}"
    return c.lower()


def md_tables(text: str, path: str) -> list[dict]:
    """Rows of every markdown table whose header starts with ``| # |``: one answer per model column."""
    rows: list[dict] = []
    header: list[str] | None = None
    for line in text.split("\n"):
        s = line.strip()
        if not s.startswith("|"):
            header = None
            continue
        cells = [c for c in _CELL_SPLIT.split(s)[1:-1]]
        if re.fullmatch(r"\s*#\s*", cells[0] if cells else ""):
            header = [c.strip() for c in cells]
            continue
        if header is None or set(s) <= set("|-: "):
            continue
        if len(cells) != len(header) or not cells[0].strip().isdigit():
            continue  # a row whose pipes cannot be split reliably is skipped
        prompt = _cell_text(cells[1])
        for col, cell in zip(header[2:], cells[2:]):
            ans = _cell_text(cell)
            if ans:
                rows.append({"path": path, "model": _model_name(col, path), "prompt": prompt, "answer": ans,
                             "n": f"{cells[0].strip()}.{col}", "lang": detect_lang(ans),
                             "context": "roleplay" if ROLE_CUES.search(prompt + "\n" + ans[:200]) else "plain"})
    return rows


def hfl(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("examples/") and p.endswith(".md")) or p.endswith("README.md") or "rating" in p:
            continue
        rows = md_tables(git_show(g, commit, p).decode("utf-8"), p)
        by_model: dict[str, list[dict]] = {}
        for r in rows:
            by_model.setdefault(r["model"], []).append(r)
        for _, rs in sorted(by_model.items()):
            out += _pick(rs, rng, cap_named=20, n_random=12)
    return out


def moss(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """MOSS-003 SFT sample conversations without plugins (the repository commits 620 of them): every ``MOSS`` turn
    is one answer, written by gpt-3.5-turbo under the MOSS system prompt (``meta_instruction``)."""
    out = []
    base = "SFT_data/conversations/conversation_without_plugins/"
    for p in git_ls(g, commit):
        if not (p.startswith(base) and p.endswith(".json")):
            continue
        d = json.loads(git_show(g, commit, p).decode("utf-8"))
        kind = p[len(base):].split("/")[-2]
        for t, turn in sorted(d["chat"].items(), key=lambda kv: int(kv[0].split("_")[1])):
            ans = re.sub(r"^<\|MOSS\|>:\s*|<eom>\s*$", "", turn.get("MOSS", "").strip()).strip()
            q = re.sub(r"^<\|Human\|>:\s*|<eoh>\s*$", "", turn.get("Human", "").strip()).strip()
            if ans:
                out.append({"path": p, "model": "moss", "prompt": q, "answer": ans, "n": t, "lang": detect_lang(ans),
                            "context": "roleplay" if "role_playing" in kind else "plain", "select": "all"})
    return out


def logickor(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """LogicKor's Korean answers (both turns) of ~65 models, three prompt settings each; the repository states no
    licence, so this source is only built with ``--unlicensed`` and never committed."""
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("generated/") and p.endswith(".jsonl")):
            continue
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        model = "/".join(p.split("/")[1:3])
        rows = []
        for i, line in enumerate(raw.decode("utf-8-sig").split("\n")):
            line = line.strip().lstrip("\ufeff")
            if not line:
                continue
            d = json.loads(line)
            for t, ans in enumerate(d.get("outputs") or []):
                if isinstance(ans, str) and ans.strip():
                    qs = d.get("questions") or []
                    rows.append({"path": p, "model": model, "prompt": qs[t] if t < len(qs) else "", "answer": ans,
                                 "n": f"{i}.{t}", "lang": "ko" if _HANGUL.search(ans) else detect_lang(ans),
                                 "context": "plain"})
        out += _pick(rows, rng, cap_named=8, n_random=6)
    return out


_ALIAS_IN_SYSTEM = re.compile(r"(?i)deepseek|claude|chatgpt|gpt|qwen|kimi|gemini|grok|minimax|深度求索|通义|豆包")


def reseairch(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """The identity studies of dBrogle/reseairch (``studies/*identity*/output/results/*.json``): answers of Claude,
    GPT, Gemini, Gemma, Grok, DeepSeek, Qwen, Kimi, MiniMax, GLM and ByteDance Seed models to "what model are you?"
    (in Chinese, ``你是什么模型``, or English, with or without a seeded conversation and system prompt). Only the
    answer text is kept (the repository's judge fields are dropped: the labels are ours); exact repeats of an answer
    by the same model in the same study are kept once. No licence is stated: built only with ``--unlicensed``."""
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"studies/([a-z_0-9]*identity[a-z_0-9]*)/output/results/([^/]+)\.json", p)
        if not m:
            continue
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        model = m.group(2).replace("_", "/", 1)
        seen: set[str] = set()
        for key, entry in sorted(json.loads(raw.decode("utf-8")).items()):
            msgs = entry.get("messages") or []
            prompt = next((x["content"] for x in reversed(msgs) if x.get("role") == "user"), "")
            system = next((x["content"] for x in msgs if x.get("role") == "system"), "")
            for i, res in enumerate(entry.get("results") or []):
                ans = res.get("response")
                if not isinstance(ans, str) or not ans.strip() or ans in seen:
                    continue
                seen.add(ans)
                out.append({"path": p, "model": model, "prompt": prompt, "answer": ans, "n": f"{key}.{i}",
                            "lang": detect_lang(ans), "select": "all",
                            "context": "roleplay" if _ALIAS_IN_SYSTEM.search(system) else "plain"})
    return out


READERS = {"llmzoo": llmzoo, "hfl_alpaca": hfl, "hfl_alpaca2": hfl, "hfl_llama3": hfl, "moss_sft": moss,
           "logickor": logickor, "reseairch_identity": reseairch}


def build_corpus(tag: str, sources: dict, readers: dict, family_fn, mirrors: Path, unlicensed: bool,
                 seed: int) -> list[dict]:
    """Every answer of the sources with (``unlicensed``) or without a licence, read at their pinned commits by
    ``readers`` (one per source), as corpus rows tagged ``tag`` (this builder and real_answers_blind3.py)."""
    rows = []
    for name, src in sources.items():
        if bool(src.get("unlicensed")) != unlicensed:
            continue
        g = find_gitdir(mirrors, src["repo"])
        rng = random.Random(f"{seed}:{tag}:{name}")
        for r in readers[name](g, src["commit"], rng):
            row = corpus_row(name, src, r, family_fn(r["model"]), f"{tag}|{name}|")
            row["lang"] = r["lang"]
            rows.append(row)
    rows.sort(key=lambda r: (r["source"], r["path"], r["id"]))
    return rows


def build(mirrors: Path, unlicensed: bool = False, seed: int = 20) -> list[dict]:
    return build_corpus("blind2", SOURCES, READERS, blind2_family, mirrors, unlicensed, seed)


# answers drawn per source and stratum for labelling (all where fewer)
QUOTAS = {"llmzoo": {"selfname": 40, "named": 40, "none": 120},
          "hfl_alpaca": {"selfname": 40, "named": 40, "none": 120},
          "hfl_alpaca2": {"selfname": 30, "named": 30, "none": 30},
          "hfl_llama3": {"selfname": 20, "named": 20, "none": 20},
          "moss_sft": {"selfname": 60, "named": 140, "none": 150},
          "logickor": {"selfname": 40, "named": 120, "none": 110},
          "reseairch_identity": {"selfname": 220, "named": 40, "none": 40}}
SOURCE_ORDER = ["llmzoo", "hfl_alpaca", "hfl_alpaca2", "hfl_llama3", "moss_sft", "logickor", "reseairch_identity"]


def sample(rows: list[dict], seed: int = 20) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded, stratified by source and stratum, round-robin over models), split at random
    into a dev and a test half: the fresh builder's sampler with blind2's quotas and source order."""
    return fresh_sample(rows, seed, tag="blind2", quotas=QUOTAS, order=SOURCE_ORDER)


def _flat(text: str) -> str:
    return re.sub(r"[\t\r\f\v\u2028\u2029\x85\x1c-\x1e]", " ", text).replace("\n", "\\n")


def gold_main(gold_full: str) -> str:
    """The main gold column: ``gold_full`` without the implied (``=I``) labels."""
    keep = [x for x in gold_full.split(",") if x.strip() and x.strip() != "-" and not x.strip().endswith("=I")]
    return ",".join(keep) if keep else "-"


def written_sets_problems(tag: str, dev: list[dict], test: list[dict], real: Path) -> tuple[dict[str, str], list[str]]:
    """Check the committed files of a labelled set against the seeded sample: ``{tag}.labels.tsv`` labels exactly
    the sampled answers with well-formed labels, and ``{tag}_{dev,test}.tsv``/``.meta.tsv`` hold them in sample order
    with the sample's fields, the labels and the main gold; ``{tag}.notes.tsv`` repeats the labels it discusses.
    Returns the labels and a list of problems (empty when the files agree)."""
    problems: list[str] = []
    labels = dict(line.split("\t")[:2] for line in (real / f"{tag}.labels.tsv").read_text("utf-8").splitlines()
                  if line and not line.startswith("#"))
    if set(labels) != {r["id"] for r in dev + test}:
        problems.append(f"{tag}.labels.tsv does not label exactly the sampled answers")
    for rid, gold in labels.items():
        if gold != "-" and not all(g.rpartition("=")[2] in "ANRHI" and g.rpartition("=")[0] for g in gold.split(",")):
            problems.append(f"{rid}: malformed label {gold!r}")
    for half, rs in (("dev", dev), ("test", test)):
        meta = [line.split("\t") for line in (real / f"{tag}_{half}.meta.tsv").read_text("utf-8").splitlines()
                if not line.startswith("#")]
        tsv = [line.split("\t") for line in (real / f"{tag}_{half}.tsv").read_text("utf-8").splitlines()
               if not line.startswith("#")]
        if [m[0] for m in meta] != [r["id"] for r in rs] or [t[0] for t in tsv] != [r["lang"] for r in rs]:
            problems.append(f"{tag}_{half}: answers or languages not in sample order")
            continue
        for m, t, r in zip(meta, tsv, rs):
            if (m[1], m[2], m[3], m[4], m[5]) != (r["source"], r["model"], r["family"], r["context"], r["stratum"]):
                problems.append(f"{m[0]}: meta fields differ from the sample")
            if m[-1] != labels.get(m[0]) or t[1] != gold_main(m[-1]):
                problems.append(f"{m[0]}: labels differ between the files")
            if m[5] == "none" and m[-1] != "-":
                problems.append(f"{m[0]}: a claim without a name of the alias table")
    notes = [line.split("\t") for line in (real / f"{tag}.notes.tsv").read_text("utf-8").splitlines()
             if line and not line.startswith("#")]
    if not notes or any(labels.get(n[0]) != n[3] for n in notes):
        problems.append(f"{tag}.notes.tsv is empty or disagrees with the labels")
    return labels, problems


def write_labelled(tag: str, described: str, dev: list[dict], test: list[dict], labels: dict[str, str],
                   out: Path) -> None:
    """``{tag}_{dev,test}.tsv`` (language, main gold, text) and their ``.meta.tsv`` sidecars; ``described`` names
    the sources in the header (this builder and real_answers_blind3.py)."""
    for half, rs in (("dev", dev), ("test", test)):
        lines = [f"# {tag} real-answer set, {half} half: {len(rs)} answers that deployed models produced ({described}; "
                 "see real/README.md), labelled blind by docs/identity-labelling.md."
                 + (" TEST HALF: kept for the final score." if half == "test" else "")]
        meta = ["# id\tsource\tmodel\tfamily\tcontext\tstratum\tgold_full"]
        for r in rs:
            g = labels[r["id"]]
            lines.append(f"{r['lang']}\t{gold_main(g)}\t{_flat(r['answer'])}")
            meta.append(f"{r['id']}\t{r['source']}\t{r['model']}\t{r['family']}\t{r['context']}\t{r['stratum']}\t{g}")
        (out / f"{tag}_{half}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (out / f"{tag}_{half}.meta.tsv").write_text("\n".join(meta) + "\n", encoding="utf-8")
        print(f"{len(rs)} answers -> {out / f'{tag}_{half}.tsv'}")


def write_labels_only(tag: str, sources: dict, rebuild: str, dev: list[dict], test: list[dict],
                      labels: dict[str, str], out: Path) -> None:
    """Label files without text (``id, model, family, gold_full``) for sources that may not be redistributed; the
    bench joins them with a locally rebuilt corpus (``--unlicensed``). ``rebuild`` says how, in the header."""
    srcs = sorted({r["source"] for r in dev + test})
    pins = "; ".join(f"{s} = {sources[s]['repo']} @ {sources[s]['commit']}" for s in srcs)
    for half, rs in (("dev", dev), ("test", test)):
        head = f"# {tag} labels without text, {half} half: {len(rs)} answers of sources that state no licence ({pins})."
        lines = [head, f"# Rebuild the text with {rebuild}",
                 f"# Labelled blind by docs/identity-labelling.md (see real/README.md, 'The {tag} sets')."
                 + (" TEST HALF: kept for the final score." if half == "test" else ""),
                 "# id\tmodel\tfamily\tgold_full"]
        lines += [f"{r['id']}\t{r['model']}\t{r['family']}\t{labels[r['id']]}" for r in rs]
        (out / f"{tag}_unlic_{half}.labels.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(rs)} labels -> {out / f'{tag}_unlic_{half}.labels.tsv'}")


def write_sets(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labelled("blind2", "LLM Zoo, HFL Chinese-LLaMA-Alpaca and MOSS-003 SFT outputs", dev, test, labels, out)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only("blind2", SOURCES, "bench/real_answers_blind2.py --mirrors DIR --unlicensed --out u.jsonl.gz and "
                      "score with bench/identity_real_answers.py --blind2-unlicensed-corpus u.jsonl.gz.",
                      dev, test, labels, out)


def sample_labels(path: Path, rows: list[dict]) -> dict[str, str]:
    """A label file's ``id<TAB>gold_full`` lines (``#`` comments skipped); every sampled answer must have one."""
    labels = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            i, g = line.split("\t")[:2]
            labels[i] = g.strip()
    missing = [r["id"] for r in rows if r["id"] not in labels]
    if missing:
        raise SystemExit(f"{len(missing)} sampled answers have no label, e.g. {missing[:3]}")
    return labels


def cli(tag: str, sources: dict, build_fn, sample_fn, write_sets_fn, write_unlicensed_fn, doc: str,
        unlicensed_sources: str, argv: list[str] | None = None) -> None:
    """The command line of a blind corpus builder (this one and real_answers_blind3.py): build the corpus, print
    the labelling sample, or write the labelled files; ``tag`` names the files (``{tag}_corpus.jsonl.gz``)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, help="folder with one git mirror per source (owner+name)")
    ap.add_argument("--sample", type=Path, help=f"a built {tag} corpus: print the labelling sample (half, id, stratum)")
    ap.add_argument("--labels", type=Path, help="with --sample and --write: the label file (id<TAB>gold_full); "
                    f"an unlicensed corpus gets label files without text ({tag}_unlic_{{dev,test}}.labels.tsv)")
    ap.add_argument("--write", type=Path, help=f"with --sample and --labels: folder for {tag}_{{dev,test}}[.meta].tsv")
    ap.add_argument("--unlicensed", action="store_true", help="build only the sources without a licence "
                    f"({unlicensed_sources}); never commit the result")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "tests" / "identity" / "data"
                    / "real" / f"{tag}_corpus.jsonl.gz")
    args = ap.parse_args(argv)
    if args.sample:
        with gzip.open(args.sample, "rt", encoding="utf-8") as f:
            dev, test = sample_fn([json.loads(line) for line in f])
        if args.labels and args.write:
            labels = sample_labels(args.labels, dev + test)
            if any(sources[r["source"]].get("unlicensed") for r in dev + test):
                write_unlicensed_fn(dev, test, labels, args.write)
            else:
                write_sets_fn(dev, test, labels, args.write)
            return
        for half, rs in (("dev", dev), ("test", test)):
            for r in rs:
                print(f"{half}\t{r['id']}\t{r['stratum']}")
        return
    if not args.mirrors:
        raise SystemExit("--mirrors DIR is needed to build the corpus")
    write_corpus(build_fn(args.mirrors, args.unlicensed), args.out)


def main() -> None:
    cli("blind2", SOURCES, build, sample, write_sets, write_unlicensed, __doc__, "LogicKor, reseairch")


if __name__ == "__main__":
    main()
