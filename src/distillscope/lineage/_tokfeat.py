"""Pairwise tokenizer similarity features: vocabulary and merge overlap, segmentation agreement, specials, template."""

from __future__ import annotations

from typing import Any

from distillscope.lineage._tokref import TokInfo, corpus_lines

_BOUNDS: dict[int, list[frozenset[int]]] = {}


def _jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    u = len(a | b)
    return len(a & b) / u if u else 1.0


def boundaries(t: TokInfo) -> list[frozenset[int]]:
    """Token boundaries (character offsets, moved past whitespace) on each corpus line, cached per tokenizer."""
    key = id(t.tok)
    if key not in _BOUNDS:
        lines = corpus_lines()
        out = []
        for line, enc in zip(lines, t.tok.encode_batch(lines, add_special_tokens=False)):
            cuts = set()
            for s, e in enc.offsets:
                for b in (s, e):
                    while b < len(line) and line[b].isspace():
                        b += 1
                    if 0 < b < len(line):
                        cuts.add(b)
            out.append(frozenset(cuts))
        _BOUNDS[key] = out
    return _BOUNDS[key]


def segmentation_agreement(a: TokInfo, b: TokInfo) -> float:
    """Dice overlap of the two tokenizers' boundary sets, pooled over the shipped multilingual corpus."""
    inter = tot = 0
    for x, y in zip(boundaries(a), boundaries(b)):
        inter += len(x & y)
        tot += len(x) + len(y)
    return 2 * inter / tot if tot else 1.0


_PAIRS: dict[tuple[int, int], tuple[Any, Any, dict[str, float | None]]] = {}


def features(a: TokInfo, b: TokInfo) -> dict[str, float | None]:
    """All pairwise features; ``merges`` is None unless both are BPE, ``chat_template`` None unless both have one."""
    key = (id(a), id(b))
    hit = _PAIRS.get(key)
    if hit is None or hit[0] is not a or hit[1] is not b:
        hit = (a, b, _features(a, b))
        _PAIRS[key] = hit
    return hit[2]


def _features(a: TokInfo, b: TokInfo) -> dict[str, float | None]:
    ma, mb = a.merges, b.merges
    return {
        "vocab_jaccard": _jaccard(a.vocab, b.vocab),
        "segmentation": segmentation_agreement(a, b),
        "merges_jaccard": _jaccard(ma, mb) if ma is not None and mb is not None else None,
        "specials_jaccard": _jaccard(a.specials, b.specials) if a.specials or b.specials else None,
        "chat_template_equal": (float(a.chat_template == b.chat_template)
                                if a.chat_template is not None and b.chat_template is not None else None),
    }


def score(f: dict[str, float | None]) -> float:
    """The test statistic: mean of vocabulary Jaccard and segmentation agreement (defined for every pair)."""
    return 0.5 * (float(f["vocab_jaccard"] or 0.0) + float(f["segmentation"] or 0.0))
