"""Teacher-logit cache: the teacher's top-k log-probabilities at every target position, in quantized Parquet shards.

Run the teacher once (:func:`build_logit_cache`) or collect an API's ``top_logprobs`` (:func:`cache_from_completions`);
training then reads :class:`LogitCache` and never holds the teacher in memory.

Layout of a cache folder::

    meta.json             teacher spec and weight hash, k, vocab size, tokenizer hash, quantization
    shard-00000.parquet   one row per sequence: input_ids, target positions, top-k ids, quantized log-probs, tail

Log-probabilities are stored as ``uint16`` codes ``round(-logp * 1024)`` (resolution 0.0005 nats, range 64 nats);
code 65535 means "no mass" (padding, or below e^-64). Token ids are ``uint16`` when the vocabulary fits, else
``uint32``. With k = 20 a position costs 82 bytes instead of 4 x vocab for the dense distribution.
Building is resumable: finished shards are kept and skipped when the same build is started again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch

from distillscope.distill.data import Example, data_hash
from distillscope.distill.losses import LOG_ZERO, SparseTeacher
from distillscope.errors import InputError
from distillscope.models.base import is_white_box

SCALE = 1024.0
ZERO_CODE = 65535
SHARD_SIZE = 32
FORMAT_VERSION = 1


def quantize(logp: np.ndarray) -> np.ndarray:
    """Log-probabilities (<= 0) -> uint16 codes; anything below -64 nats (or LOG_ZERO) -> ZERO_CODE."""
    code = np.rint(-np.asarray(logp, dtype=np.float64) * SCALE)
    code = np.where(np.isfinite(code) & (code >= 0) & (code < ZERO_CODE), code, np.where(code < 0, 0, ZERO_CODE))
    return code.astype(np.uint16)


def dequantize(code: np.ndarray) -> np.ndarray:
    c = np.asarray(code)
    return np.where(c == ZERO_CODE, LOG_ZERO, -c.astype(np.float32) / SCALE).astype(np.float32)


@dataclass
class CachedSequence:
    """One cached sequence: ids, target positions and the teacher's sparse distribution predicting each target."""

    input_ids: np.ndarray  # [n]
    target_pos: np.ndarray  # [m] token indices t (predicted from tokens < t)
    top_ids: np.ndarray  # [m, k]
    top_logp: np.ndarray  # [m, k] float32
    tail_logp: np.ndarray  # [m] float32


