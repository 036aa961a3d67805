"""Samples of an endpoint and a reference for the same prompts, the input of every equality test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from distillscope.errors import InputError


@dataclass
class PromptSamples:
    """One prompt's completions from the endpoint (source X) and the reference (source Y).

    Attributes:
        prompt: the prompt as shown to the user.
        endpoint: endpoint completions (texts).
        reference: fresh reference completions (texts).
        endpoint_scores: reference log-likelihood (summed over tokens) of each endpoint completion.
        reference_scores: the same for each reference completion (same scoring function).
        logprob_diffs: per endpoint completion with reported logprobs, the per-token differences
            ``endpoint logprob - reference logprob`` of the reported tokens (``None`` where not available).
        aligned: per entry of ``logprob_diffs``, whether the endpoint's tokens matched the reference's one to one
            (if not, the entry holds one sequence-level difference spread over the reported tokens).
        endpoint_ids / reference_ids: store sample ids.
        endpoint_proxy / reference_proxy: ``(n, 4)`` features of each completion under a proxy LM
            (:data:`distillscope.verify.features.PROXY_FEATURES`).
        endpoint_tokens / reference_tokens: each completion token by token under the same proxy LM
            (:class:`distillscope.verify.features.TokenRecord`), the input of the token kernel test.
        endpoint_finish / reference_finish: finish reason of each completion (``stop``, ``length``; ``""`` when the
            source did not report one, as for recorded text).
    """

    prompt: str
    endpoint: list[str]
    reference: list[str]
    endpoint_scores: np.ndarray | None = None
    reference_scores: np.ndarray | None = None
    logprob_diffs: list[np.ndarray] | None = None
    aligned: list[bool] | None = None
    endpoint_ids: list[str] = field(default_factory=list)
    reference_ids: list[str] = field(default_factory=list)
    endpoint_proxy: np.ndarray | None = None
    reference_proxy: np.ndarray | None = None
    endpoint_tokens: list[Any] | None = None
    reference_tokens: list[Any] | None = None
    endpoint_finish: list[str] | None = None
    reference_finish: list[str] | None = None


@dataclass
class SampleSet:
    """All prompts' samples, plus the padded layout shared by the permutation tests."""

    prompts: list[PromptSamples]
    logprob_notes: list[str] = field(default_factory=list)  # caveats for the logprob tests from data collection
    proxy_spec: str | None = None  # the model that scored the proxy features

    def __post_init__(self) -> None:
        if not self.prompts:
            raise InputError("No prompts: a verify run needs at least one prompt with samples.")

    @property
    def usable(self) -> list[int]:
        """Prompts with at least 2 completions from each source (the others cannot enter a two-sample test)."""
        return [i for i, p in enumerate(self.prompts) if len(p.endpoint) >= 2 and len(p.reference) >= 2]

    def layout(self) -> tuple[np.ndarray, np.ndarray]:
        """``(labels, valid)`` of shape ``(P, n)``: endpoint entries first (label 1), then reference (label 0)."""
        use = self.usable
        if not use:
            raise InputError("Every prompt has fewer than 2 completions from a source: ask for --samples >= 2.")
        n = max(len(self.prompts[i].endpoint) + len(self.prompts[i].reference) for i in use)
        labels = np.zeros((len(use), n))
        valid = np.zeros((len(use), n), dtype=bool)
        for j, i in enumerate(use):
            p = self.prompts[i]
            labels[j, : len(p.endpoint)] = 1
            valid[j, : len(p.endpoint) + len(p.reference)] = True
        return labels, valid

    @property
    def has_scores(self) -> bool:
        return all(self.prompts[i].endpoint_scores is not None and self.prompts[i].reference_scores is not None
                   for i in self.usable)

    @property
    def has_proxy(self) -> bool:
        return all(self.prompts[i].endpoint_proxy is not None and self.prompts[i].reference_proxy is not None
                   for i in self.usable)

    @property
    def has_tokens(self) -> bool:
        return all(self.prompts[i].endpoint_tokens is not None and self.prompts[i].reference_tokens is not None
                   for i in self.usable)

    @property
    def has_finish(self) -> bool:
        """Finish reasons are known on both sides (samples collected by `verify`): the format test applies."""
        return all(self.prompts[i].endpoint_finish is not None and self.prompts[i].reference_finish is not None
                   for i in self.usable)

    @property
    def has_logprobs(self) -> bool:
        return any(p.logprob_diffs for p in self.prompts)

    def sample_ids(self) -> list[str]:
        return [s for p in self.prompts for s in [*p.endpoint_ids, *p.reference_ids]]

    def n_endpoint(self) -> int:
        return sum(len(p.endpoint) for p in self.prompts)
