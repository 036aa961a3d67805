"""The blind7 corpus builder's helpers and its committed files (no mirrors needed).

    PYTHONPATH=src python -m pytest -q tests/bench/test_real_answers_blind7.py
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import real_answers_blind7 as b7
from real_answers_blind2 import written_sets_problems
from real_answers_fresh import _name_res

REAL = ROOT / "tests" / "identity" / "data" / "real"


def test_families_of_the_ten_models():
    fams = {m: b7.blind7_family(m)[0] for m in b7.LCB_MODELS}
    assert fams["command-r-plus-base"] == "command" and fams["gpt-4-turbo"] == "gpt"
    assert fams["llama-2-instruct"] == "llama" and fams["mistral-8x7b"] == "mistral"
    assert "unknown" not in fams.values()


def test_answer_language_is_the_script_or_the_prompts_unless_english():
    assert b7.answer_lang("مرحبا، كيف يمكنني مساعدتك اليوم؟", "ar") == "ar"
    assert b7.answer_lang("नमस्ते, मैं आपकी मदद कर सकता हूँ।", "hi") == "hi"
    assert b7.answer_lang("Здравствуйте, чем могу помочь?", "ru") == "ru"
    assert b7.answer_lang("Here is the summary of the article you gave me.", "ru") == "en"
    assert b7.answer_lang("Aquí tienes un resumen del artículo sobre el reciclaje.", "es") == "es"
    assert b7.answer_lang("This is the summary of the article and the list you asked for.", "es") == "en"


def test_stratum_counts_first_person_phrases_of_other_languages():
    res = _name_res()
    assert b7.stratum_ml("Come assistente di Google, ho alcune limitazioni.", res) == "selfname"
    assert b7.stratum_ml("Я — языковая модель, разработанная OpenAI.", res) == "selfname"
    assert b7.stratum_ml("أنا نموذج لغوي من تطوير OpenAI.", res) == "selfname"
    far = "Microsoft ofrece muchos servicios en la nube para empresas de todos los tamaños, " + "x " * 60 + "y soy feliz."
    assert b7.stratum_ml(far, res) == "named"
    assert b7.stratum_ml("Il gatto dorme sul divano.", res) == "none"


def _csv(rows: list[dict], cols: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def test_reader_joins_prompts_skips_english_prompts_and_keeps_an_answer_once(git_repo):
    prompts = {"test_sets/crosslingual/sharegpt/it.csv": ["Reply in Italian. p0", "Reply in Italian. p1"],
               "test_sets/monolingual/okapi/en.csv": ["q"]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, ps in prompts.items():
            z.writestr(name, _csv([{"prompt": p} for p in ps], ["prompt"]))
    cols = ["id", "model", "completion", "task", "source", "language"]
    claim = "Mi dispiace, ma come assistente di Google ho alcune limitazioni."
    out = [{"id": 0, "model": "m", "completion": "Ciao, ecco il testo.", "task": "crosslingual", "source": "sharegpt",
            "language": "it"},
           {"id": 1, "model": "m", "completion": claim, "task": "crosslingual", "source": "sharegpt", "language": "it"},
           {"id": 2, "model": "m", "completion": claim, "task": "crosslingual", "source": "sharegpt", "language": "it"},
           {"id": 3, "model": "m", "completion": "As an AI developed by OpenAI, I can help.", "task": "monolingual",
            "source": "okapi", "language": "en"}]
    g, head = git_repo({"test_sets.zip": buf.getvalue(), "outputs/gpt-4-turbo.csv": _csv(out, cols)})
    rows = b7.lcb(g, head, random.Random(0))
    assert sorted((r["answer"], r["prompt"], r["lang"]) for r in rows) == [
        ("Ciao, ecco il testo.", "Reply in Italian. p0", "it"), (claim, "Reply in Italian. p1", "it")]
    assert {r["model"] for r in rows} == {"gpt-4-turbo"} and {r["context"] for r in rows} == {"plain"}


def test_committed_sets_match_the_labels_and_the_sample():
    corpus = REAL / "blind7_corpus.jsonl.gz"
    if not corpus.exists():
        pytest.skip("blind7 corpus not committed in this checkout")
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) >= 1000
    assert all(b7.SOURCES[r["source"]]["repo"] == r["repo"] and b7.SOURCES[r["source"]]["commit"] == r["commit"]
               for r in rows)
    assert len({r["model"] for r in rows}) == 10
    dev, test = b7.sample(rows)
    assert len(dev) == len(test) >= 150 and not {r["id"] for r in dev} & {r["id"] for r in test}
    langs = Counter(r["lang"] for r in dev + test)
    assert len([lang for lang in langs if lang != "en"]) >= 12
    labels, problems = written_sets_problems("blind7", dev, test, REAL)
    assert not problems, problems[:5]
    claims = [g for gold in labels.values() if gold != "-" for g in gold.split(",")]
    assert len(claims) >= 5 and all(g.endswith("=A") for g in claims)
