"""Lineage: did model B come from model A? Black-box, tokenizer, functional and weight evidence with calibrated nulls.

Methods (each a module; each returns :class:`~distillscope.evidence.Evidence` with a one-sided p-value, small =
evidence that the suspect derives from the candidate):

* ``blackbox``: :func:`~distillscope.lineage.blackbox.blackbox_test`, suspect vs candidate vs a panel, any access;
* ``tokenizer``: :func:`~distillscope.lineage.tokenizer.tokenizer_test`, and from API usage counts
  :func:`~distillscope.lineage.tokenizer.identify_tokenizer` / ``tokenizer_consistency``;
* ``functional``: :func:`~distillscope.lineage.functional.functional_test`, next-token agreement vs controls;
* ``weights`` / ``representations``: :mod:`distillscope.lineage.weights`, permutation-robust, centred.

:func:`distillscope.lineage.run.run_lineage` plans the methods that fit the access given, runs them and
Holm-adjusts across them. Methods are entries of ``registry("lineage")`` (see docs/ARCHITECTURE.md): each entry is
a function ``fn(ctx: LineageContext) -> list[Evidence]`` and declares what it needs (``needs``: ``any``,
``white-box`` or ``controls``; ``min_panel``: other models it compares against) and what its evidence is about (``of``: ``model``, the default, or ``tokenizer``:
a shared tokenizer is reported but is no evidence that the *model* derives from the candidate, since students and
controls trained with the candidate's tokenizer share it alike).
"""

from distillscope._lazy import lazy_getattr
from distillscope.registry import registry

_METHODS = registry("lineage")
_METHODS.register("blackbox", "distillscope.lineage.run:blackbox_method", needs="any", min_panel=2,
                  help="outputs of the suspect vs the candidate and a panel on shared prompts (rank test)")
_METHODS.register("tokenizer", "distillscope.lineage.run:tokenizer_method", needs="white-box", of="tokenizer",
                  help="vocabulary, merges and segmentation overlap vs unrelated tokenizers")
_METHODS.register("functional", "distillscope.lineage.run:functional_method", needs="controls",
                  help="next-token agreement with the candidate vs controls trained without it")
_METHODS.register("weights", "distillscope.lineage.run:weights_method", needs="white-box",
                  help="permutation-robust, centred weight statistics vs independent models")
_METHODS.register("representations", "distillscope.lineage.run:representations_method", needs="white-box",
                  help="hidden-state CKA on a probe set vs independent models")

__getattr__ = lazy_getattr("distillscope.lineage", {"LineageConfig": "run", "LineageReport": "run",
                                                     "run_lineage": "run", "plan": "run"})
__all__ = ["LineageConfig", "LineageReport", "plan", "run_lineage"]
