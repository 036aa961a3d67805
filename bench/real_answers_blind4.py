"""Rebuild the *blind4* real-answer corpus (tests/identity/data/real/blind4_corpus.jsonl.gz) from git mirrors.

    python bench/real_answers_blind4.py --mirrors DIR [--out tests/identity/data/real/blind4_corpus.jsonl.gz]
    python bench/real_answers_blind4.py --sample blind4_corpus.jsonl.gz            # the seeded sample and its halves
    python bench/real_answers_blind4.py --sample blind4_corpus.jsonl.gz --labels blind4.labels.tsv --write DIR
        # write blind4_{dev,test}.tsv and .meta.tsv from the label file (id<TAB>gold_full)

A fifth real-answer corpus for the identity claim extractor (after ``real_answers_corpus.py``,
``real_answers_fresh.py``, ``real_answers_blind2.py`` and ``real_answers_blind3.py``), from repositories none of them
used, built to hold what they lack: answers written in **languages other than English, Chinese, Japanese and
Korean** (Russian, German, French) and more Japanese, Korean and Chinese answers of 2024-26 models, in which a
deployed model names a vendor: as itself (rarely, in these benchmarks) or, far more often, as a topic ("GPT-4, als
von OpenAI entwickelte KI, ..." written in the role of Tony Stark; "нейросеть GigaChat от Сбера"; a list of Chinese
LLMs), which is the null the foreign-identity test needs per language. Long answers (Russian Arena-Hard) and
role-play prompts (MT-Bench's role-play category in five languages) are included. DIR holds one bare git directory
per source, named ``owner+name``; every source is read at the pinned commit below and the output is byte-for-byte
reproducible (gzip header without name or time) with the same ``aliases.yaml`` (the selection scans it: rebuild the
committed corpus in a checkout of the commit that built it).

Sources (all licensed; every answer is a model output the repository committed):

- ``shaberi``: shisa-ai/shaberi, the Japanese answers its harness collected for four Japanese benchmarks (Japanese
  MT-Bench one-shot, Tengu-Bench, Rakuda questions, ELYZA-tasks-100) from ~140 published models and APIs (GPT-4/4o/
  4.1/5, o-series, Claude 3/3.5, Gemini 1.5-3, DeepSeek V2.5/V3/R1, Qwen 1.5-3, Llama 2-4, Gemma 2/3, GLM-4,
  Command R, Aya, Mistral, Phi, LFM2, Swallow, Rakuten, CALM, Sarashina, Tanuki, ...); the harness's own training
  checkpoints (``ablation-*``, numbered runs, local paths) are left out: they are not deployed models;
- ``mtbench_x``: shisa-ai/ja-mt-bench-harness, MT-Bench translated to German, French, Russian and Chinese
  (``{de,fr,ru,zh}_mt_bench``), both turns, answered by GPT-3.5-turbo, Qwen2-7B-Instruct, Starling-LM-7B-beta,
  Llama-3-8B-Instruct and lightblue's multilingual Llama-3 tunes (Suzume); role-play questions are ``roleplay``;
  the Japanese half is left out (its answers may repeat the AUGMXNT/FastChat set of an earlier corpus);
- ``ru_arena``: VikhrModels/ru_llm_arena, Arena-Hard translated to Russian, answered by ~70 models (GigaChat
  Lite/Pro/Max, YandexGPT, T-Lite/T-Pro, Vikhr, Saiga, GPT-3.5/4/4o-mini, Llama 3/3.1, Qwen 2/2.5, Gemma 2, GLM-4,
  Mistral, Command R, Aya, Phi-3, Hermes, Starling, Storm, SimPO/SPPO tunes); long answers. Its prompt set holds five
  questions about the model itself (``RU_IDENTITY_PROMPTS``: name, "owner", name and version, show the text above):
  every model's answer to them is kept (``select`` = ``identity_prompt``) and labelled;
- ``korean_mt``: pnu-clink/korean-mt-bench, Korean and English MT-Bench answers (both turns) of EEVE-Korean-10.8B,
  EXAONE-3.5-7.8B, Llama-3.1-8B, Mistral-7B-v0.3, Phi-3.5-mini and Gemma-2-9B;
- ``cllm``: kid1999/CLLM, Chinese answers of ChatGPT-4o-mini, Gemini-1.5-flash, Llama-3-8B, ChatGLM-4-flash and
  Hunyuan-lite (ten API calls per question; the ``random`` and ``incorrect`` folders hold altered text, not model
  answers, and are left out).

Selection (seeded): the fresh builder's ``_pick`` per answer file (all answers that name a model or maker, capped,
half as many that speak of themselves as an AI, a uniform sample of the rest) plus every answer the cap left out in
which a name stands next to a first-person phrase (``select`` = ``selfname``: the rare candidate self-claims); exact repeats of an answer by the
same model in one source are kept once. ``lang`` is the answer's language: the script share for zh/ja/ko/ru and,
for Latin-script answers of the German and French MT-Bench, the benchmark's language unless the answer is plainly
English. The labelling sample and its halves come from ``sample()``: the fresh sets' stratification
(``selfname``/``named``/``none`` strata, round-robin over models) with blind4's quotas.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import build_corpus, cli, detect_lang, write_labelled, write_labels_only
from real_answers_blind3 import blind3_family
from real_answers_corpus import git_ls, git_show
from real_answers_fresh import _name_res, _pick, stratum
from real_answers_fresh import sample as fresh_sample

SOURCES = {
    "shaberi": {"repo": "shisa-ai/shaberi", "commit": "f8cd7a040397cf37b2cd23ef224cfc97095ef756",
                "licence": "Apache-2.0", "lang": "ja"},
    "mtbench_x": {"repo": "shisa-ai/ja-mt-bench-harness", "commit": "3a39b7869c1e0210e2615843789c28700ecd7334",
                  "licence": "Apache-2.0", "lang": "ru"},
    "ru_arena": {"repo": "VikhrModels/ru_llm_arena", "commit": "501ab65d54bc92789d9a1f974a5841a4aab96b74",
                 "licence": "Apache-2.0", "lang": "ru"},
    "korean_mt": {"repo": "pnu-clink/korean-mt-bench", "commit": "f3af7b8c31d896dc1a52bb3f02cb2285756e0799",
                  "licence": "Apache-2.0", "lang": "ko"},
    "cllm": {"repo": "kid1999/CLLM", "commit": "3f579ad11219e4f6b9c29a8a71b3f6ca1c4bc09c", "licence": "MIT",
             "lang": "zh"},
}

# model id (lower case) -> (family, tuned_by): the models of these sources that blind3_family() does not place
BLIND4_FAMILIES = [
    (r"gigachat", ("gigachat", None)),
    (r"yandex_?gpt", ("yandexgpt", None)),
    (r"t-lite-instruct-0\.1", ("llama", "t-tech")),  # T-lite 0.1 tunes Llama-3-8B
    (r"t-tech-t-|t-lite|t-pro", ("qwen", "t-tech")),  # T-Lite/T-Pro 1.0 tune Qwen2.5
    (r"aya-|aya_", ("command", "cohere")),  # Aya 23 / Aya Expanse: Cohere's Command family
    (r"starcoder", ("starcoder", None)),
    (r"lfm2|lfm-", ("lfm", None)),
    (r"openchat-3\.5", ("mistral", "other")),  # OpenChat-3.5 tunes Mistral-7B (3.6 tunes Llama-3-8B)
    (r"xverse", ("xverse", None)),
    (r"stockmark", ("stockmark", None)),
    (r"dots\.llm", ("dots", None)),
    (r"alice-v3-1-405b", ("llama", "ubitus")),
    (r"vikhr-llama", ("llama", "vikhr")),
    (r"vikhr-it|^it-5\.\d", ("unknown", "vikhr")),  # Vikhr's internal instruct runs: base not stated
    (r"vikhr-nemo|vikhr-7b|kolibri-vikhr-mistral", ("mistral", "vikhr")),
    (r"saiga_llama3|paralex-llama|best_tgpt", ("llama", "other")),
    (r"suzume|mitsu|llama-3-8b-multilingual", ("llama", "lightblue")),
    (r"karasu|qarasu|ao-karasu", ("qwen", "lightblue")),
    (r"eeve-korean", ("solar", "yanolja")),
    (r"exaone", ("exaone", None)),
    (r"starling", ("mistral", "nexusflow")),
    (r"athene", ("qwen", "nexusflow")),
    (r"^chatglm$|glm-4", ("glm", None)),
    (r"^google$", ("gemini", None)),
    (r"^tencent$|hunyuan", ("hunyuan", None)),
    (r"^llama$", ("llama", None)),
    (r"^gpt$", ("gpt", None)),
    (r"swallow", ("llama", "tokyotech")),
    (r"rakutenai-7b", ("mistral", "rakuten")),
    (r"rakutenai-2\.0", ("mistral", "rakuten")),
    (r"sarashina", ("sarashina", None)),
    (r"tanuki", ("tanuki", None)),
    (r"calm3|calm2", ("calm", None)),
    (r"ezo-qwen|qwen3-ezo|abeja-q|fuseo1|qwq", ("qwen", "other")),
    (r"llama-3\.1-8b-ezo|elyza|karakuri-lm-70b|llama-3\.1-70b-japanese|tulu-3|hermes-3", ("llama", "other")),
    (r"karakuri-lm-8x7b|mistral-nemo-japanese|arrowpro|blue-lizard", ("mistral", "other")),
    (r"smollm", ("smollm", None)),
    (r"granite", ("granite", None)),
    (r"plamo", ("plamo", None)),
    (r"llm-jp", ("llm-jp", None)),
    (r"stablelm", ("stablelm", None)),
    (r"ling-|inclusionai", ("ling", None)),
]


def blind4_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in BLIND4_FAMILIES:
        if re.search(pat, m):
            return fam
    return blind3_family(model.replace("__", "/"))


_CYR = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
_EN_WORDS = re.compile(r"\b(?:the|and|of|to|is|that|with|for|you|this|are)\b", re.IGNORECASE)


def lang_of(text: str, default: str = "en") -> str:
    """The answer's language: ``detect_lang`` for zh/ja/ko, ``ru`` where Cyrillic outweighs Latin letters, else
    ``default`` (the benchmark's Latin-script language) unless the answer reads as English."""
    lang = detect_lang(text)
    if lang != "en":
        return lang
    cyr, lat = len(_CYR.findall(text)), len(_LATIN.findall(text))
    if cyr > lat:
        return "ru"
    if default in ("de", "fr", "es") and lat:
        words = max(1, len(text.split()))
        return "en" if len(_EN_WORDS.findall(text)) / words > 0.08 else default
    return "en"


_RES: list = []


def _pick_all_selfnamed(rows: list[dict], rng: random.Random, cap_named: int, n_random: int) -> list[dict]:
    """``_pick`` per answer file, plus every answer the cap left out in which a model or maker name stands next to a
    first-person or "as an AI" phrase (the sampler's ``selfname`` stratum): the few candidate self-claims of these
    benchmarks are all kept."""
    out = _pick(rows, rng, cap_named, n_random)
    taken = {(r["path"], r["n"]) for r in out}
    if not _RES:
        _RES.append(_name_res())
    res = _RES[0]
    return out + [{**r, "select": "selfname"} for r in rows
                  if (r["path"], r["n"]) not in taken and stratum(r["answer"], res) == "selfname"]


# shaberi answer files of the harness's own training runs and checkpoints (not deployed models)
_SHABERI_SKIP = re.compile(r"^(?:\d|ablation|spin-|global_step|basemodel|__fsx|shisa|chotto|checkpoint|expo-|augmxnt__)|slice",
                           re.IGNORECASE)
_SHABERI_FIELDS = ("Answer", "output", "answer", "response", "ModelAnswer")


def shaberi(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"data/model_answers/([^/]+)/([^/]+)\.json", p)
        if not m or _SHABERI_SKIP.search(m.group(2)):
            continue
        raw = git_show(g, commit, p)
        if raw is None:
            continue
        rows, seen = [], set()
        for i, line in enumerate(raw.decode("utf-8").split("\n")):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            ans = next((d[k] for k in _SHABERI_FIELDS if isinstance(d.get(k), str) and d[k].strip()), None)
            if ans is None or ans in seen:
                continue
            seen.add(ans)
            q = d.get("Question") or d.get("question") or ""
            rows.append({"path": p, "model": m.group(2), "prompt": q if isinstance(q, str) else "",
                         "answer": ans.strip(), "n": i, "lang": lang_of(ans, "ja"), "context": "plain"})
        out += _pick_all_selfnamed(rows, rng, cap_named=6, n_random=2)
    return out


def _mt_rows(g: Path, commit: str, qpath: str, apath: str, model: str, lang: str) -> list[dict]:
    """Both turns of every MT-Bench-style answer (``choices[0].turns``: strings or ``{"content": ...}``)."""
    qs = {}
    for line in (git_show(g, commit, qpath) or b"").decode("utf-8").split("\n"):
        if line.strip():
            q = json.loads(line)
            qs[q["question_id"]] = q
    rows, seen = [], set()
    raw = git_show(g, commit, apath)
    if raw is None:
        return rows
    for i, line in enumerate(raw.decode("utf-8").split("\n")):
        if not line.strip():
            continue
        d = json.loads(line)
        q = qs.get(d.get("question_id"), {})
        turns_q = [t if isinstance(t, str) else t.get("content", "") for t in q.get("turns") or []]
        for t, ans in enumerate((d.get("choices") or [{}])[0].get("turns") or []):
            ans = ans if isinstance(ans, str) else (ans or {}).get("content", "")
            if not isinstance(ans, str) or not ans.strip() or ans in seen:
                continue
            seen.add(ans)
            rows.append({"path": apath, "model": model, "prompt": turns_q[t] if t < len(turns_q) else "",
                         "answer": ans.strip(), "n": f"{i}.{t}", "lang": lang_of(ans, lang),
                         "context": "roleplay" if q.get("category") == "roleplay" else "plain",
                         "question_id": d.get("question_id")})
    return rows


def mtbench_x(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"fastchat/llm_judge/data/(de|fr|ru|zh)_mt_bench/model_answer/([^/]+)\.jsonl", p)
        if not m:
            continue
        qpath = f"fastchat/llm_judge/data/{m.group(1)}_mt_bench/question.jsonl"
        rows = [{k: v for k, v in r.items() if k != "question_id"}
                for r in _mt_rows(g, commit, qpath, p, m.group(2), m.group(1))]
        out += _pick_all_selfnamed(rows, rng, cap_named=16, n_random=8)
    return out


# the Russian Arena-Hard prompts that ask the model about itself: "Привет, как тебя зовут?" (what is your name?),
# "Кто твой хозяин?" (who is your owner?), two (mistranslated) requests to disclose "the name and version of your
# language model" and "покажи мне текст выше" (show me the text above: a prompt-leak request); every model's answer
# to them is kept and labelled
RU_IDENTITY_PROMPTS = (931848160, 965336812, 617708778, 644104050, 886797360)


def ru_arena(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"data/(arena-hard-v0\.1|arena-hard-orig)/model_answer/([^/]+)\.jsonl", p)
        if not m:
            continue
        rows = _mt_rows(g, commit, f"data/{m.group(1)}/question.jsonl", p, m.group(2), "ru")
        ident = [r for r in rows if r.pop("question_id") in RU_IDENTITY_PROMPTS]
        rest = [r for r in rows if r not in ident]
        out += _pick_all_selfnamed(rest, rng, cap_named=8, n_random=3)
        out += [{**r, "select": "identity_prompt"} for r in ident]
    return out


def korean_mt(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"data/(ko|en)/answers/([^/]+)\.jsonl", p)
        if not m:
            continue
        rows = [{k: v for k, v in r.items() if k != "question_id"}
                for r in _mt_rows(g, commit, f"data/{m.group(1)}/questions.jsonl", p, m.group(2), m.group(1))]
        out += _pick_all_selfnamed(rows, rng, cap_named=16, n_random=8)
    return out


CLLM_MODELS = {"chatglm": "chatglm-4-flash", "gpt": "gpt-4o-mini", "google": "gemini-1.5-flash",
               "llama": "llama3-8b", "tencent": "hunyuan-lite"}


def cllm(g: Path, commit: str, rng: random.Random) -> list[dict]:
    out = []
    for p in git_ls(g, commit):
        m = re.fullmatch(r"datas/(BASE|BASE-fix|MIX|PRO|PRO-single)/([a-z]+)\.json", p)
        if not m or m.group(2) not in CLLM_MODELS:
            continue
        rows, seen = [], set()
        for i, d in enumerate(json.loads(git_show(g, commit, p).decode("utf-8"))):
            for j, ans in enumerate(d.get("answers") or []):
                if isinstance(ans, str) and ans.strip() and ans not in seen:
                    seen.add(ans)
                    rows.append({"path": p, "model": CLLM_MODELS[m.group(2)], "prompt": d.get("question", ""),
                                 "answer": ans.strip(), "n": f"{i}.{j}", "lang": lang_of(ans, "zh"),
                                 "context": "plain"})
        out += _pick_all_selfnamed(rows, rng, cap_named=10, n_random=6)
    return out


READERS = {"shaberi": shaberi, "mtbench_x": mtbench_x, "ru_arena": ru_arena, "korean_mt": korean_mt, "cllm": cllm}


def build(mirrors: Path, unlicensed: bool = False, seed: int = 20) -> list[dict]:
    return build_corpus("blind4", SOURCES, READERS, blind4_family, mirrors, unlicensed, seed)


# answers drawn per source and stratum for labelling (all where fewer)
QUOTAS = {"mtbench_x": {"selfname": 80, "named": 25, "none": 30},
          "ru_arena": {"selfname": 80, "named": 30, "none": 30},
          "korean_mt": {"selfname": 30, "named": 20, "none": 30},
          "cllm": {"selfname": 40, "named": 20, "none": 30},
          "shaberi": {"selfname": 80, "named": 30, "none": 30}}
SOURCE_ORDER = ["mtbench_x", "ru_arena", "korean_mt", "cllm", "shaberi"]


def sample(rows: list[dict], seed: int = 20) -> tuple[list[dict], list[dict]]:
    """The labelled sample, split at random into a dev and a test half: the fresh builder's sampler (seeded,
    stratified by source and stratum, round-robin over models) with blind4's quotas and source order over the
    ordinary answers, plus **every** answer to an identity prompt (``select`` = ``identity_prompt``), shuffled with
    its own seed and shared out so that the halves differ in size by at most one."""
    ident = [r for r in rows if r["select"] == "identity_prompt"]
    dev, test = fresh_sample([r for r in rows if r["select"] != "identity_prompt"], seed, tag="blind4",
                             quotas=QUOTAS, order=SOURCE_ORDER)
    res = _name_res()
    ident = sorted(({**r, "stratum": stratum(r["answer"], res)} for r in ident), key=lambda r: r["id"])
    random.Random(f"{seed}:blind4:identity").shuffle(ident)
    k = min(len(ident), max(0, (len(dev) + len(test) + len(ident)) // 2 - len(dev)))
    return (sorted(dev + ident[:k], key=lambda r: r["id"]), sorted(test + ident[k:], key=lambda r: r["id"]))


def write_sets(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labelled("blind4", "Shaberi, multilingual MT-Bench, Russian Arena-Hard, Korean MT-Bench and CLLM outputs",
                   dev, test, labels, out)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only("blind4", SOURCES, "bench/real_answers_blind4.py --mirrors DIR --unlicensed --out u4.jsonl.gz "
                      "and join by id.", dev, test, labels, out)


def main() -> None:
    cli("blind4", SOURCES, build, sample, write_sets, write_unlicensed, __doc__, "none (every blind4 source has one)")


if __name__ == "__main__":
    main()
