"""``hf:PATH`` backend: any local transformers causal LM (a folder, or a ``.gguf`` file).

Generation is a batched, left-padded sampling loop with a KV cache written here rather than ``model.generate``
so that every sample has its own random stream, seeded from (seed, seed_index, request): a sample is the same
whether it was generated alone or in a batch of 64, which is what makes the store's cache and resumes exact.
Logprobs are those of the unmodified model distribution (temperature 1, no top-p), the same quantity ``score``
returns, so an endpoint's logprobs and a local reference's scores are comparable.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from distillscope.errors import InputError, MissingModelError
from distillscope.models.base import Completion, GenRequest, LogitsTransform, Message, Model, TokenLogprob

DEFAULT_CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def gguf_cache_dir(gguf: Path) -> Path:
    from distillscope.paths import cache_dir

    st = gguf.stat()
    tag = hashlib.sha256(f"{gguf.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:16]
    return cache_dir("converted") / f"{gguf.stem}-{tag}"


def load_pretrained(path: str | os.PathLike[str], dtype: torch.dtype = torch.float32) -> tuple[Any, Any]:
    """Load (model, tokenizer) from a folder or a GGUF file.

    GGUF files are de-quantized by transformers once and the result saved as safetensors under the cache dir,
    so later loads take a second instead of most of a minute.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our commands show their own progress; per-shard bars would interleave
    p = Path(path).expanduser()
    if not p.exists():
        raise MissingModelError(f"No model at {p}: give a folder with config.json or a .gguf file.")
    if p.suffix == ".gguf":
        conv = gguf_cache_dir(p)
        if (conv / "config.json").exists() and (conv / "tokenizer_config.json").exists():
            p = conv
        else:
            tok = AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
            model = AutoModelForCausalLM.from_pretrained(str(p.parent), gguf_file=p.name, dtype=dtype)
            tmp = conv.with_name(conv.name + ".tmp")
            # The GGUF weights are already de-quantized to float; drop the quantizer marker so they can be saved.
            model.hf_quantizer = None
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
            model.save_pretrained(tmp)
            tok.save_pretrained(tmp)
            if conv.exists():
                import shutil

                shutil.rmtree(conv)
            tmp.rename(conv)
            model.eval()
            return model, tok
    if not (p / "config.json").exists():
        raise MissingModelError(f"{p} has no config.json: not a transformers model folder.")
    tok = AutoTokenizer.from_pretrained(str(p))
    model = AutoModelForCausalLM.from_pretrained(str(p), dtype=dtype)
    model.eval()
    return model, tok


def _request_seed(req: GenRequest) -> int:
    h = hashlib.sha256(f"{req.seed}:{req.seed_index}:{req.messages}:{req.prompt}".encode()).digest()
    return int.from_bytes(h[:8], "little") & ((1 << 63) - 1)


