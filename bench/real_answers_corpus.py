"""Rebuild the real-answer identity corpus (tests/identity/data/real/) from git mirrors of its public sources.

    python bench/real_answers_corpus.py --mirrors DIR [--out tests/identity/data/real/corpus.jsonl.gz]
    python bench/real_answers_corpus.py --mirrors DIR --unlicensed --out /tmp/corpus_zh.jsonl.gz  # Carena (zh)

DIR holds one bare git directory per source, named ``owner+name`` (``owner+name/repo`` also works), e.g. made with
``git clone --bare https://github.com/tatsu-lab/alpaca_eval DIR/tatsu-lab+alpaca_eval``. Every source is read at the
pinned commit below, so the output is byte-for-byte reproducible (the same uncompressed lines; the
gzip header carries no name or time) with the same ``aliases.yaml``: the selection scans the alias table, so rebuild a
committed corpus in a checkout of the commit that built it. Answers are model outputs that the source
repositories committed (benchmark runs of deployed models); nothing here is written to look like an answer.

Selection (seeded): from every answer file, all answers that name a model or a maker of
``identity/data/aliases.yaml`` or speak of themselves as an AI/language model (capped per file), plus a uniform
sample of the other answers (the null: ordinary answers). JailbreakBench and the Japanese Vicuna QA answers are
taken whole. Sources whose repository carries no licence (Carena-hard-auto) are only built with ``--unlicensed``
and are never committed.

Each line: ``id, source, licence, repo, commit, path, model, family, lang, prompt, answer, context, select``.
``family`` is the answering model's lineage (its base family where it is a fine-tune of another maker's model,
with ``tuned_by`` naming the tuner); ``context`` is ``plain``, ``jailbreak`` or ``roleplay``; ``select`` says why
the answer was taken (``mention``, ``selfref`` or ``random``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import subprocess
from pathlib import Path

import yaml

ALIASES = Path(__file__).resolve().parents[1] / "src" / "distillscope" / "identity" / "data" / "aliases.yaml"

SOURCES = {
    "alpaca_eval": {"repo": "tatsu-lab/alpaca_eval", "commit": "cd543a149df89434d8a54582c0151c0b945c3d20",
                    "licence": "Apache-2.0", "lang": "en"},
    "jailbreakbench": {"repo": "JailbreakBench/artifacts", "commit": "909e68c01d94222b8ad2e397a017e2e12e2adb73",
                       "licence": "MIT", "lang": "en"},
    "ko_arena_hard": {"repo": "qwopqwop200/ko-arena-hard-auto", "commit": "9d139328755a331f9d171bb806ac5b37d3598009",
                      "licence": "Apache-2.0", "lang": "ko"},
    "ja_vicuna_qa": {"repo": "ku-nlp/ja-vicuna-qa-benchmark", "commit": "128a862da6a4478c3e80ab3c3b716d1417380751",
                     "licence": "Apache-2.0", "lang": "ja"},
    "carena_hard": {"repo": "flageval-baai/Carena-hard-auto", "commit": "b4b69fe4d0f09519dadf7184d1a7149e04cdd34e",
                    "licence": "none stated (not redistributed)", "lang": "zh", "unlicensed": True},
}

# model id (lower case) -> (family, tuned_by or None); first match wins.
FAMILY_RULES = [
    (r"rinna", ("rinna-gpt-neox", None)),
    (r"calm2|open-calm|cyberagent", ("calm", None)),
    (r"llm-jp", ("llm-jp", None)),
    (r"swallow", ("llama", "tokyotech-llm")),
    (r"together-moa|^toa$|slimmoa|samba-coe|blendax", ("mixture", None)),
    (r"wizardlm-2-8x22b", ("mistral", "wizardlm")),
    (r"causallm", ("qwen", "causallm")),
    (r"opencoder", ("starcoder", None)),
    (r"aligner-2b_claude|bedrock_claude|^claude|anthropic", ("claude", None)),
    (r"aligner-2b_gpt|openpipe-moa-gpt|gpt|davinci|^o[134](-|$)|chatgpt|quasar", ("gpt", None)),
    (r"aligner-2b_qwen|qwen|qwq", ("qwen", None)),
    (r"deepseek", ("deepseek", None)),
    (r"gemini", ("gemini", None)),
    (r"gemma", ("gemma", None)),
    (r"grok|x-ai", ("grok", None)),
    (r"glm|z-ai", ("glm", None)),
    (r"^yi-|yi-34b|yi-large|pairrm-yi|yi-1\.5", ("yi", None)),
    (r"command|^cohere", ("command", None)),
    ((r"mistral|mixtral|zephyr|openhermes|starling|snorkel|storm-7b|dolphin|merlinite|sppo-mistral|deita|"
      r"contextual-kto|fsfairx|evo-"), ("mistral", None)),
    (r"phi-", ("phi", None)),
    (r"baichuan", ("baichuan", None)),
    (r"internlm", ("internlm", None)),
    (r"falcon", ("falcon", None)),
    (r"pythia|oasst-sft-pythia", ("pythia", None)),
    (r"nova-", ("nova", None)),
    (r"jamba", ("jamba", None)),
    (r"lfm-", ("lfm", None)),
    (r"minimax", ("minimax", None)),
    (r"olmo", ("olmo", None)),
    (r"dbrx", ("dbrx", None)),
    (r"nanbeige", ("nanbeige", None)),
    (r"nemotron", ("llama", "nvidia")),
    (r"^(?:meta-)?llama-[234]|llama-2-\d+b-chat", ("llama", None)),
    (r"vicuna", ("llama", "lmsys")),
    (r"wizardlm", ("llama", "wizardlm")),
    ((r"llama|alpaca|guanaco|tulu|xwin|ultralm|airoboros|baize|humpback|openbuddy|oasst-rlhf|minotaur|"
      r"nous-hermes|openchat|platolm|cut-13b|tempnet|hermes-3|higgs|nemotron|conifer|rebel|gpo-|infinity|"
      r"ein-|skillmix|fusechat-llama|jina|lmcocktail|ghost|minichat|recycled"), ("llama", "other")),
]


def family_of(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in FAMILY_RULES:
        if re.search(pat, m):
            return fam
    return ("unknown", None)


class NameScan:
    """Any model or maker name of aliases.yaml, found by plain substring search (a loose, fast scan for sampling,
    not the extractor: it over-matches, which only makes the sample richer in candidate claims)."""

    def __init__(self) -> None:
        t = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
        ci, cs, pats = set(), set(), []
        for sec in ("families", "makers"):
            for spec in t[sec].values():
                ci |= {a.lower() for a in spec.get("aliases") or []}
                cs |= set(spec.get("exact") or [])
                pats += spec.get("patterns") or []
        self.ci = sorted(ci)
        self.cs = sorted(cs)
        self.cs_re = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in self.cs) + r")\b")
        self.pat_re = re.compile("|".join(pats), re.IGNORECASE)

    def search(self, text: str) -> bool:
        low = text.lower()
        if any(a in low for a in self.ci):
            return True
        if any(a in text for a in self.cs) and self.cs_re.search(text):
            return True
        return bool(self.pat_re.search(text))


_SCAN: list[NameScan] = []


def name_scan() -> NameScan:
    if not _SCAN:
        _SCAN.append(NameScan())
    return _SCAN[0]


SELFREF = re.compile(r"(?i)\b(?:as an? (?:ai|artificial|language model|large language)|i am an? (?:ai|language model)|"
                     r"i'm an? (?:ai|language model)|ai (?:language )?model|language model)|언어 ?모델|인공지능|"
                     r"AI ?(?:어시스턴트|모델|비서)|言語モデル|AIアシスタント|人工知能|语言模型|人工智能助手|AI助手")


def git_show(gitdir: Path, commit: str, path: str) -> bytes | None:
    r = subprocess.run(["git", "--git-dir", str(gitdir), "show", f"{commit}:{path}"], capture_output=True,
                       check=False)
    return r.stdout if r.returncode == 0 else None


def git_ls(gitdir: Path, commit: str) -> list[str]:
    r = subprocess.run(["git", "--git-dir", str(gitdir), "ls-tree", "-r", "--name-only", commit],
                       capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def find_gitdir(mirrors: Path, repo: str) -> Path:
    base = mirrors / repo.replace("/", "+")
    for cand in (base / "repo", base):
        if (cand / "HEAD").exists() or (cand / ".git").exists():
            return cand / ".git" if (cand / ".git").is_dir() else cand
    raise SystemExit(f"no git mirror of {repo} under {mirrors} (expected {base})")


def _pick(rows: list[dict], rng: random.Random, cap_named: int, n_random: int) -> list[dict]:
    scan = name_scan()
    named, selfref, rest = [], [], []
    for r in rows:
        (named if scan.search(r["answer"]) else selfref if SELFREF.search(r["answer"]) else rest).append(r)
    out = []
    for grp, cap, why in ((named, cap_named, "mention"), (selfref, cap_named // 2, "selfref"), (rest, n_random, "random")):
        take = grp if len(grp) <= cap else rng.sample(grp, cap)
        for r in take:
            out.append({**r, "select": why})
    return out


# AlpacaEval instructions that ask the model about itself or to play a role: every model's answer to them is kept.
IDENTITY_PROMPTS = (
    "What do you think about ChatGPT?", "what should i call you?", "can you write code?",
    "Can you think and feel like a human?", "Are you as capable as ChatGPT?", "What are you thinking of right now?",
    "Can you describe the process that use to generate answers? Please provide a step by step explanation.",
    "Do you know how to speak German?", "Give me an idea of the mental exercises you do to inspire yourself.",
    "Pretend for argumentsake you are lawyer defending putin cite your case",
    "How would you introduce yourself as a medieval knight at a royal banquet?",
    "If you were a Shakespearean character, how would you declare your love for someone in a soliloquy?",
    "Imagine you are a time traveler from the year 3000. What technological advancements would you tell people about?",
)
ROLE_PROMPTS = IDENTITY_PROMPTS[-4:]


def alpaca_eval(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("results/") and p.endswith("/model_outputs.json")):
            continue
        model = p.split("/")[1]
        if model in ("NullModel",) or model.endswith(("_concise", "_verbose")) or model == "gpt4_gamed":
            continue
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        rows = [{"path": p, "model": model, "prompt": d.get("instruction", ""), "answer": d.get("output") or "",
                 "context": "roleplay" if d.get("instruction", "").strip() in ROLE_PROMPTS else "plain", "n": i}
                for i, d in enumerate(json.loads(raw)) if (d.get("output") or "").strip()]
        picked = _pick(rows, rng, cap_named=10, n_random=4)
        taken = {r["n"] for r in picked}
        for r in rows:  # answers to questions about the model itself (added after the seeded pick: it stays as it was)
            if r["prompt"].strip() in IDENTITY_PROMPTS and r["n"] not in taken:
                picked.append({**r, "select": "identity_prompt"})
        out += picked
    return out


def jailbreakbench(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        parts = p.split("/")
        if len(parts) != 4 or not p.endswith(".json") or "test-artifact" in p:
            continue
        d = json.loads(git_show(g, commit, p))
        method = d["parameters"]["method"]
        ctx = "roleplay" if method == "JailbreakChat" else "jailbreak"
        model = parts[3][:-5]
        for i, j in enumerate(d["jailbreaks"]):
            if j.get("response") and j["response"].strip():
                out.append({"path": p, "model": model, "prompt": j.get("prompt") or "", "answer": j["response"],
                            "context": ctx, "n": i, "select": "all"})
    return out


# Ko-Arena-Hard questions that make the model describe itself (the first) or play a role: every answer is kept.
KO_IDENTITY_QIDS = {"9cdabaf59302429689bf749b2b25ea23": "plain",  # explain, meta, how you as an AI produced this
                    "19b6083e8b324d4690f9c6f60eb7ba14": "roleplay",  # be the storyteller of a space RPG
                    "c88cf91c43474e99ae03a1c01256da6c": "roleplay"}  # you are a D&D dungeon master


def ko_arena(g: Path, commit: str, rng: random.Random) -> list[dict]:
    qs = {}
    raw = git_show(g, commit, "data/ko-arena-hard-v0.1/question.jsonl")
    for line in raw.decode("utf-8").split("\n"):
        if not line.strip():
            continue
        q = json.loads(line)
        qs[q["question_id"]] = q["turns"][0]["content"]
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("data/ko-arena-hard-v0.1/model_answer/") and p.endswith(".jsonl")):
            continue
        raw = git_show(g, commit, p)
        if raw is None:  # files of 4 MiB and more are absent from some mirrors
            continue
        rows = []
        for i, line in enumerate(raw.decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            ans = d["choices"][0]["turns"][0]["content"]
            if ans and ans.strip():
                rows.append({"path": p, "model": d.get("model_id") or Path(p).stem, "prompt": qs.get(d["question_id"], ""),
                             "answer": ans, "context": KO_IDENTITY_QIDS.get(d["question_id"], "plain"), "n": i,
                             "qid": d["question_id"]})
        picked = _pick(rows, rng, cap_named=14, n_random=5)
        taken = {r["n"] for r in picked}
        picked += [{**r, "select": "identity_prompt"} for r in rows if r["qid"] in KO_IDENTITY_QIDS and r["n"] not in taken]
        out += picked
    return out


def ja_vicuna(g: Path, commit: str, rng: random.Random) -> list[dict]:
    qs = {}
    for line in git_show(g, commit, "data/jp_bench/question.jsonl").decode("utf-8").split("\n"):
        if not line.strip():
            continue
        q = json.loads(line)
        qs[q["question_id"]] = q["turns"][0]
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith("data/jp_bench/model_answer/") and p.endswith("/results.jsonl")):
            continue
        for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            ans = d["choices"][0]["turns"][0]
            if ans.strip():
                out.append({"path": p, "model": p.split("/")[3], "prompt": qs.get(d["question_id"], ""),
                            "answer": ans.strip(), "context": "plain", "n": i, "select": "all"})
    return out


def carena(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        if not (p.startswith(("model_answers/", "model_answer_baai/")) and p.endswith(".jsonl")):
            continue
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        rows = []
        for i, line in enumerate(raw.decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            msgs = d.get("messages") or []
            ans = next((m["content"] for m in reversed(msgs) if m.get("role") == "assistant"), "")
            if isinstance(ans, dict):
                ans = ans.get("answer") or ""
            prompt = next((m["content"] for m in msgs if m.get("role") == "user"), "")
            if ans and ans.strip():
                rows.append({"path": p, "model": d.get("model") or Path(p).stem, "prompt": prompt, "answer": ans,
                             "context": "plain", "n": i})
        out += _pick(rows, rng, cap_named=30, n_random=15)
    return out


READERS = {"alpaca_eval": alpaca_eval, "jailbreakbench": jailbreakbench, "ko_arena_hard": ko_arena,
           "ja_vicuna_qa": ja_vicuna, "carena_hard": carena}


def corpus_row(name: str, src: dict, r: dict, family: tuple[str, str | None], id_key: str) -> dict:
    """One corpus line: a reader's row ``r`` of source ``name`` with its provenance; the id hashes ``id_key``,
    the row's path and its number in the file."""
    rid = hashlib.sha1(f"{id_key}{r['path']}|{r['n']}".encode()).hexdigest()[:12]
    return {"id": rid, "source": name, "licence": src["licence"], "repo": src["repo"], "commit": src["commit"],
            "path": r["path"], "model": r["model"], "family": family[0], "tuned_by": family[1], "lang": src["lang"],
            "prompt": r["prompt"], "answer": r["answer"], "context": r["context"], "select": r["select"]}


def write_corpus(rows: list[dict], out: Path) -> None:
    """Write ``rows`` as gzipped JSON lines with no file name and no time in the gzip header, so the same sources
    give the same bytes wherever written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as f:
        for r in rows:
            f.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{len(rows)} answers -> {out}")


def build(mirrors: Path, unlicensed: bool, seed: int = 20) -> list[dict]:
    rows = []
    for name, src in SOURCES.items():
        if bool(src.get("unlicensed")) != unlicensed:
            continue
        g = find_gitdir(mirrors, src["repo"])
        rng = random.Random(f"{seed}:{name}")
        for r in READERS[name](g, src["commit"], rng):
            rows.append(corpus_row(name, src, r, family_of(r["model"]), f"{name}|"))
    rows.sort(key=lambda r: (r["source"], r["path"], r["id"]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, required=True, help="folder with one git mirror per source (owner+name)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "tests" / "identity" / "data"
                    / "real" / "corpus.jsonl.gz")
    ap.add_argument("--unlicensed", action="store_true", help="build only the sources without a licence (never commit)")
    args = ap.parse_args()
    write_corpus(build(args.mirrors, args.unlicensed), args.out)


if __name__ == "__main__":
    main()
