"""Training examples: token ids plus which positions are targets; the prompt set and a text corpus that ship here.

An :class:`Example` is one token sequence and a target mask: ``targets[t]`` says token ``t`` is predicted (from
tokens ``< t``) and counts in the loss. Chat examples target only the answer (and its end-of-turn token); corpus
text targets every token after the first.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import random
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from distillscope.errors import InputError

DATA = Path(__file__).parent / "data"

# Standard-library modules whose docstrings form the built-in corpus: plain English prose present wherever Python
# is, so controls and fine-tunes need no download. Its text is independent of any teacher model.
CORPUS_MODULES = (
    "abc", "argparse", "asyncio", "base64", "bisect", "calendar", "collections", "contextlib", "csv",
    "dataclasses", "datetime", "decimal", "difflib", "email", "enum", "fractions", "functools", "glob",
    "gzip", "hashlib", "heapq", "hmac", "html", "http", "inspect", "io", "ipaddress", "itertools", "json",
    "logging", "mailbox", "math", "mimetypes", "numbers", "operator", "os", "pathlib", "pickle",
    "platform", "pprint", "queue", "random", "re", "sched", "secrets", "selectors", "shlex", "shutil",
    "signal", "socket", "sqlite3", "statistics", "string", "struct", "subprocess", "tarfile", "tempfile",
    "textwrap", "threading", "timeit", "tokenize", "traceback", "types", "unittest", "urllib", "uuid",
    "warnings", "weakref", "zipfile", "zlib",
)


@dataclass
class Example:
    """One training sequence: ``input_ids`` and a same-length boolean ``targets`` mask (``targets[0]`` is False)."""

    input_ids: list[int]
    targets: list[bool]

    def __post_init__(self) -> None:
        if len(self.input_ids) != len(self.targets):
            raise InputError("Example input_ids and targets differ in length.")
        if len(self.input_ids) < 2 or not any(self.targets[1:]):
            raise InputError("An example needs at least two tokens and one target token after the first.")
        self.targets[0] = False

    @property
    def n_targets(self) -> int:
        return sum(self.targets)


def data_hash(examples: Sequence[Example]) -> str:
    """Content hash of a training set (token ids and target masks), recorded in provenance manifests."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(json.dumps([ex.input_ids, [int(t) for t in ex.targets]]).encode())
    return h.hexdigest()


def tokenizer_hash(tokenizer: Any) -> str:
    """Hash of a tokenizer's vocabulary (token -> id): equal hashes mean logit distillation can align positions."""
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])
    return hashlib.sha256(json.dumps(vocab, ensure_ascii=False).encode()).hexdigest()[:32]


def encode_texts(tokenizer: Any, texts: Iterable[str], max_len: int = 256) -> list[Example]:
    """Corpus text as examples: texts are joined with EOS and cut into ``max_len`` windows, every token a target."""
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for t in texts:
        stream.extend(tokenizer(t, add_special_tokens=False)["input_ids"])
        if eos is not None:
            stream.append(int(eos))
    out = []
    for s in range(0, len(stream), max_len):
        ids = stream[s : s + max_len]
        if len(ids) >= 8:
            out.append(Example(ids, [True] * len(ids)))
    return out


def render_prompt(tokenizer: Any, prompt: str) -> str:
    """A user prompt through the tokenizer's chat template, ready for the assistant's turn."""
    return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                         tokenize=False)


def encode_chat(tokenizer: Any, prompt: str, answer: str, max_len: int = 256) -> Example | None:
    """(prompt, answer) as one templated sequence whose targets are the answer tokens and the end of turn."""
    ctx = tokenizer(render_prompt(tokenizer, prompt), add_special_tokens=False)["input_ids"]
    ans = tokenizer(answer, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        ans = [*ans, int(tokenizer.eos_token_id)]
    ids = (ctx + ans)[:max_len]
    targets = ([False] * len(ctx) + [True] * len(ans))[:max_len]
    if not any(targets):
        return None
    return Example(list(ids), targets)


def default_prompts(n: int | None = None, seed: int = 0) -> list[str]:
    """The shipped prompt set (``data/prompts.yaml``: templates x topics), shuffled with ``seed``, first ``n``."""
    spec = yaml.safe_load((DATA / "prompts.yaml").read_text())
    prompts = [t.format(topic=topic) for topic in spec["topics"] for t in spec["templates"]]
    random.Random(seed).shuffle(prompts)
    return prompts if n is None else prompts[:n]


def corpus_texts(n: int | None = None, seed: int = 0, min_chars: int = 200) -> list[str]:
    """Paragraphs of English prose from Python standard-library docstrings (deterministic; no download)."""
    paras: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in CORPUS_MODULES:
            try:
                mod = importlib.import_module(name)
            except ImportError:  # pragma: no cover - a trimmed Python
                continue
            for obj in [mod, *(getattr(mod, a, None) for a in sorted(dir(mod)) if not a.startswith("_"))]:
                doc = getattr(obj, "__doc__", None)
                if not isinstance(doc, str):
                    continue
                for p in doc.split("\n\n"):
                    p = " ".join(p.split())
                    if len(p) >= min_chars and p.count(" ") > 30 and ">>>" not in p:
                        paras.append(p)
    paras = list(dict.fromkeys(paras))
    random.Random(seed).shuffle(paras)
    return paras if n is None else paras[:n]


def read_texts(path: str | Path, field: str | None = None) -> list[str]:
    """Training texts from a file (any format of :mod:`distillscope.inputs`), whitespace runs collapsed."""
    from distillscope.inputs import read_texts as _read

    return [" ".join(t.split()) for t in _read(path, field) if t.strip()]


def read_prompts(path: str | Path, field: str | None = None) -> list[str]:
    """Prompts from a file (any format of :mod:`distillscope.inputs`), as single user messages."""
    from distillscope.inputs import read_prompt_texts

    return read_prompt_texts(path, field)