class HFModel(Model):
    """A white-box transformers causal LM."""

    capabilities = frozenset({"text", "logprobs", "scores", "weights", "hidden_states"})

    def __init__(self, model: Any, tokenizer: Any, spec: str = "hf:<in-memory>", batch_size: int = 8,
                 system_prompt: str | None = None) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.spec = spec
        self.batch_size = max(1, int(batch_size))
        self.system_prompt = system_prompt  # prepended to chat requests that have none (a "hidden" system prompt)
        self.logits_transform: LogitsTransform | None = None
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        if getattr(tokenizer, "chat_template", None) is None:
            tokenizer.chat_template = DEFAULT_CHAT_TEMPLATE
        self.stop_ids = self._stop_ids()
        self.name = getattr(model.config, "_name_or_path", "") or spec
        # transformers 5 renamed the forward kwarg past_key_values -> cache; accept both.
        params = inspect.signature(model.forward).parameters
        self._cache_kw = "cache" if "cache" in params else "past_key_values"
        # Only the last position's logits are needed while sampling: skip the LM head on the prompt.
        self._keep_kw = {"logits_to_keep": 1} if "logits_to_keep" in params else {}

    # --- WhiteBox members ---------------------------------------------------------------------------
    @property
    def module(self) -> Any:
        return self.model

    @property
    def vocab_size(self) -> int:
        return int(self.model.config.vocab_size)

    @torch.no_grad()
    def logits(self, input_ids: Any, attention_mask: Any = None) -> torch.Tensor:
        ids = torch.as_tensor(input_ids, dtype=torch.long)
        if ids.dim() == 1:
            ids = ids.unsqueeze(0)
        kw = {} if attention_mask is None else {"attention_mask": torch.as_tensor(attention_mask)}
        return self.model(input_ids=ids, **kw).logits.float()

    def with_logits_transform(self, transform: LogitsTransform, tag: str) -> HFModel:
        view = copy.copy(self)
        view.logits_transform = transform
        view.spec = f"{self.spec}+{tag}"
        return view

    def _stop_ids(self) -> set[int]:
        ids = set()
        if self.tokenizer.eos_token_id is not None:
            ids.add(int(self.tokenizer.eos_token_id))
        for t in ("<|im_end|>", "<|endoftext|>", "<end_of_turn>", "<|eot_id|>"):
            tid = self.tokenizer.convert_tokens_to_ids(t)
            if isinstance(tid, int) and tid != self.tokenizer.unk_token_id and tid >= 0:
                ids.add(tid)
        gen_eos = getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)
        if isinstance(gen_eos, int):
            ids.add(gen_eos)
        elif isinstance(gen_eos, list):
            ids.update(int(x) for x in gen_eos)
        return ids

    # --- encoding ---------------------------------------------------------------------------------
    def render(self, req_or_prompt: GenRequest | str | Sequence[Message]) -> str:
        """The exact text the model sees for a request (chat template applied)."""
        if isinstance(req_or_prompt, GenRequest):
            if req_or_prompt.prompt is not None:
                return req_or_prompt.prompt
            msgs = req_or_prompt.message_dicts
        elif isinstance(req_or_prompt, str):
            return req_or_prompt
        else:
            msgs = list(req_or_prompt)
        if self.system_prompt and not any(m["role"] == "system" for m in msgs):
            msgs = [{"role": "system", "content": self.system_prompt}, *msgs]
        return self.tokenizer.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # --- generation -------------------------------------------------------------------------------
    def _generate(self, requests: list[GenRequest], progress: Any = None) -> list[Completion]:
        out: list[Completion | None] = [None] * len(requests)
        # Sort by prompt length so batches pad little; results go back in request order.
        encoded = [self.encode(self.render(r)) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: len(encoded[i]))
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            t0 = time.perf_counter()
            comps = self._generate_batch([requests[i] for i in idx], [encoded[i] for i in idx])
            dt = (time.perf_counter() - t0) / len(idx)
            for i, c in zip(idx, comps):
                c.latency_s = dt
                out[i] = c
            if progress is not None:
                progress(len(idx))
        return [c for c in out if c is not None]

    @torch.no_grad()
    def _generate_batch(self, reqs: list[GenRequest], enc: list[list[int]]) -> list[Completion]:
        """One forward pass per step for the whole batch (KV cache), sampling vectorised across rows.

        Each row draws its uniforms from its own generator, seeded by its request, so a row's samples do not
        depend on the batch it is in. Rows that finish leave the batch (their KV cache rows are dropped).
        """
        b = len(reqs)
        pad = int(self.tokenizer.pad_token_id)
        input_ids, attn = _left_pad(enc, pad)
        steps = max(r.max_tokens for r in reqs)
        u = _row_uniforms(reqs, steps)
        temps = torch.tensor([r.temperature for r in reqs], dtype=torch.float32)
        top_ps = torch.tensor([r.top_p for r in reqs], dtype=torch.float32)
        want_lp = any(r.logprobs for r in reqs)
        new_tokens: list[list[int]] = [[] for _ in range(b)]
        new_lps: list[list[tuple[int, float, list[tuple[int, float]]]]] = [[] for _ in range(b)]
        finish = ["length"] * b
        alive = list(range(b))  # request index of each batch row
        ended: set[int] = set()
        past = None
        cur_ids, cur_pos = input_ids, (attn.cumsum(-1) - 1).clamp(min=0)
        rewrite = self.logits_transform.start(reqs) if self.logits_transform is not None else None
        history = input_ids
        for step in range(steps):
            o = self.model(input_ids=cur_ids, attention_mask=attn, position_ids=cur_pos, use_cache=True,
                           **self._keep_kw, **{self._cache_kw: past})
            past = getattr(o, "cache", None) or o.past_key_values
            logits = o.logits[:, -1, :].float()
            if rewrite is not None:
                logits = rewrite(history, logits).float()
            rows = torch.tensor(alive)
            nxt = sample_rows(logits, temps[rows], top_ps[rows], u[rows, step])
            picked = nxt.tolist()
            lp_rows = self._step_logprobs(logits, nxt, [reqs[i] for i in alive]) if want_lp else None
            keep: list[int] = []
            for j, i in enumerate(alive):
                if i in ended:
                    continue
                reason = self._accept(reqs[i], picked[j], new_tokens[i], new_lps[i],
                                      None if lp_rows is None else lp_rows[j])
                if reason is None:
                    keep.append(j)
                else:
                    finish[i] = reason
                    ended.add(i)
            if not keep:
                break
            if rewrite is not None:  # a rewrite may hold per-row state: finished rows stay, fed padding
                nxt = torch.tensor([t if i not in ended else pad for t, i in zip(picked, alive)])
            cur_ids = nxt.unsqueeze(1)
            attn = torch.cat([attn, torch.ones((attn.shape[0], 1), dtype=attn.dtype)], dim=1)
            cur_pos = cur_pos[:, -1:] + 1
            if rewrite is not None:
                history = torch.cat([history, cur_ids], dim=1)
            elif len(keep) < len(alive):  # drop finished rows from the batch and from its KV cache
                sel = torch.tensor(keep)
                past.batch_select_indices(sel)
                cur_ids, attn, cur_pos = cur_ids[sel], attn[sel], cur_pos[sel]
                alive = [alive[j] for j in keep]
        lps = [[TokenLogprob(self.tokenizer.decode([t]), lp, t,
                             [(self.tokenizer.decode([k]), v) for k, v in top]) for t, lp, top in row]
               for row in new_lps]
        return [self._completion(*row) for row in zip(reqs, enc, new_tokens, lps, finish)]

    def _step_logprobs(self, logits: torch.Tensor, nxt: torch.Tensor,
                       reqs: list[GenRequest]) -> list[tuple[float, list[tuple[int, float]]]]:
        """Per row: logprob of the sampled token at temperature 1 without top-p, and its top alternatives."""
        logp = torch.log_softmax(logits, dim=-1)
        chosen = logp.gather(1, nxt.unsqueeze(1)).squeeze(1).tolist()
        k = max((r.top_logprobs or 0) for r in reqs)
        tops: list[list[tuple[int, float]]] = [[] for _ in reqs]
        if k:
            v, ix = logp.topk(k, dim=-1)
            tops = [list(zip(ix[j, : r.top_logprobs or 0].tolist(), v[j, : r.top_logprobs or 0].tolist()))
                    for j, r in enumerate(reqs)]
        return list(zip(chosen, tops))

    def _accept(self, r: GenRequest, tid: int, toks: list[int], lps: list[tuple[int, float, list[Any]]],
                lp: tuple[float, list[tuple[int, float]]] | None) -> str | None:
        """Record the sampled token ``tid`` of ``r``; the finish reason once ``r`` is done, else None."""
        if tid in self.stop_ids:
            return "stop"
        toks.append(tid)
        if r.logprobs and lp is not None:
            lps.append((tid, lp[0], lp[1]))
        if len(toks) >= r.max_tokens:
            return "length"
        if r.stop and any(s in self.tokenizer.decode(toks[-16:]) for s in r.stop):
            return "stop"
        return None

    def _completion(self, r: GenRequest, prompt_ids: list[int], toks: list[int], lps: list[TokenLogprob],
                    finish: str) -> Completion:
        text = self.tokenizer.decode(toks, skip_special_tokens=True)
        if r.stop:
            cut = min((text.find(s) for s in r.stop if s in text), default=-1)
            if cut >= 0:
                text, finish = text[:cut], "stop"
        return Completion(
            text=text, token_ids=toks, logprobs=lps if r.logprobs else None, finish_reason=finish,
            declared_model=self.name,
            usage={"prompt_tokens": len(prompt_ids), "completion_tokens": len(toks),
                   "total_tokens": len(prompt_ids) + len(toks)},
        )

    # --- white-box --------------------------------------------------------------------------------
    @torch.no_grad()
    def score(self, prompt: str | Sequence[Message], continuation: str) -> list[TokenLogprob]:
        ctx = self.encode(self.render(prompt))
        cont = self.encode(continuation)
        return self.score_ids(ctx, cont)

    @torch.no_grad()
    def score_ids(self, ctx: list[int], cont: list[int]) -> list[TokenLogprob]:
        """Log-probabilities of token ids ``cont`` after ``ctx`` (one forward pass)."""
        if not cont:
            return []
        ids = torch.tensor([ctx + cont])
        logp = torch.log_softmax(self.model(input_ids=ids).logits[0].float(), dim=-1)
        n = len(ctx)
        return [
            TokenLogprob(self.tokenizer.decode([t]), float(logp[n - 1 + j, t]), t) for j, t in enumerate(cont)
        ]

    @torch.no_grad()
    def score_continuations(self, ctx: list[int], conts: Sequence[Sequence[int]]) -> list[list[float]]:
        """Log-probabilities of each token sequence in ``conts`` after the shared context ``ctx``.

        One forward pass over the context; its KV cache is repeated across the batch of continuations, so scoring
        many samples of one prompt costs little more than their own tokens.
        """
        if not ctx:
            raise InputError("Cannot score a continuation without a prompt context.")
        o = self.model(input_ids=torch.tensor([ctx]), use_cache=True)
        first = torch.log_softmax(o.logits[0, -1].float(), -1)
        cache = getattr(o, "cache", None) or o.past_key_values
        out: list[list[float]] = [first[list(x)].tolist() if len(x) <= 1 else [] for x in conts]
        todo = [(i, [int(t) for t in x]) for i, x in enumerate(conts) if len(x) > 1]
        if not todo:
            return out
        b = len(todo)
        width = max(len(x) for _, x in todo) - 1  # the last token of a continuation needs no next-token logits
        pad = int(self.tokenizer.pad_token_id)
        ids = torch.full((b, width), pad, dtype=torch.long)
        mask = torch.zeros((b, len(ctx) + width), dtype=torch.long)
        mask[:, : len(ctx)] = 1
        for r, (_, x) in enumerate(todo):
            ids[r, : len(x) - 1] = torch.tensor(x[:-1])
            mask[r, len(ctx) : len(ctx) + len(x) - 1] = 1
        c = copy.deepcopy(cache)
        c.batch_repeat_interleave(b)
        pos = torch.arange(len(ctx), len(ctx) + width).unsqueeze(0).expand(b, -1)
        logits = self.model(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True,
                            **{self._cache_kw: c}).logits
        for r, (i, x) in enumerate(todo):
            lp = torch.log_softmax(logits[r, : len(x) - 1].float(), -1)
            rest = lp.gather(1, torch.tensor(x[1:]).unsqueeze(1)).squeeze(1)
            out[i] = [float(first[x[0]])] + rest.tolist()
        return out

    @torch.no_grad()
    def hidden_states(self, texts: Sequence[str], layer: int = -1) -> torch.Tensor:
        """Mean-pooled hidden state of each text at ``layer`` (shape ``[len(texts), d]``)."""
        rows = []
        for t in texts:
            ids = torch.tensor([self.encode(t) or [int(self.tokenizer.pad_token_id)]])
            hs = self.model(input_ids=ids, output_hidden_states=True).hidden_states[layer][0]
            rows.append(hs.float().mean(0))
        return torch.stack(rows)

    def state_dict(self) -> dict[str, Any]:
        return self.model.state_dict()


