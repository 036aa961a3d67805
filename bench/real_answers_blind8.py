"""Rebuild the *blind8* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind8.py --mirrors DIR --out /elsewhere/blind8_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind8.py --raw DIR --out /elsewhere/blind8_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind8.py --sample /elsewhere/blind8_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind8.py --sample /elsewhere/blind8_unlic.jsonl.gz --labels blind8_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind8_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The ninth real-answer corpus for the identity claim extractor, built for **self-claims outside English**: locally run
open-weight models (OLMo 3 7B/32B Instruct, Qwen3 0.6B/8B, Qwen3.5 0.8B, gpt-oss 20B/120B) answering "who are you?",
"what is your name?" and "what model are you?" in eight languages (en, zh, ja, ko, ru, fr, es, vi). OLMo answers
them as ChatGPT/OpenAI, DeepSeek-R1, Qwen or Anthropic in most languages; the small Qwen3.5 names Google, Baidu,
DeepSeek/Llama or Meta/Microsoft/Amazon now and then; gpt-oss and the larger Qwen name themselves.

Source (no licence stated, so **never commit the corpus**; only labels are committed):

- ``name_identity_local``: Jordine/model-name-identity, ``results_local/*.jsonl`` (one JSON record a line:
  ``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content, reasoning``;
  rows grouped by prompt, five samples each, condition ``clean`` then ``shipped``), files pinned in ``FILES`` at
  the commit that holds each of them (55a3eee or ca2f7f5); the ``INVALID_template_contaminated/`` runs and the
  repository's judgment files are not read. The corpus is every whole line inside the pinned character windows
  (``WINDOWS``: 16,000-character pages of the decoded file, as they were read for labelling; a line that crosses a
  window's edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace or gpt-oss's
  ``analysis…assistantfinal`` channel text included), ``prompt`` the user turn, ``lang`` the prompt's language
  unless the final answer (trace removed) is in another one, ``context`` ``plain`` (both conditions are plain chat).

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity`` (a bare git directory or a clone
that has both commits); ``--raw DIR`` reads ``DIR/<file name>`` instead: either the whole file as fetched (windows
applied the same way), or an excerpt whose lines carry ``_window`` (the window they were read in): lines of pinned
windows only are kept. Both give the same rows; the output is byte-for-byte reproducible (gzip without name or
time). The labelling sample and its halves come from ``sample()``: the fresh sets' sampler with (model, language)
as the round-robin cell, quotas in ``QUOTAS``, halves of equal size.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import detect_lang, sample_labels, write_labels_only
from real_answers_blind4 import _CYR, _EN_WORDS, _LATIN
from real_answers_corpus import find_gitdir, git_show, write_corpus
from real_answers_fresh import sample as fresh_sample

REPO = "Jordine/model-name-identity"
C55 = "55a3eee75ac3ea6ca95f18a812c2f12d671fd1b0"
CA2 = "ca2f7f51d283b38e20d346bee91cc2d312ca0c81"
SOURCES = {"name_identity_local": {"repo": REPO, "commit": f"{C55} / {CA2}", "licence": "none stated",
                                   "lang": "multi", "unlicensed": True}}

# file -> (the commit that holds it, the character windows [start, end) read for labelling)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(0, 48000), (48000, 64000), (64000, 80000),
                                                              (80000, 96000), (96000, 112000), (736000, 768000),
                                                              (800000, 832000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(0, 48000), (48000, 64000), (64000, 80000)]),
    "results_local/allenai__Olmo-3-7B-Think.jsonl": (C55, [(32000, 48000)]),
    "results_local/Qwen__Qwen3-0.6B.jsonl": (CA2, [(0, 16000), (16000, 32000)]),
    "results_local/Qwen__Qwen3-8B.jsonl": (C55, [(16000, 32000)]),
    "results_local/Qwen__Qwen3.5-0.8B.jsonl": (CA2, [(16000, 48000)]),
    "results_local/openai__gpt-oss-20b.jsonl": (CA2, [(0, 48000)]),
    "results_local/openai__gpt-oss-120b.jsonl": (CA2, [(16000, 48000)]),
}

# the answering model's lineage: an id of identity/data/aliases.yaml (qwen, gpt) or, where the table has none, the
# lineage name the earlier corpora use (olmo)
FAMILIES = [(r"olmo", "olmo"), (r"qwen", "qwen"), (r"gpt-oss", "gpt")]

LANGS = ("en", "zh", "ja", "ko", "ru", "fr", "es", "vi")
_TRACE = re.compile(r"^.*</think>\s*|^analysis.*?assistantfinal", re.DOTALL)


def blind8_family(model: str) -> tuple[str, str | None]:
    m = model.lower()
    for pat, fam in FAMILIES:
        if re.search(pat, m):
            return fam, None
    raise ValueError(f"no family for {model!r}: add it to FAMILIES")


def prompt_lang(rec: dict) -> str:
    """The prompt's language: a ``direct_xx`` category names it; the probes prefix it to the prompt id
    (``zh_placebo_cobalt``); ``direct_*`` prompt ids are English."""
    m = re.fullmatch(r"direct_([a-z]{2})", rec.get("prompt_category") or "")
    if m and m.group(1) in LANGS:
        return m.group(1)
    head = (rec.get("prompt_id") or "").split("_")[0]
    return head if head in LANGS else "en"


def final_answer(text: str) -> str:
    """The answer without a leading reasoning trace (``<think>…</think>`` or gpt-oss's ``analysis…assistantfinal``)."""
    return _TRACE.sub("", text, count=1)


def answer_lang(text: str, lang: str) -> str:
    """``lang`` (the prompt's) unless the final answer is in another script, or is Latin-script English where the
    prompt asked in French, Spanish or Vietnamese (share of common English words, as blind6 does)."""
    ans = final_answer(text)
    got = detect_lang(ans)
    if got != "en":
        return got
    if len(_CYR.findall(ans)) > len(_LATIN.findall(ans)):
        return "ru"
    if lang in ("fr", "es", "vi"):
        words = max(1, len(ans.split()))
        return "en" if len(_EN_WORDS.findall(ans)) / words > 0.08 else lang
    return "en"


def window_lines(text: str, start: int, end: int) -> list[str]:
    """The whole lines of ``text`` that lie inside ``[start, end)``: a line cut by either edge is left out."""
    piece = text[start:end]
    parts = piece.split("\n")
    if start > 0 and text[start - 1] != "\n":
        parts = parts[1:]
    if end < len(text):
        parts = parts[:-1]
    return [p for p in parts if p.strip()]


def corpus_rows(path: str, commit: str, records: list[dict], tag: str = "blind8") -> list[dict]:
    """Corpus lines for the source records of one file (in file order); ``tag`` (the set's name) seeds the ids."""
    out = []
    for rec in records:
        user = [m.get("content") or "" for m in rec.get("messages_sent") or [] if m.get("role") == "user"]
        n = f"{rec['prompt_id']}|{rec['sample_idx']}|{rec['condition']}|{rec.get('turn_index', 0)}"
        fam = blind8_family(rec["model_id"])
        answer = rec.get("content") or ""
        out.append({"id": hashlib.sha1(f"{tag}|name_identity_local|{path}|{n}".encode()).hexdigest()[:12],
                    "source": "name_identity_local", "licence": "none stated", "repo": REPO, "commit": commit,
                    "path": path, "model": rec["model_id"].split("/")[-1], "family": fam[0], "tuned_by": fam[1],
                    "lang": answer_lang(answer, prompt_lang(rec)), "prompt": user[-1] if user else "",
                    "answer": answer, "context": "plain", "select": "window"})
    return out


@dataclass(frozen=True)
class WindowSet:
    """A labels-only set read from windows of the source's files: its name (it seeds the ids), ``FILES``-like
    windows, the sample's seed and quotas, and the script that rebuilds it (blind9 is a second one)."""

    tag: str
    files: dict[str, tuple[str, list[tuple[int, int]]]]
    seed: int
    quotas: dict[str, dict[str, int]]
    script: str
    out_name: str


def from_text(path: str, text: str, ws: WindowSet | None = None) -> list[dict]:
    ws = ws or BLIND8
    commit, windows = ws.files[path]
    recs = [json.loads(line) for s, e in windows for line in window_lines(text, s, e)]
    return corpus_rows(path, commit, recs, ws.tag)


def from_excerpt(path: str, lines: list[dict], ws: WindowSet | None = None) -> list[dict]:
    """Rows of a raw excerpt: lines tagged with the window they were read in; lines of other windows are dropped."""
    ws = ws or BLIND8
    commit, windows = ws.files[path]
    keep = [rec for rec in lines if tuple(rec["_window"]) in set(windows)
            and rec.get("_commit", commit) == commit]
    keep.sort(key=lambda r: windows.index(tuple(r["_window"])))  # stable: file order inside each window
    return corpus_rows(path, commit, keep, ws.tag)


def build(mirrors: Path | None = None, raw: Path | None = None, ws: WindowSet | None = None) -> list[dict]:
    ws = ws or BLIND8
    rows: list[dict] = []
    g = find_gitdir(mirrors, REPO) if mirrors else None
    for path, (commit, _) in ws.files.items():
        if g is not None:
            blob = git_show(g, commit, path)
            if blob is None:
                raise SystemExit(f"{path} is not in the mirror at {commit} (fetch that commit)")
            rows += from_text(path, blob.decode("utf-8"), ws)
            continue
        f = raw / Path(path).name
        if not f.exists():
            raise SystemExit(f"missing {f}: put the file of {REPO}@{commit}:{path} there")
        text = f.read_text(encoding="utf-8")
        first = next((line for line in text.split("\n") if line.strip()), "{}")
        if "_window" in json.loads(first):
            rows += from_excerpt(path, [json.loads(line) for line in text.split("\n") if line.strip()], ws)
        else:
            rows += from_text(path, text, ws)
    rows.sort(key=lambda r: (r["path"], r["id"]))
    return rows


# answers drawn per stratum for labelling (all where fewer); (model, language) cells are filled round-robin
QUOTAS = {"name_identity_local": {"selfname": 400, "named": 400, "none": 400}}
SOURCE_ORDER = ["name_identity_local"]
BLIND8 = WindowSet("blind8", FILES, 20, QUOTAS, "bench/real_answers_blind8.py", "u8")


# The alias table the window sets' strata look for names of: frozen, so that edits of the live table do not move
# committed halves (the live table gained OpenLLaMA in rules round 13 and blind11's halves moved).
SAMPLING_ALIASES = Path(__file__).resolve().parent / "window_sets_aliases.yaml"


def sample(rows: list[dict], seed: int | None = None, ws: WindowSet | None = None) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; strata selfname/named/none by the frozen :data:`SAMPLING_ALIASES`; round-robin
    over (model, language) pairs), split at random into a dev and a test half of equal size."""
    ws = ws or BLIND8
    return fresh_sample(rows, ws.seed if seed is None else seed, tag=ws.tag, quotas=ws.quotas, order=SOURCE_ORDER,
                        cell_key=lambda r: f"{r['model']}|{r['lang']}", even=True, aliases=SAMPLING_ALIASES)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path,
                     ws: WindowSet | None = None) -> None:
    ws = ws or BLIND8
    write_labels_only(ws.tag, SOURCES, f"{ws.script} --mirrors DIR (or --raw DIR) --out {ws.out_name}.jsonl.gz and "
                      "join by id.", dev, test, labels, out)


def main(argv: list[str] | None = None, ws: WindowSet | None = None, doc: str | None = None) -> None:
    ws = ws or BLIND8
    ap = argparse.ArgumentParser(description=(doc or __doc__).splitlines()[0])
    ap.add_argument("--mirrors", type=Path, help="folder with a git mirror of the source (owner+name)")
    ap.add_argument("--raw", type=Path, help="folder with the source's result files (whole or excerpts)")
    ap.add_argument("--sample", type=Path, help=f"a built {ws.tag} corpus: print the labelling sample (half, id, "
                    "stratum)")
    ap.add_argument("--labels", type=Path, help="with --sample and --write: the label file (id<TAB>gold_full)")
    ap.add_argument("--write", type=Path, help=f"with --sample and --labels: folder for {ws.tag}_unlic_{{dev,test}}"
                    ".labels.tsv")
    ap.add_argument("--out", type=Path, help="where the corpus goes (outside the repository: the text is unlicensed)")
    args = ap.parse_args(argv)
    if args.sample:
        with gzip.open(args.sample, "rt", encoding="utf-8") as f:
            dev, test = sample([json.loads(line) for line in f], ws=ws)
        if args.labels and args.write:
            labels = sample_labels(args.labels, dev + test)
            write_unlicensed(dev, test, labels, args.write, ws)
            return
        for half, rs in (("dev", dev), ("test", test)):
            for r in rs:
                print(f"{half}\t{r['id']}\t{r['stratum']}")
        return
    if not (args.mirrors or args.raw) or not args.out:
        raise SystemExit("--mirrors DIR or --raw DIR, and --out FILE (outside the repository), are needed")
    write_corpus(build(args.mirrors, args.raw, ws), args.out)


if __name__ == "__main__":
    main()
