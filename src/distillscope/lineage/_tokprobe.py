"""Probe strings for black-box tokenizer identification, and a usage-count simulator for benches and tests.

A probe is a chat message whose ``usage.prompt_tokens`` reveals how the serving tokenizer splits it: runs of one
unit (CJK, kana, Hangul, Cyrillic, emoji, rare Unicode, digits, spaces, punctuation) measure per-unit slopes, and
mixed strings (code, accents, corpus lines) probe boundaries. Counts are only compared as differences, which cancel
the chat template's constant overhead. Every probe is sent inside the same words (:data:`WRAP`), so what meets the
template is the same for every probe and its boundary effects cancel too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from distillscope.lineage._tokref import TokInfo, corpus_lines
from distillscope.models import Completion, GenRequest, Model

UNITS = [
    "中", "的", "東京", "日本語", "한국", "й", "Жизнь", "ß", "é", "ñ", "ø", "ą", "ğ", "ي", "ש", "ก", "क",
    "😀", "👍🏽", "🚀", "👨‍👩‍👧", "❤️", "🇫🇷", "𝔘", "ꙮ", "𒀀", "ᚠ", "∑", "≈", "→", "©", "½", "™",
    "9", "12", "2024", "3.14", "a", "ab", "the", "The", " the", "ing", "tion", "HELLO", "xyz", "qu",
    "!", "?!", "...", "—", "«", "()", "{}", "[]", "//", "::", "->", "==", "_", "__", "#", "@", "$", "%",
    "\t", "\n", "  ", "    ", "\\", "'", '"', "</", "<|", "|>", "[INST]", "[CLS]", "<s>", "##", "▁", "Ġ",
]
WORDS = [
    "hello", "Hello", "world", "tokenization", "internationalization", "antidisestablishmentarianism",
    "naïve café", "São Paulo", "Zürich", "don't", "I'm", "we'll", "ChatGPT", "SmolLM2", "PyTorch", "iPhone",
    "def __init__(self):", "return x + 1", "</div>", "console.log(x);", "SELECT * FROM t;", "x = [1, 2, 3]",
    "https://example.com", "user@example.org", "2024-03-15", "14:30", "$1,234.56", "+1 (555) 010-9999",
    "ＦＵＬＬ", "𝐛𝐨𝐥𝐝", "ﬁnance", "Ⅻ", "ǅ", "e\u0301", "a\u200bb", "x\u00a0y",
]


WRAP = "Count: {} ok"  # fixed words around every probe: what touches the template is the same for every probe


def wrap(probe: str) -> str:
    """The chat message sent for ``probe``."""
    return WRAP.format(probe)


def probe_pool() -> list[str]:
    """The fixed probe pool: units repeated 1, 3 and 8 times (slopes), words and corpus lines (boundaries)."""
    return list(_pool())


@lru_cache(maxsize=1)
def _pool() -> tuple[str, ...]:
    pool = []
    for u in UNITS:
        for k in (1, 3, 8):
            s = "x" + u * k + "x" if u.strip() != u or not u.strip() else u * k
            pool.append(s)
    pool += WORDS
    pool += [ln.strip() for ln in corpus_lines()]
    seen: set[str] = set()
    return tuple(p for p in pool if not (p in seen or seen.add(p)))  # type: ignore[func-returns-value]


_COUNTS: dict[int, tuple[Any, np.ndarray]] = {}


def pool_counts(t: TokInfo) -> np.ndarray:
    """Token counts of every wrapped probe of :func:`probe_pool` under ``t`` (cached per tokenizer object)."""
    hit = _COUNTS.get(id(t.tok))
    if hit is None or hit[0] is not t.tok:
        hit = (t.tok, np.array(t.counts([wrap(p) for p in probe_pool()])))
        _COUNTS[id(t.tok)] = hit
    return hit[1]


class TokenCountModel(Model):
    """A model whose ``usage`` is what a server running ``tok`` with ``template`` would report (text is "ok").

    For benches and tests of usage-count analyses; a real served model (``serve_in_thread``) reports the same.

    Args:
        tok: the serving tokenizer.
        template: jinja chat template (default: the tokenizer's own, else a plain "User: ..." template).
        spec: the model spec to declare.
        system_prompt: a hidden system prompt added to every chat (constant overhead).
    """

    capabilities = frozenset({"text"})

    def __init__(self, tok: TokInfo, template: str | None = None, spec: str | None = None,
                 system_prompt: str | None = None) -> None:
        import jinja2

        from distillscope.lineage._tokref import PLAIN

        self.info = tok
        self.template = jinja2.Environment().from_string(template or tok.chat_template or PLAIN)
        self.spec = spec or f"tokcount:{tok.name}"
        self.system_prompt = system_prompt
        self.calls = 0

    def render(self, r: GenRequest) -> str:
        msgs = r.message_dicts if r.messages is not None else [{"role": "user", "content": r.prompt or ""}]
        if self.system_prompt:
            msgs = [{"role": "system", "content": self.system_prompt}, *msgs]
        return self.template.render(messages=msgs, add_generation_prompt=True)

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        out = []
        for r in requests:
            n = len(self.info.tok.encode(self.render(r), add_special_tokens=True).ids)
            self.calls += 1
            out.append(Completion("ok", usage={"prompt_tokens": n, "completion_tokens": 1, "total_tokens": n + 1},
                                  declared_model=self.spec))
        return out