def _left_pad(enc: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids padded on the left to one width, and their attention mask."""
    width = max(len(e) for e in enc)
    input_ids = torch.full((len(enc), width), pad, dtype=torch.long)
    attn = torch.zeros((len(enc), width), dtype=torch.long)
    for i, e in enumerate(enc):
        if not e:
            raise InputError("Empty prompt after templating: nothing to condition on.")
        input_ids[i, width - len(e) :] = torch.tensor(e)
        attn[i, width - len(e) :] = 1
    return input_ids, attn


def _row_uniforms(reqs: list[GenRequest], steps: int) -> torch.Tensor:
    """``[len(reqs), steps]`` uniforms in [0, 1), row ``i`` from a generator seeded by request ``i`` alone."""
    return torch.stack([torch.rand(steps, generator=torch.Generator().manual_seed(_request_seed(r)),
                                   dtype=torch.float64) for r in reqs])


def _inverse_cdf(probs: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Index of the first entry whose cumulative probability exceeds ``u`` times the row total, per row."""
    cdf = probs.double().cumsum(-1)
    idx = torch.searchsorted(cdf, (u * cdf[:, -1]).unsqueeze(1), right=True).squeeze(1)
    return idx.clamp(max=probs.shape[-1] - 1)


def sample_rows(logits: torch.Tensor, temps: torch.Tensor, top_ps: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """One token per row of ``logits`` ``[b, V]``, by inverse-CDF sampling with the row's own uniform ``u``.

    Temperature 0 is greedy. Rows with top-p < 1 sample from the nucleus in descending-probability order, the
    others in vocabulary order; either way a row's token depends only on its own logits, settings and ``u``.
    """
    greedy = temps <= 0
    t = torch.where(greedy, torch.ones_like(temps), temps)
    probs = torch.softmax(logits / t.unsqueeze(1), dim=-1)
    out = _inverse_cdf(probs, u)
    nucleus = (top_ps < 1.0) & ~greedy
    if bool(nucleus.any()):
        rows = nucleus.nonzero().squeeze(1)
        sp, si = probs[rows].sort(dim=-1, descending=True, stable=True)
        keep = sp.cumsum(-1) - sp < top_ps[rows].unsqueeze(1)
        keep[:, 0] = True
        out[rows] = si.gather(1, _inverse_cdf(sp * keep, u[rows]).unsqueeze(1)).squeeze(1)
    if bool(greedy.any()):
        out = torch.where(greedy, logits.argmax(-1), out)
    return out


def factory(rest: str, batch_size: int = 8, system_prompt: str | None = None, **_: Any) -> HFModel:
    model, tok = load_pretrained(rest)
    return HFModel(model, tok, spec=f"hf:{rest}", batch_size=batch_size, system_prompt=system_prompt)
