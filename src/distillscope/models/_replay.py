"""``replay:FILE.jsonl`` backend: existing transcripts served as a model.

Each line is a JSON object with either ``messages`` (chat list) or ``prompt`` (raw text), and the answer in one of
``completion`` / ``response`` / ``text`` / ``output`` (a string, or an OpenAI ``choices`` list). Optional: ``model``
(the declared model name) and ``logprobs``. Sample i of a prompt is the i-th recorded answer to that prompt.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from distillscope.errors import InputError
from distillscope.jsonl import iter_jsonl
from distillscope.models.base import Completion, GenRequest, Model, TokenLogprob

ANSWER_FIELDS = ("completion", "response", "text", "output", "answer")


def _prompt_key(messages: Any, prompt: Any) -> str:
    if messages is not None:
        return json.dumps([[m["role"], m["content"]] for m in messages], ensure_ascii=False)
    return json.dumps(str(prompt), ensure_ascii=False)


def _answer(obj: dict[str, Any]) -> str | None:
    for f in ANSWER_FIELDS:
        if isinstance(obj.get(f), str):
            return obj[f]
    ch = obj.get("choices")
    if isinstance(ch, list) and ch and isinstance(ch[0], dict):
        msg = ch[0].get("message") or {}
        if isinstance(msg.get("content"), str):
            return msg["content"]
        if isinstance(ch[0].get("text"), str):
            return ch[0]["text"]
    return None


class ReplayModel(Model):
    capabilities = frozenset({"text"})

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(f"Replay file {self.path} does not exist.")
        self.answers: dict[str, list[Completion]] = defaultdict(list)
        for n, obj in iter_jsonl(self.path):
            if not isinstance(obj, dict) or ("messages" not in obj and "prompt" not in obj):
                raise InputError(f"{self.path}:{n}: needs a 'messages' list or a 'prompt' string.")
            text = _answer(obj)
            if text is None:
                raise InputError(f"{self.path}:{n}: no answer field (one of {', '.join(ANSWER_FIELDS)}).")
            msgs = obj.get("messages")
            if msgs is not None and not (isinstance(msgs, list) and all(
                    isinstance(m, dict) and "role" in m and "content" in m for m in msgs)):
                raise InputError(f"{self.path}:{n}: 'messages' must be a list of {{role, content}} objects.")
            lps = obj.get("logprobs")
            comp = Completion(text=text, declared_model=obj.get("model"))
            if isinstance(lps, list) and lps and isinstance(lps[0], dict):
                comp.logprobs = [TokenLogprob(str(x.get("token", "")), float(x["logprob"])) for x in lps]
            self.answers[_prompt_key(msgs, obj.get("prompt"))].append(comp)
        if self.answers:
            self.capabilities = frozenset({"text", "logprobs"}) if all(
                c.logprobs is not None for v in self.answers.values() for c in v) else frozenset({"text"})

    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        out = []
        for r in requests:
            key = _prompt_key(r.message_dicts if r.messages is not None else None, r.prompt)
            got = self.answers.get(key, [])
            if r.seed_index >= len(got):
                raise InputError(f"{self.path} has {len(got)} answers to this prompt but sample {r.seed_index + 1} "
                                 f"was asked for: {key[:120]}")
            c = got[r.seed_index]
            out.append(Completion(text=c.text, logprobs=c.logprobs, declared_model=c.declared_model))
        if progress is not None:
            progress(len(requests))
        return out


def factory(rest: str, **_: Any) -> ReplayModel:
    return ReplayModel(rest)