class LogitCache:
    """A folder of quantized teacher top-k log-probabilities (see module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        meta = self.path / "meta.json"
        if not meta.exists():
            raise InputError(f"{self.path} is not a logit cache (no meta.json). Build one with build_logit_cache "
                             "or `distillscope distill --method logits`.")
        self.meta: dict[str, Any] = json.loads(meta.read_text())
        self.k = int(self.meta["k"])

    @property
    def shards(self) -> list[Path]:
        return sorted(self.path.glob("shard-*.parquet"))

    def __iter__(self) -> Iterator[CachedSequence]:
        for shard in self.shards:
            table = pq.read_table(shard)
            cols = {c: table.column(c).to_pylist() for c in table.column_names}
            for i in range(table.num_rows):
                m = len(cols["target_pos"][i])
                yield CachedSequence(
                    np.asarray(cols["input_ids"][i], dtype=np.int64),
                    np.asarray(cols["target_pos"][i], dtype=np.int64),
                    np.asarray(cols["top_ids"][i], dtype=np.int64).reshape(m, self.k),
                    dequantize(np.asarray(cols["top_logp"][i], dtype=np.uint16)).reshape(m, self.k),
                    dequantize(np.asarray(cols["tail_logp"][i], dtype=np.uint16)),
                )

    def sequences(self) -> list[CachedSequence]:
        return list(self)

    def __len__(self) -> int:
        return sum(pq.ParquetFile(s).metadata.num_rows for s in self.shards)

    @property
    def nbytes(self) -> int:
        return sum(s.stat().st_size for s in self.shards)

    def n_targets(self) -> int:
        return int(self.meta.get("n_targets", 0))


def collate(seqs: Sequence[CachedSequence], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor,
                                                                         SparseTeacher]:
    """Batch cached sequences for a causal student.

    Returns ``(input_ids [B, L], attention_mask [B, L], labels [B, L-1], teacher)`` where the student's logits at
    positions ``0..L-2`` predict ``labels`` and ``teacher`` (a :class:`SparseTeacher` of shape ``[B, L-1, k]``) is
    aligned with them; non-target positions have label -100.
    """
    b = len(seqs)
    width = max(len(s.input_ids) for s in seqs)
    k = seqs[0].top_ids.shape[1]
    ids = torch.full((b, width), pad_id, dtype=torch.long)
    attn = torch.zeros((b, width), dtype=torch.long)
    labels = torch.full((b, width - 1), -100, dtype=torch.long)
    t_ids = torch.zeros((b, width - 1, k), dtype=torch.long)
    t_lp = torch.full((b, width - 1, k), LOG_ZERO)
    t_tail = torch.full((b, width - 1), LOG_ZERO)
    for i, s in enumerate(seqs):
        n = len(s.input_ids)
        ids[i, :n] = torch.from_numpy(s.input_ids)
        attn[i, :n] = 1
        pos = torch.from_numpy(s.target_pos) - 1
        labels[i, pos] = torch.from_numpy(s.input_ids[s.target_pos])
        t_ids[i, pos] = torch.from_numpy(s.top_ids)
        t_lp[i, pos] = torch.from_numpy(s.top_logp)
        t_tail[i, pos] = torch.from_numpy(s.tail_logp)
    return ids, attn, labels, SparseTeacher(t_ids, t_lp, t_tail)


def _id_type(vocab: int) -> pa.DataType:
    return pa.uint16() if vocab <= 65536 else pa.uint32()


def _write_shard(path: Path, rows: list[dict[str, Any]], vocab: int) -> None:
    schema = pa.schema([
        ("input_ids", pa.list_(pa.int32())),
        ("target_pos", pa.list_(pa.int32())),
        ("top_ids", pa.list_(_id_type(vocab))),
        ("top_logp", pa.list_(pa.uint16())),
        ("tail_logp", pa.list_(pa.uint16())),
    ])
    table = pa.Table.from_pylist(rows, schema=schema)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.rename(path)  # a shard exists only once complete, so an interrupted build resumes cleanly


def _row(ex_ids: Sequence[int], target_pos: np.ndarray, top_ids: np.ndarray, top_lp: np.ndarray,
         tail: np.ndarray) -> dict[str, Any]:
    return {
        "input_ids": list(map(int, ex_ids)),
        "target_pos": target_pos.astype(np.int32).tolist(),
        "top_ids": top_ids.reshape(-1).tolist(),
        "top_logp": quantize(top_lp).reshape(-1).tolist(),
        "tail_logp": quantize(tail).tolist(),
    }


def _start(path: Path, meta: dict[str, Any]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    mp = path / "meta.json"
    if mp.exists():
        old = json.loads(mp.read_text())
        keys = ("teacher_hash", "k", "data_hash", "tokenizer_hash", "format")
        if any(old.get(x) != meta.get(x) for x in keys):
            raise InputError(f"{path} holds a different logit cache (teacher, k or data differ). "
                             "Choose another folder or delete it.")
    mp.write_text(json.dumps(meta, indent=2))


@torch.no_grad()
def build_logit_cache(teacher: Any, examples: Sequence[Example], path: str | Path, k: int = 20,
                      batch_size: int = 4, teacher_hash: str | None = None,
                      progress: Callable[[int], None] | None = None) -> LogitCache:
    """Run a white-box teacher over ``examples`` once and store its top-k log-probs at every target position.

    Args:
        teacher: a white-box model (:class:`~distillscope.models.WhiteBox`).
        examples: token sequences in the teacher's tokenizer.
        path: cache folder; shards already there from the same build are kept (resume).
        k: kept log-probabilities per position (the rest is summed into the tail).
        batch_size: sequences per teacher forward pass.
        teacher_hash: weight hash recorded in meta.json (computed by the caller, who usually needs it anyway).
        progress: called with the number of target tokens done after each batch.
    """
    if not is_white_box(teacher):
        raise InputError(f"{getattr(teacher, 'spec', teacher)} is black-box: logit caching needs a white-box "
                         "teacher (hf:/zoo:), or collect API top_logprobs with cache_from_completions, or use "
                         "--method sequences.")
    from distillscope.distill.data import tokenizer_hash

    path = Path(path)
    vocab = teacher.vocab_size
    k = min(int(k), vocab)
    meta = {
        "format": FORMAT_VERSION, "teacher": getattr(teacher, "spec", ""), "teacher_hash": teacher_hash, "k": k,
        "vocab_size": vocab, "tokenizer_hash": tokenizer_hash(teacher.tokenizer), "data_hash": data_hash(examples),
        "n_sequences": len(examples), "n_targets": sum(e.n_targets for e in examples), "scale": SCALE,
        "source": "teacher-forward",
    }
    _start(path, meta)
    model = teacher.module
    pad = int(teacher.tokenizer.pad_token_id or 0)
    for si, s in enumerate(range(0, len(examples), SHARD_SIZE)):
        shard = path / f"shard-{si:05d}.parquet"
        chunk = examples[s : s + SHARD_SIZE]
        if shard.exists():
            if progress:
                progress(sum(e.n_targets for e in chunk))
            continue
        rows = []
        for b in range(0, len(chunk), batch_size):
            batch = chunk[b : b + batch_size]
            width = max(len(e.input_ids) for e in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            attn = torch.zeros_like(ids)
            for i, e in enumerate(batch):
                ids[i, : len(e.input_ids)] = torch.tensor(e.input_ids)
                attn[i, : len(e.input_ids)] = 1
            logits = model(input_ids=ids, attention_mask=attn).logits
            for i, e in enumerate(batch):
                pos = np.flatnonzero(np.asarray(e.targets))
                sp = SparseTeacher.from_logits(logits[i, pos - 1], k)
                rows.append(_row(e.input_ids, pos, sp.ids.numpy(), sp.logp.numpy(), sp.tail_logp.numpy()))
            if progress:
                progress(sum(e.n_targets for e in batch))
        _write_shard(shard, rows, vocab)
    return LogitCache(path)


def cache_from_completions(prompts: Sequence[str], completions: Sequence[Any], tokenizer: Any, path: str | Path,
                           teacher_spec: str = "", k: int | None = None) -> LogitCache:
    """Store an API's per-token ``top_logprobs`` (``Completion.logprobs[i].top``) in the same cache format.

    Token strings are mapped to ids of ``tokenizer`` (the student's, which must be the API model's tokenizer for
    logit distillation): each chosen token and each alternative must be exactly one token there. Alternatives that
    are not are dropped into the tail; a chosen token that is not raises an error pointing to sequence-level
    distillation. The tail is ``1 - sum(top probabilities)``.
    """
    from distillscope.distill.data import render_prompt, tokenizer_hash

    path = Path(path)
    rows = []
    vocab = len(tokenizer)
    kk = k or max((len(t.top) for c in completions for t in (c.logprobs or [])), default=1)
    kk = max(1, kk)

    def one_id(tok: str) -> int | None:
        ids = tokenizer(tok, add_special_tokens=False)["input_ids"]
        return int(ids[0]) if len(ids) == 1 else None

    examples = []
    for prompt, comp in zip(prompts, completions):
        if not comp.logprobs:
            raise InputError(f"Completion for prompt {prompt[:40]!r} has no logprobs: request logprobs=True and "
                             "top_logprobs=K from the API, or use --method sequences.")
        ctx = tokenizer(render_prompt(tokenizer, prompt), add_special_tokens=False)["input_ids"]
        ans, top_ids, top_lp, tail = [], [], [], []
        for tl in comp.logprobs:
            tid = tl.token_id if tl.token_id is not None else one_id(tl.token)
            if tid is None or tid >= vocab:
                raise InputError(f"API token {tl.token!r} is not one token of the student tokenizer: the API model "
                                 "uses another tokenizer, so its logits cannot be aligned. Use --method sequences.")
            ans.append(int(tid))
            alts = [(one_id(s), lp) for s, lp in tl.top[:kk]]
            alts = [(i, lp) for i, lp in alts if i is not None]
            row_ids = [i for i, _ in alts] + [0] * (kk - len(alts))
            row_lp = [lp for _, lp in alts] + [LOG_ZERO] * (kk - len(alts))
            mass = float(np.exp(np.asarray([lp for _, lp in alts], dtype=np.float64)).sum()) if alts else 0.0
            top_ids.append(row_ids)
            top_lp.append(row_lp)
            tail.append(float(np.log(max(1.0 - mass, 0.0))) if mass < 1.0 - 1e-6 else LOG_ZERO)
        ids = ctx + ans
        pos = np.arange(len(ctx), len(ids))
        examples.append(Example(list(ids), [False] * len(ctx) + [True] * len(ans)))
        rows.append(_row(ids, pos, np.asarray(top_ids), np.asarray(top_lp), np.asarray(tail)))
    meta = {
        "format": FORMAT_VERSION, "teacher": teacher_spec, "teacher_hash": None, "k": kk, "vocab_size": vocab,
        "tokenizer_hash": tokenizer_hash(tokenizer), "data_hash": data_hash(examples),
        "n_sequences": len(examples), "n_targets": sum(e.n_targets for e in examples), "scale": SCALE,
        "source": "api-top-logprobs",
    }
    _start(path, meta)
    for si, s in enumerate(range(0, len(rows), SHARD_SIZE)):
        _write_shard(path / f"shard-{si:05d}.parquet", rows[s : s + SHARD_SIZE], vocab)
    return LogitCache(path)


def cache_key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
