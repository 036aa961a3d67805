"""Sequence-level distillation data: the teacher's answers to a prompt set, through any backend, store-cached.

Every request goes through :class:`distillscope.store.CachedModel`, committed chunk by chunk, so an interrupted
generation resumes where it stopped and a rerun costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from distillscope.models import Completion, GenRequest


def answer_requests(prompts: Sequence[str], max_tokens: int = 64, temperature: float = 0.7, seed: int = 0,
                    top_logprobs: int = 0) -> list[GenRequest]:
    return [GenRequest.chat(p, max_tokens=max_tokens, temperature=temperature, seed=seed, seed_index=0,
                            logprobs=top_logprobs > 0, top_logprobs=top_logprobs) for p in prompts]


def teacher_answers(teacher: Any, prompts: Sequence[str], max_tokens: int = 64, temperature: float = 0.7,
                    seed: int = 0, store: Any = None, top_logprobs: int = 0,
                    progress: Callable[[int], None] | None = None) -> list[Completion]:
    """One answer per prompt from ``teacher`` (a Model), served from / written to the sample store.

    Args:
        teacher: any backend (``zoo:``, ``hf:``, ``openai:...``); wrapped in a CachedModel unless it already is one.
        store: a SampleStore (default: the user's store, ``$DISTILLSCOPE_STORE``).
        top_logprobs: also ask for the top-k alternatives per token (for an API logit cache).
    """
    from distillscope.store import CachedModel, SampleStore

    cm = teacher if isinstance(teacher, CachedModel) else CachedModel(teacher, store or SampleStore())
    reqs = answer_requests(prompts, max_tokens, temperature, seed, top_logprobs)
    return cm.generate(reqs, progress=progress)
