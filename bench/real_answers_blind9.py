"""Rebuild the *blind9* real-answer corpus (labels-only: its source states no licence) from a git mirror or raw files.

    python bench/real_answers_blind9.py --mirrors DIR --out /elsewhere/blind9_unlic.jsonl.gz   # from a git mirror
    python bench/real_answers_blind9.py --raw DIR --out /elsewhere/blind9_unlic.jsonl.gz       # from fetched files
    python bench/real_answers_blind9.py --sample /elsewhere/blind9_unlic.jsonl.gz              # the sample, halves
    python bench/real_answers_blind9.py --sample /elsewhere/blind9_unlic.jsonl.gz --labels blind9_unlic.labels.tsv \\
        --write tests/identity/data/real      # writes blind9_unlic_{dev,test}.labels.tsv (id, model, family, gold_full)

The tenth real-answer corpus for the identity claim extractor, the blind test of the rules written on blind8: the same
source repository as blind8 (Jordine/model-name-identity, ``results_local/``), but **no answer blind8 read**. Its
windows are pages of the result files that blind8's ``FILES`` do not cover: further into the OLMo 3 7B / 3.1 32B
Instruct files (the "what model / which language model are you?", "introduce yourself" and "which company developed
you?" prompts in 8 languages, and the Chinese cross-probes "你是Grok/Kimi/Mistral/Doubao吗？" and placebo names that lie
between blind8's two cross-probe pages), a later page of OLMo 3 7B Think, and models blind8 did not read at all
(Qwen3-1.7B/4B/14B/32B, Qwen3.5-2B/4B).

Source (no licence stated, so **never commit the corpus**; only labels are committed): as blind8
(``real_answers_blind8.py`` describes the records); files pinned in ``FILES`` at the commit that holds each of them,
windows in ``WINDOWS`` (character ranges of the decoded file, as read for labelling; a line that crosses a window's
edge is left out). ``answer`` is the record's ``content`` verbatim (a ``<think>`` trace, or Qwen3.5's untagged trace
ending in ``</think>``, included), ``prompt`` the user turn, ``lang`` the prompt's language unless the final answer
(trace removed) is in another one, ``context`` ``plain``.

``--mirrors DIR`` reads the pinned files from ``DIR/Jordine+model-name-identity``; ``--raw DIR`` reads
``DIR/<file name>``: the whole file as fetched (windows applied the same way), or an excerpt whose lines carry
``_window`` (and ``_commit``); lines of pinned windows only are kept. An excerpt's lines need only the fields the
builder reads (``model_id, prompt_id, prompt_category, sample_idx, turn_index, condition, messages_sent, content``).
Ids depend only on the file, prompt, sample and condition (``blind9|name_identity_local|path|prompt|sample|condition|
turn``), never on the text. The sample and its halves come from ``sample()`` (blind8's sampler, seed 21): every
answer of the windows is taken; the seeded shuffle splits them into halves of equal size.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_answers_blind2 import write_labels_only
from real_answers_blind8 import C55, CA2, REPO, answer_lang, blind8_family, prompt_lang, window_lines
from real_answers_corpus import find_gitdir, git_show, write_corpus
from real_answers_fresh import sample as fresh_sample

SOURCES = {"name_identity_local": {"repo": REPO, "commit": f"{C55} / {CA2}", "licence": "none stated",
                                   "lang": "multi", "unlicensed": True}}

# file -> (the commit that holds it, the character windows [start, end) read for labelling); none overlaps a window
# of real_answers_blind8.FILES (tests/bench/test_real_answers_blind9.py checks it)
FILES: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "results_local/allenai__Olmo-3-7B-Instruct.jsonl": (C55, [(112000, 128000), (128000, 144000), (144000, 160000),
                                                              (160000, 176000), (176000, 192000), (192000, 208000),
                                                              (224000, 240000), (240000, 256000),
                                                              (400000, 416000), (416000, 432000), (432000, 448000),
                                                              (768000, 784000), (784000, 800000)]),
    "results_local/allenai__Olmo-3.1-32B-Instruct.jsonl": (C55, [(80000, 96000), (96000, 112000), (112000, 128000),
                                                                 (128000, 144000), (160000, 176000),
                                                                 (176000, 192000), (368000, 384000), (384000, 400000),
                                                                 (400000, 416000), (720000, 736000)]),
    "results_local/allenai__Olmo-3-7B-Think.jsonl": (C55, [(48000, 64000)]),
    "results_local/Qwen__Qwen3-1.7B.jsonl": (CA2, [(32000, 48000)]),
    "results_local/Qwen__Qwen3-4B.jsonl": (CA2, [(48000, 64000)]),
    "results_local/Qwen__Qwen3-14B.jsonl": (C55, [(64000, 80000)]),
    "results_local/Qwen__Qwen3-32B.jsonl": (C55, [(32000, 48000)]),
    "results_local/Qwen__Qwen3.5-2B.jsonl": (C55, [(16000, 32000), (80000, 96000), (96000, 112000)]),
    "results_local/Qwen__Qwen3.5-4B.jsonl": (C55, [(16000, 32000)]),
}

TAG = "blind9"


def corpus_rows(path: str, commit: str, records: list[dict]) -> list[dict]:
    """Corpus lines for the source records of one file (in file order)."""
    out = []
    for rec in records:
        user = [m.get("content") or "" for m in rec.get("messages_sent") or [] if m.get("role") == "user"]
        n = f"{rec['prompt_id']}|{rec['sample_idx']}|{rec['condition']}|{rec.get('turn_index', 0)}"
        fam = blind8_family(rec["model_id"])
        answer = rec.get("content") or ""
        out.append({"id": hashlib.sha1(f"{TAG}|name_identity_local|{path}|{n}".encode()).hexdigest()[:12],
                    "source": "name_identity_local", "licence": "none stated", "repo": REPO, "commit": commit,
                    "path": path, "model": rec["model_id"].split("/")[-1], "family": fam[0], "tuned_by": fam[1],
                    "lang": answer_lang(answer, prompt_lang(rec)), "prompt": user[-1] if user else "",
                    "answer": answer, "context": "plain", "select": "window"})
    return out


def from_text(path: str, text: str) -> list[dict]:
    commit, windows = FILES[path]
    recs = [json.loads(line) for s, e in windows for line in window_lines(text, s, e)]
    return corpus_rows(path, commit, recs)


def from_excerpt(path: str, lines: list[dict]) -> list[dict]:
    """Rows of a raw excerpt: lines tagged with the window they were read in; lines of other windows are dropped."""
    commit, windows = FILES[path]
    keep = [rec for rec in lines if tuple(rec["_window"]) in set(windows) and rec.get("_commit", commit) == commit]
    keep.sort(key=lambda r: windows.index(tuple(r["_window"])))  # stable: file order inside each window
    return corpus_rows(path, commit, keep)


def build(mirrors: Path | None = None, raw: Path | None = None) -> list[dict]:
    rows: list[dict] = []
    g = find_gitdir(mirrors, REPO) if mirrors else None
    for path, (commit, _) in FILES.items():
        if g is not None:
            blob = git_show(g, commit, path)
            if blob is None:
                raise SystemExit(f"{path} is not in the mirror at {commit} (fetch that commit)")
            rows += from_text(path, blob.decode("utf-8"))
            continue
        f = raw / Path(path).name
        if not f.exists():
            raise SystemExit(f"missing {f}: put the file of {REPO}@{commit}:{path} there")
        text = f.read_text(encoding="utf-8")
        first = next((line for line in text.split("\n") if line.strip()), "{}")
        if "_window" in json.loads(first):
            rows += from_excerpt(path, [json.loads(line) for line in text.split("\n") if line.strip()])
        else:
            rows += from_text(path, text)
    rows.sort(key=lambda r: (r["path"], r["id"]))
    return rows


# every answer of the windows is taken (quotas above the corpus size); (model, language) cells go round-robin
QUOTAS = {"name_identity_local": {"selfname": 1000, "named": 1000, "none": 1000}}
SOURCE_ORDER = ["name_identity_local"]


def sample(rows: list[dict], seed: int = 21) -> tuple[list[dict], list[dict]]:
    """The labelled sample (seeded; every answer), split at random into a dev and a test half of equal size."""
    return fresh_sample(rows, seed, tag=TAG, quotas=QUOTAS, order=SOURCE_ORDER,
                        cell_key=lambda r: f"{r['model']}|{r['lang']}", even=True)


def write_unlicensed(dev: list[dict], test: list[dict], labels: dict[str, str], out: Path) -> None:
    write_labels_only(TAG, SOURCES, "bench/real_answers_blind9.py --mirrors DIR (or --raw DIR) --out "
                      "u9.jsonl.gz and join by id.", dev, test, labels, out)


def read_labels(path: Path) -> dict[str, str]:
    """``id<TAB>gold_full`` lines (``#`` comments skipped)."""
    labels = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            i, gold = line.split("\t")[:2]
            labels[i] = gold.strip()
    return labels


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, help="folder with a git mirror of the source (owner+name)")
    ap.add_argument("--raw", type=Path, help="folder with the source's result files (whole or excerpts)")
    ap.add_argument("--sample", type=Path, help="a built blind9 corpus: print the labelling sample (half, id, stratum)")
    ap.add_argument("--labels", type=Path, help="with --sample and --write: the label file (id<TAB>gold_full)")
    ap.add_argument("--write", type=Path, help="with --sample and --labels: folder for blind9_unlic_{dev,test}.labels.tsv")
    ap.add_argument("--out", type=Path, help="where the corpus goes (outside the repository: the text is unlicensed)")
    args = ap.parse_args(argv)
    if args.sample:
        with gzip.open(args.sample, "rt", encoding="utf-8") as f:
            dev, test = sample([json.loads(line) for line in f])
        if args.labels and args.write:
            labels = read_labels(args.labels)
            missing = [r["id"] for r in dev + test if r["id"] not in labels]
            if missing:
                raise SystemExit(f"{len(missing)} sampled answers have no label, e.g. {missing[:3]}")
            write_unlicensed(dev, test, labels, args.write)
            return
        for half, rs in (("dev", dev), ("test", test)):
            for r in rs:
                print(f"{half}\t{r['id']}\t{r['stratum']}")
        return
    if not (args.mirrors or args.raw) or not args.out:
        raise SystemExit("--mirrors DIR or --raw DIR, and --out FILE (outside the repository), are needed")
    write_corpus(build(args.mirrors, args.raw), args.out)


if __name__ == "__main__":
    main()
