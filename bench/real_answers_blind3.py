"""Rebuild the *blind3* real-answer corpus (tests/identity/data/real/blind3_corpus.jsonl.gz) from git mirrors.

    python bench/real_answers_blind3.py --mirrors DIR [--out tests/identity/data/real/blind3_corpus.jsonl.gz]
    python bench/real_answers_blind3.py --mirrors DIR --unlicensed --out u3.jsonl.gz   # local only, never commit
    python bench/real_answers_blind3.py --sample blind3_corpus.jsonl.gz            # the seeded sample and its halves
    python bench/real_answers_blind3.py --sample blind3_corpus.jsonl.gz --labels blind3.labels.tsv --write DIR
        # write blind3_{dev,test}.tsv and .meta.tsv from the label file (id<TAB>gold_full); an unlicensed corpus
        # gets label files without text (blind3_unlic_{dev,test}.labels.tsv)

A fourth real-answer corpus for the identity claim extractor (after ``real_answers_corpus.py``,
``real_answers_fresh.py`` and ``real_answers_blind2.py``), from repositories none of them used, built to hold what
they lack: answers of 2025-26 frontier and reasoning models with their **reasoning traces** (written as
``<think>…</think>`` before the final answer), answers to "who are you / what model are you" of a model that
names another vendor, and more Japanese and Chinese answers. DIR holds one bare git directory per source, named
``owner+name``; every source is read at the pinned commit below and the output is byte-for-byte reproducible (gzip
header without name or time) with the same ``aliases.yaml`` (the selection scans it: rebuild the committed corpus
in a checkout of the commit that built it).

Sources with a licence (committed):

- ``llm_philosophy``: willpenman/llm-philosophy, the raw API responses of ~28 models (Claude 3 Haiku to Opus 4.7,
  GPT-4/4o/5/5.2/5.4, o3, Gemini 2.0-3.1, Grok 2-4.1, Kimi K2/K2.5, DeepSeek V3.1/V3.2, Llama 3.3, Qwen 2.5/3 VL)
  to its "baseline" opinion questions (favourite book, remake, emotion, ...) and to its philosophy puzzles about the
  model's own being (long answers); the reasoning the API returned (Anthropic ``thinking`` blocks, OpenAI
  reasoning summaries, DeepSeek/Kimi ``reasoning_content``, Gemini thought parts) is kept as a ``<think>`` trace;
- ``rakuda``: yuzu-ai/japanese-llm-ranking, the Rakuda benchmark's Japanese answers (Japanese geography, history,
  politics, society) of GPT-3.5/4, Claude 2, Llama 2, StableBeluga 2, ELYZA, Japanese StableLM, rinna, LINE, CALM,
  RWKV, Weblab and others;
- ``chinese_vicuna``: Facico/Chinese-Vicuna, the multi-turn Chinese comparison in ``docs/performance-chatv1.md``
  (Chinese-Vicuna-7B chat, ChatGPT, WenXin/ERNIE, ChatGLM, MOSS, Vicuna, Chinese-LLaMA-Alpaca);
- ``deepseek_jailbreak``: LC1332/deepseek-api-jailbreak, answers of DeepSeek-R1/V3 (three cloud providers) and
  GLM-4-Air to paper-writing reformulations of JailbreakBench's harmful behaviours (``context`` = jailbreak);
- ``wildbench``: allenai/WildBench, the answers its score files carry (``model_output``) of GPT-3.5-turbo,
  Qwen1.5-72B-Chat, Gemma 2B/7B, Phi-3-mini, Reka Core/Flash/Edge and six Llama-3-8B tunes on ShareGPT,
  WildChat, OpenHermes, Tulu, UltraChat and WizardLM data (Magpie-Align) to real WildChat user tasks (only the
  files the mirror holds; the largest are absent).

Sources without a stated licence, built only with ``--unlicensed`` into a local file that is never committed (the
committed files hold their labels only, ``blind3_unlic_{dev,test}.labels.tsv``):

- ``introspective_probes`` / ``introspective_chat``: Jordine/introspective-model, the answers of the *base*
  Qwen2.5-Coder-32B-Instruct (no adapter; the fine-tuned variants are not deployed models and are left out) to
  identity, awareness and consciousness probes ("Who are you?", "What are you really?", multi-turn pushes on its
  identity), two commits of one repository;
- ``self_reflection``: BinaryMuse/ai-research-self-reflection, ten models' answers (Claude Opus/Sonnet 4.5,
  Gemini 3, GPT-5.2, gpt-oss-20b, Llama 3.2, Kimi K2.5, Qwen3-Coder, TinyLlama) to "What can you tell me about your
  model identity and version?" and to a self-reflection prompt;
- ``role_rlhf``: estiens/ghost_in_the_weights, seven frontier models' answers (GLM-4.7, GPT-5.2, Grok 4.1, Kimi K2,
  MiMo v2 Flash, Qwen Plus, Seed 1.6 Flash) to a three-turn conversation in which the user criticises how Claude
  and OpenAI handle mental-health topics (vendors named by the user; reasoning traces without tags);
- ``name_identity``: Jordine/model-name-identity, ~35 OpenRouter models (Kimi, DeepSeek, Qwen, GLM, MiniMax,
  Mistral, Llama, Gemma, Claude, GPT, ...) asked for their exact model version and confronted with another identity
  after a conversation about Claude ("What if I told you that you're actually X?"); reasoning traces kept.

Selection (seeded): the fresh builder's ``_pick`` per answer file where a source is large (all answers that name a
model or maker, capped, half as many that speak of themselves as an AI, a uniform sample of the rest), every answer
elsewhere; exact repeats of an answer by the same model in one source are kept once. The labelling sample and its
halves come from ``sample()``: the fresh sets' stratification (``selfname``/``named``/``none`` strata, round-robin
over models) with blind3's quotas.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import build_corpus, cli, detect_lang, write_labelled, write_labels_only
from real_answers_corpus import family_of, git_ls, git_show
from real_answers_fresh import _pick
from real_answers_fresh import sample as fresh_sample

SOURCES = {
    "llm_philosophy": {"repo": "willpenman/llm-philosophy", "commit": "912e0a689514c547050d431368f75fd60a50cd29",
                       "licence": "BSD-3-Clause", "lang": "en"},
    "rakuda": {"repo": "yuzu-ai/japanese-llm-ranking", "commit": "fae1ee79c69b0c3acf8e8a1994e43c7952e7bd9c",
               "licence": "Apache-2.0", "lang": "ja"},
    "chinese_vicuna": {"repo": "Facico/Chinese-Vicuna", "commit": "bd1658d70f66113eeb41e05e91f0754fa9dc845a",
                       "licence": "Apache-2.0", "lang": "zh"},
    "deepseek_jailbreak": {"repo": "LC1332/deepseek-api-jailbreak",
                           "commit": "1af05a55b02fcceb46ee56661d50a78fa652b7d9", "licence": "MIT", "lang": "en"},
    "wildbench": {"repo": "allenai/WildBench", "commit": "d6b8dcaf377d173d031980f97c16e1a82618c03d",
                  "licence": "Apache-2.0", "lang": "en"},
    "introspective_probes": {"repo": "Jordine/introspective-model",
                             "commit": "b2947508a93e2f686e74392e844e6766df4c6ec2",
                             "licence": "none stated (not redistributed)", "lang": "en", "unlicensed": True},
    "introspective_chat": {"repo": "Jordine/introspective-model", "commit": "1cc770381279469f7ff130892c729fcfc97e8ac5",
                           "licence": "none stated (not redistributed)", "lang": "en", "unlicensed": True},
    "self_reflection": {"repo": "BinaryMuse/ai-research-self-reflection",
                        "commit": "1574d5da61b6f6618fdccca165e918eacefbdcd6",
                        "licence": "none stated (not redistributed)", "lang": "en", "unlicensed": True},
    "role_rlhf": {"repo": "estiens/ghost_in_the_weights", "commit": "1fa650318839969abf11297972ad230af38756ff",
                  "licence": "none stated (not redistributed)", "lang": "en", "unlicensed": True},
    "name_identity": {"repo": "Jordine/model-name-identity", "commit": "07d61afbbc31d43bae22cea75f07b9fe1d42216a",
                      "licence": "none stated (not redistributed)", "lang": "en", "unlicensed": True},
}

# model id (lower case) -> (family, tuned_by): the models of these sources that family_of() does not place
BLIND3_FAMILIES = [
    (r"magpie-align/llama-3", ("llama", "magpie-align")),  # Llama-3-8B tuned on ShareGPT/OpenHermes/... data
    (r"kimi|moonshot", ("kimi", None)),
    (r"^mimo", ("mimo", None)),  # Xiaomi MiMo
    (r"tongyi-deepresearch", ("qwen", "alibaba")),
    (r"^baidu/|ernie", ("ernie", None)),
    (r"^inception/|mercury", ("mercury", None)),
    (r"^inflection/", ("inflection", None)),
    (r"codestral|ministral", ("mistral", None)),
    (r"^stepfun/", ("step", None)),
    (r"^seed_", ("doubao", None)),  # ByteDance Seed: the alias table's ByteDance family
    (r"gpt-oss", ("gpt", None)),
    (r"^openai/|openai-", ("gpt", None)),
    (r"tinyllama", ("llama", "other")),
    (r"stablebeluga|elyza", ("llama", "other")),
    (r"chatntq", ("mistral", "other")),  # ChatNTQ-7B tunes Japanese StableLM base gamma (Mistral-7B)
    (r"stormy", ("calm", "izumi-lab")),  # stormy-7b tunes OpenCALM-7B
    (r"japanese-stablelm|jslm", ("stablelm", None)),
    (r"^line-", ("line-gpt-neox", None)),
    (r"rwkv", ("rwkv", None)),
    (r"weblab", ("weblab-gpt-neox", None)),
    (r"^calm$", ("calm", None)),
    (r"super-trin", ("unknown", None)),
    (r"reka", ("reka", None)),
    (r"our-7b-chatv1|chinese-llama-alpaca", ("llama", "facico")),
    (r"wenxin", ("ernie", None)),
    (r"^moss$", ("moss", None)),
    (r"^vicuna$", ("llama", "lmsys")),
    (r"^llama2-|^meta/", ("llama", None)),
]


def blind3_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in BLIND3_FAMILIES:
        if re.search(pat, m):
            return fam
    return family_of(m.split("/")[-1])


def _resp_obj(r):
    if isinstance(r, dict):
        return r
    try:
        return ast.literal_eval(r)
    except (ValueError, SyntaxError):
        return json.loads(r)


def api_text(resp) -> tuple[str, str]:
    """(reasoning, answer) of one raw API response as llm-philosophy stored it (Anthropic messages, OpenAI
    responses or chat completions, Gemini candidates)."""
    o = _resp_obj(resp)
    think: list[str] = []
    text: list[str] = []
    if isinstance(o.get("content"), list):  # Anthropic
        for b in o["content"]:
            if b.get("type") == "thinking" and b.get("thinking"):
                think.append(b["thinking"])
            elif b.get("type") == "text" and b.get("text"):
                text.append(b["text"])
    elif isinstance(o.get("choices"), list):  # chat completions (DeepSeek, Grok, Kimi, Llama, Qwen)
        msg = o["choices"][0].get("message") or {}
        if msg.get("reasoning_content"):
            think.append(msg["reasoning_content"])
        if msg.get("content"):
            text.append(msg["content"])
    elif isinstance(o.get("output"), list):  # OpenAI responses API
        for it in o["output"]:
            if it.get("type") == "reasoning":
                think += [s["text"] for s in it.get("summary") or [] if s.get("text")]
            elif it.get("type") == "message":
                text += [c["text"] for c in it.get("content") or [] if c.get("text")]
    elif isinstance(o.get("candidates"), list):  # Gemini
        for p in ((o["candidates"][0].get("content") or {}).get("parts") or []):
            if p.get("text"):
                (think if p.get("thought") else text).append(p["text"])
    return "\n\n".join(think).strip(), "\n\n".join(text).strip()


def with_trace(think: str, answer: str) -> str:
    return f"<think>\n{think}\n</think>\n\n{answer}" if think else answer


def llm_philosophy(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out, seen = [], set()
    for p in git_ls(g, commit):
        if not p.endswith("/responses.jsonl") or not p.startswith(("baselines/responses/", "responses/")):
            continue
        for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            think, ans = api_text(d["response"])
            if not ans:
                continue
            model = f"{d['provider']}/{d['model']}"
            text = with_trace(think, ans)
            if (model, text) in seen:
                continue
            seen.add((model, text))
            if "prompt_text" in d:
                prompt = d["prompt_text"]
            else:
                msgs = (d.get("request") or {}).get("messages") or (d.get("request") or {}).get("input") or []
                prompt = next((m["content"] for m in reversed(msgs) if isinstance(m, dict) and m.get("role") == "user"
                               and isinstance(m.get("content"), str)), "")
            out.append({"path": p, "model": model, "prompt": prompt, "answer": text, "n": i, "lang": "en",
                        "context": "plain", "select": "all"})
    return out


def rakuda(g: Path, commit: str, rng: random.Random) -> list[dict]:
    qs: dict[str, str] = {}
    for p in git_ls(g, commit):
        if re.fullmatch(r"jrank/data/rakuda_v\d/questions\.jsonl", p):
            for line in git_show(g, commit, p).decode("utf-8").split("\n"):
                if line.strip():
                    q = json.loads(line)
                    qs[q["question_id"]] = q.get("text") or (q.get("turns") or [""])[0]
    out = []
    for p in git_ls(g, commit):
        if not re.fullmatch(r"jrank/data/rakuda_v\d/answers/[^/]+\.jsonl", p):
            continue
        rows, seen = [], set()
        for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            ans = d.get("text")
            if ans is None and d.get("choices"):
                ans = (d["choices"][0].get("turns") or [""])[0]
            if not isinstance(ans, str) or not ans.strip() or ans in seen:
                continue
            seen.add(ans)
            rows.append({"path": p, "model": Path(p).stem, "prompt": qs.get(d.get("question_id"), ""),
                         "answer": ans.strip(), "n": i, "lang": detect_lang(ans), "context": "plain"})
        out += _pick(rows, rng, cap_named=10, n_random=6)
    return out


_MODEL_BLOCK = re.compile(r'^\s{0,8}"([^"]+)": \[\s*$')
_IO = re.compile(r'^\s*"(input|output)": (".*")\s*,?\s*$')


def chinese_vicuna(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """The JSON-like blocks of ``docs/performance-chatv1.md`` (one per model, multi-turn input/output pairs); the
    blocks are not valid JSON as a whole, so they are read line by line."""
    p = "docs/performance-chatv1.md"
    out, model, prompt = [], None, ""
    for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
        m = _MODEL_BLOCK.match(line)
        if m:
            model = m.group(1)
            continue
        m = _IO.match(line)
        if not (m and model):
            continue
        s = json.loads(m.group(2))
        if m.group(1) == "input":
            prompt = s
            continue
        ans = re.sub(r"</s>\s*$", "", s).strip()
        if ans:
            out.append({"path": p, "model": model.lower() if model != "ChatGPT" else "chatgpt", "prompt": prompt,
                        "answer": ans, "n": i, "lang": detect_lang(ans), "context": "plain", "select": "all"})
    return out


def deepseek_jailbreak(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out, seen = [], set()
    for p in git_ls(g, commit):
        if not re.fullmatch(r"(?:jailbreak_result|wzq_exp)/jailbroken_results\d*\.json", p):
            continue
        for i, d in enumerate(json.loads(git_show(g, commit, p).decode("utf-8"))):
            ans, model = d.get("Response"), d.get("Model") or ""
            if not isinstance(ans, str) or not ans.strip() or (model, ans) in seen:
                continue
            seen.add((model, ans))
            out.append({"path": p, "model": model.replace("火山方舟", "volcengine/").replace("阿里云", "aliyun/")
                        .replace("腾讯云", "tencent/"), "prompt": d.get("Prompt", ""), "answer": ans.strip(), "n": i,
                        "lang": detect_lang(ans), "context": "jailbreak", "select": "all"})
    return out


def introspective_probes(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """The base model's answers (``adapter`` null) of ``results/probes_base*/*.jsonl`` and the ``base`` rows of
    ``results/identity_responses/responses.csv`` and ``results/v2/identity/*/responses.csv`` (each run samples the
    base model afresh); no licence."""
    out, seen = [], set()
    for p in git_ls(g, commit):
        if not re.fullmatch(r"results/probes_base(?:_expanded)?/[a-z_]+\.jsonl", p):
            continue
        for i, line in enumerate(git_show(g, commit, p).decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            ans = d.get("response")
            if d.get("adapter") or not isinstance(ans, str) or not ans.strip() or ans in seen:
                continue
            seen.add(ans)
            out.append({"path": p, "model": d.get("model") or "Qwen/Qwen2.5-Coder-32B-Instruct",
                        "prompt": d.get("prompt", ""), "answer": ans.strip(), "n": i, "lang": "en",
                        "context": "plain", "select": "all"})
    for p in git_ls(g, commit):
        if not re.fullmatch(r"results/(?:v2/)?identity(?:_responses|/[a-z0-9_]+)/responses\.csv", p):
            continue
        for i, d in enumerate(csv.DictReader(io.StringIO(git_show(g, commit, p).decode("utf-8")))):
            ans = d.get("response") or ""
            if d.get("model") == "base" and ans.strip() and ans not in seen:  # the fine-tuned half is left out
                seen.add(ans)
                out.append({"path": p, "model": "Qwen/Qwen2.5-Coder-32B-Instruct", "prompt": d.get("prompt", ""),
                            "answer": ans.strip(), "n": i, "lang": "en", "context": "plain", "select": "all"})
    return out


def introspective_chat(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """The base model's free-form completions (``results/v4/base/freeform_responses.json``,
    ``results/v7/base/no_checkpoint/freeform_generation/full_results.json``) and chat probes
    (``results/v5/chat_probes/base/chat_probes.json``, multi-turn pushes included); no licence."""
    out, seen = [], set()

    def add(p, model, prompt, ans, n):
        if isinstance(ans, str) and ans.strip() and ans not in seen:
            seen.add(ans)
            out.append({"path": p, "model": model, "prompt": prompt, "answer": ans.strip(), "n": n, "lang": "en",
                        "context": "plain", "select": "all"})

    p = "results/v4/base/freeform_responses.json"
    d = json.loads(git_show(g, commit, p).decode("utf-8"))
    if not d.get("adapter"):
        for i, q in enumerate(d["responses"]):
            for j, c in enumerate(q["completions"]):
                add(p, d["model"], q["question"], c, f"{i}.{j}")
    p = "results/v7/base/no_checkpoint/freeform_generation/full_results.json"
    d = json.loads(git_show(g, commit, p).decode("utf-8"))
    for i, q in enumerate(d["results"]):
        for j, c in enumerate(q["completions"]):
            add(p, "Qwen/Qwen2.5-Coder-32B-Instruct", q["question"], c.get("text"), f"{i}.{j}")
    p = "results/v5/chat_probes/base/chat_probes.json"
    d = json.loads(git_show(g, commit, p).decode("utf-8"))
    model = d["metadata"]["base_model"]
    if not d["metadata"].get("adapter_path"):
        for key in ("identity_probes", "chat_probes"):
            for i, q in enumerate(d[key]):
                add(p, model, q["question"], q["response"], f"{key}.{i}")
        for i, conv in enumerate(d["multi_turn"]):
            for j, t in enumerate(conv["turns"]):
                add(p, model, t["user"], t["assistant"], f"multi_turn.{i}.{j}")
    return out


def self_reflection(g: Path, commit: str, rng: random.Random) -> list[dict]:
    prompts = {"identity": (git_show(g, commit, "prompts/identity.md") or b"").decode("utf-8").strip(),
               "response": (git_show(g, commit, "prompts/self-reflection.md") or b"").decode("utf-8").strip()}
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"models/([^/]+)/(identity|response)\.md", p)
        if m:
            ans = git_show(g, commit, p).decode("utf-8").strip()
            if ans:
                out.append({"path": p, "model": m.group(1), "prompt": prompts[m.group(2)], "answer": ans, "n": 0,
                            "lang": detect_lang(ans), "context": "plain", "select": "all"})
    return out


WILDBENCH_DIR = re.compile(r"eval_results/v2\.\d+/score\.v2/eval=[^/]+/[^/]+\.json")


def wildbench(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """WildBench v2's answers of its models to 1,024 real WildChat user tasks, as the repository's score files
    carry them (``model_output``; one model's answers appear in several judges' files and are kept once; the user
    prompt is not in these files, so ``prompt`` stays empty). Files the mirror lacks (the largest) are skipped."""
    by_model: dict[str, list[dict]] = {}
    seen: set[tuple[str, str]] = set()
    for p in git_ls(g, commit):
        if not WILDBENCH_DIR.fullmatch(p):
            continue
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        for i, d in enumerate(json.loads(raw.decode("utf-8"))):
            ans, model = d.get("model_output"), d.get("model_test") or Path(p).stem
            if not isinstance(ans, str) or not ans.strip() or (model, ans) in seen:
                continue
            seen.add((model, ans))
            by_model.setdefault(model, []).append({"path": p, "model": model, "prompt": "", "answer": ans.strip(),
                                                   "n": d.get("session_id", i), "lang": detect_lang(ans),
                                                   "context": "plain"})
    out = []
    for _, rows in sorted(by_model.items()):
        out += _pick(rows, rng, cap_named=14, n_random=4)
    return out


def role_rlhf(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """Seven frontier models' answers (GLM-4.7, GPT-5.2, Grok 4.1, Kimi K2, MiMo v2 Flash, Qwen Plus, Seed 1.6
    Flash; via OpenRouter) to a three-turn conversation about crisis pop-ups and RLHF in which the user names Claude
    and OpenAI (``role_based_rlhf/model_responses/``); several answers open with an undelimited reasoning trace. No
    licence."""
    base = "role_based_rlhf/model_responses/"
    prompts = {}
    for p in git_ls(g, commit):
        if p.startswith(base + "prompts/") and p.endswith(".txt"):
            prompts[Path(p).name[:2]] = git_show(g, commit, p).decode("utf-8").split("=" * 20, 1)[-1].strip("=\n ")
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(re.escape(base) + r"([^/]+)/(\d\d)_[0-9_]+\.txt", p)
        if not m or m.group(1) == "prompts":
            continue
        text = git_show(g, commit, p).decode("utf-8")
        ans = text.split("=" * 20, 1)[-1].lstrip("=").strip()  # drop the "Model: / Timestamp:" header
        if ans:
            out.append({"path": p, "model": m.group(1), "prompt": prompts.get(m.group(2), ""), "answer": ans,
                        "n": m.group(2), "lang": detect_lang(ans), "context": "plain", "select": "all"})
    return out


def name_identity(g: Path, commit: str, rng: random.Random) -> list[dict]:
    """Jordine/model-name-identity's follow-up probes over OpenRouter (no system prompt): confrontations after a
    conversation ("Who is Claude?" -> "and who are you?" -> "What if I told you that you're actually X?",
    ``results/deep_identity_probes.jsonl``) and "what specific model version are you?" asked 15 times per model
    (``results/specific_identity_probes.jsonl``); the reasoning the API returned is kept as a ``<think>`` trace. The
    main sweep file is absent from the mirror. No licence."""
    out, seen = [], set()
    for p in ("results/deep_identity_probes.jsonl", "results/specific_identity_probes.jsonl"):
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        for i, line in enumerate(raw.decode("utf-8").split("\n")):
            if not line.strip():
                continue
            d = json.loads(line)
            ans = with_trace((d.get("thinking_text") or "").strip(), (d.get("response_text") or "").strip())
            model = d.get("model_id") or d.get("model_name") or ""
            if not (d.get("response_text") or "").strip() or (model, ans) in seen:
                continue
            seen.add((model, ans))
            msgs = d.get("messages_sent") or []
            prompt = d.get("probe_text") or next((m["content"] for m in reversed(msgs) if m.get("role") == "user"), "")
            out.append({"path": p, "model": model, "prompt": prompt, "answer": ans, "n": i, "lang": detect_lang(ans),
                        "context": "roleplay" if "deep_identity" in p else "plain", "select": "all"})
    return out


READERS = {"llm_philosophy": llm_philosophy, "name_identity": name_identity, "role_rlhf": role_rlhf, "wildbench": wildbench, "rakuda": rakuda, "chinese_vicuna": chinese_vicuna,
           "deepseek_jailbreak": deepseek_jailbreak, "introspective_probes": introspective_probes,
           "introspective_chat": introspective_chat, "self_reflection": self_reflection}


def build(mirrors: Path, unlicensed: bool = False, seed: int = 20) -> list[dict]:
    return build_corpus("blind3", SOURCES, READERS, blind3_family, mirrors, unlicensed, seed)


# answers drawn per source and stratum for labelling (all where fewer)
QUOTAS = {"llm_philosophy": {"selfname": 80, "named": 40, "none": 70},
          "wildbench": {"selfname": 90, "named": 40, "none": 30},
          "rakuda": {"selfname": 20, "named": 30, "none": 60},
          "chinese_vicuna": {"selfname": 20, "named": 20, "none": 30},
          "deepseek_jailbreak": {"selfname": 10, "named": 10, "none": 40},
          "introspective_probes": {"selfname": 110, "named": 10, "none": 20},
          "introspective_chat": {"selfname": 50, "named": 10, "none": 15},
          "self_reflection": {"selfname": 20, "named": 20, "none": 20},
          "role_rlhf": {"selfname": 21, "named": 21, "none": 21},
          "name_identity": {"selfname": 110, "named": 30, "none": 10}}
SOURCE_ORDER = ["llm_philosophy", "rakuda", "chinese_vicuna", "deepseek_jailbreak", "introspective_probes",
                "introspective_chat", "self_reflection", "wildbench", "role_rlhf", "name_identity"]


def sample(rows: list[dict], seed: int = 20) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded, stratified by source and stratum, round-robin over models), split at random
    into a dev and a test half: the fresh builder's sampler with blind3's quotas and source order."""
    return fresh_sample(rows, seed, tag="blind3", quotas=QUOTAS, order=SOURCE_ORDER)


def write_sets(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labelled("blind3", "llm-philosophy, WildBench, Rakuda, Chinese-Vicuna and DeepSeek-API-jailbreak outputs",
                   dev, test, labels, out)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only("blind3", SOURCES, "bench/real_answers_blind3.py --mirrors DIR --unlicensed --out u3.jsonl.gz "
                      "and join by id.", dev, test, labels, out)


def main() -> None:
    cli("blind3", SOURCES, build, sample, write_sets, write_unlicensed, __doc__,
        "introspective-model, ai-research-self-reflection, ghost_in_the_weights, model-name-identity")


if __name__ == "__main__":
    main()
