"""Builds the members of the lineage zoo planned in :mod:`distillscope.zoo._lineage_plan`, one folder each.

Every member folder holds the model (``save_pretrained``), its tokenizer and ``provenance.json``; a folder with
both ``config.json`` and ``provenance.json`` counts as built and is reused. Teacher answers go through the zoo's
sample store, so seeds and reruns reuse them.
"""

from __future__ import annotations

import copy
import gc
import math
import random
import time
from pathlib import Path
from typing import Any

import torch

from distillscope.zoo._lineage_plan import SCRATCH, Member, ZooSize

LR_STUDENT = 3e-3
LR_FT_SCRATCH = 3e-4
LR_FT_REF = 5e-5
K = 20


def done(path: Path, recipe: dict[str, Any] | None = None) -> bool:
    """A member folder is built when it holds a model and its provenance, and (given ``recipe``) was built with
    that recipe: a member whose plan changed is rebuilt."""
    if not ((path / "provenance.json").exists() and (path / "config.json").exists()):
        return False
    if recipe is None:
        return True
    import json

    built = json.loads((path / "provenance.json").read_text()).get("lineage", {}).get("recipe")
    return json.loads(json.dumps(built)) == json.loads(json.dumps(recipe))


def arch_config(arch: str, tok: Any, vocab: int, layers: int, d: int) -> Any:
    """A Llama or GPT-2 config of the given shape whose vocabulary and special tokens are the tokenizer's."""
    from transformers import GPT2Config, LlamaConfig

    heads = max(2, d // 32)
    ids = {"bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id,
           "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id}
    if arch == "llama":
        return LlamaConfig(vocab_size=vocab, hidden_size=d, intermediate_size=3 * d, num_hidden_layers=layers,
                           num_attention_heads=heads, num_key_value_heads=heads, max_position_embeddings=512,
                           tie_word_embeddings=True, **ids)
    return GPT2Config(vocab_size=vocab, n_embd=d, n_layer=layers, n_head=heads, n_positions=512, **ids)


class Builder:
    """Shared state of one zoo build: data splits, loaded models, the store, and the member table."""

    def __init__(self, out: Path, sz: ZooSize, size: str, members: list[Member], teacher_spec: str,
                 show_progress: bool, log: Any = None) -> None:
        from distillscope.distill.data import corpus_texts, default_prompts
        from distillscope.store import SampleStore
        from distillscope.zoo import tiny_tokenizer

        self.out, self.sz, self.size, self.teacher_spec = out, sz, size, teacher_spec
        self.by_name = {m.name: m for m in members}
        self.show = show_progress
        self.log = log or (lambda msg: None)
        self.store = SampleStore(out / "samples.duckdb")
        self.prompts = default_prompts(sz.n_prompts, seed=0)
        corpus = corpus_texts(seed=0)
        self.thirds = [corpus[i::3] for i in range(3)]  # scratch teachers get 0 and 1, students and controls 2
        self._models: dict[str, Any] = {}
        self.toks = {"tiny": tiny_tokenizer()}
        self._examples: dict[tuple, Any] = {}
        self._hashes: dict[str, str] = {}

    # ------------------------------------------------------------------ models and data
    def path(self, name: str) -> Path:
        return self.out / name

    def spec(self, name: str) -> str:
        return self.teacher_spec if name == "teacher-ref" else f"hf:{self.path(name)}"

    def model(self, name: str, keep: bool = True) -> Any:
        """The loaded Model of a built member (kept loaded when ``keep``: teachers and parents)."""
        from distillscope.models import load_model

        if name in self._models:
            return self._models[name]
        m = load_model(self.spec(name))
        if keep:
            self._models[name] = m
        return m

    def tok(self, fam: str) -> Any:
        if fam not in self.toks:
            self.toks[fam] = self.model("teacher-ref").tokenizer
        return self.toks[fam]

    def vocab(self, fam: str) -> int:
        return 2048 if fam == "tiny" else int(self.model("teacher-ref").vocab_size)

    def answers(self, name: str) -> tuple[list[str], list[str]]:
        """(answers, sample ids) of member ``name`` to the zoo prompts (store-cached)."""
        from distillscope.distill.sequences import teacher_answers

        comps = teacher_answers(self.model(name), self.prompts, self.sz.answer_tokens, 0.7, 0, self.store)
        return [c.text for c in comps], [c.sample_id for c in comps if c.sample_id]

    def student_budget(self, fam: str) -> tuple[int, int, int]:
        """(steps, batch size, max_len) of a fresh student with tokenizer family ``fam``."""
        if fam == "ref" and self.sz.ref_student is not None:
            return self.sz.ref_student
        return self.sz.steps, self.sz.batch_size, self.sz.max_len

    def weights_sha(self, name: str) -> str:
        from distillscope.distill.provenance import weights_hash

        if name not in self._hashes:
            self._hashes[name] = weights_hash(self.model(name).module)
        return self._hashes[name]

    def answer_examples(self, name: str, fam: str) -> tuple[list, list[str]]:
        from distillscope.distill.data import encode_chat

        key = ("answers", name, fam)
        if key not in self._examples:
            ans, ids = self.answers(name)
            tok = self.tok(fam)
            max_len = self.student_budget(fam)[2]
            self._examples[key] = ([e for p, a in zip(self.prompts, ans)
                                    if (e := encode_chat(tok, p, a, max_len))], ids)
        return self._examples[key]

    def corpus_examples(self, fam: str) -> list:
        """The students' corpus data: the zoo prompts answered with corpus passages, then corpus text windows."""
        from distillscope.distill.data import encode_chat, encode_texts

        key = ("corpus", fam)
        if key not in self._examples:
            tok, c = self.tok(fam), self.thirds[2]
            n_words = int(self.sz.answer_tokens * 0.75)
            max_len = self.student_budget(fam)[2]
            chat = [e for i, p in enumerate(self.prompts)
                    if (e := encode_chat(tok, p, " ".join(c[i % len(c)].split()[:n_words]), max_len))]
            self._examples[key] = chat + encode_texts(tok, c, max_len)
        return self._examples[key]

    # ------------------------------------------------------------------ training
    def _train(self, model: Any, examples: list, method: str, teacher: Any | None, steps: int, seed: int,
               lr: float, batch_size: int, work: Path, desc: str) -> dict[str, Any]:
        from distillscope.distill.data import data_hash
        from distillscope.distill.provenance import weights_hash
        from distillscope.distill.run import ce_step, logits_step
        from distillscope.distill.train import TrainConfig, config_key, train

        cfg = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, warmup=min(20, steps // 5), seed=seed,
                          checkpoint_every=10**9)
        pad = int(model.config.pad_token_id or 0)
        cache_info: dict[str, Any] = {}
        if method == "logits":
            from distillscope.distill.cache import build_logit_cache, cache_key

            t_hash = self._hashes.get(teacher.spec) or weights_hash(teacher.module)
            self._hashes[teacher.spec] = t_hash
            cpath = self.out / "_logit-cache" / cache_key(t_hash, data_hash(examples), K)
            cache = build_logit_cache(teacher, examples, cpath, K, teacher_hash=t_hash)
            seqs = cache.sequences()
            step, n = logits_step(seqs, cfg, pad), len(seqs)
            cache_info = {"k": K, "bytes": cache.nbytes}
        else:
            step, n = ce_step(examples, pad), len(examples)
        key = config_key(method, data_hash(examples), steps, seed, lr)
        res = train(model, n, step, cfg, work_dir=None, resume=False, show_progress=self.show, description=desc,
                    config_key=key)
        return {"steps": res.steps, "target_tokens": res.target_tokens, "seconds": round(res.seconds, 2),
                "final_loss": res.final_loss, "lr": lr, "batch_size": batch_size, "cache": cache_info}

    def _save(self, m: Member, model: Any, tok: Any, *, method: str, teacher: str | None, data: dict[str, Any],
              hp: dict[str, Any], started: str, parents: list[dict[str, Any]], extra: dict[str, Any]) -> None:
        from distillscope.distill.provenance import write_manifest

        path = self.path(m.name)
        path.mkdir(parents=True, exist_ok=True)
        half = m.tokenizer == "ref" and self.sz.ref_dtype != "float32"
        if half:  # disk: the 135M derivatives are stored in 16 bits and load back as float32
            model = model.to(getattr(torch, self.sz.ref_dtype))
        model.save_pretrained(path)
        tok.save_pretrained(path)
        if half:
            model = model.float()
        t_info = None
        if teacher is not None:
            t_info = {"spec": self.spec(teacher), "weights_sha256": self.weights_sha(teacher)}
        write_manifest(path, model=model, teacher=t_info or {"spec": None, "weights_sha256": None}, data=data,
                       method=method, hyperparameters={**hp, "saved_dtype": self.sz.ref_dtype if half else "float32"},
                       started=started, parents=parents,
                       extra={"lineage": {"member": m.name, "relation": m.relation, "teacher": m.teacher,
                                          "parent": m.parent, "seed": m.seed, "zoo_size": self.size,
                                          "recipe": m.recipe}, **extra})

    # ------------------------------------------------------------------ members
    def build(self, m: Member) -> None:
        from distillscope.distill.provenance import now

        started, t0 = now(), time.perf_counter()
        if m.recipe.get("method") == "scratch":
            self._scratch_teacher(m, started)
        elif m.relation == "teacher":
            pass  # the reference teacher is loaded as is
        elif m.relation == "control" or m.recipe.get("method") in ("logits", "sequences", "mixed"):
            self._student(m, started)
        elif m.recipe["method"] == "finetune":
            self._finetune(m, started)
        else:
            self._weight_op(m, started)
        self.log(f"built {m.name} in {time.perf_counter() - t0:.1f}s")
        gc.collect()

    def _scratch_teacher(self, m: Member, started: str) -> None:
        from distillscope.distill.data import data_hash, default_prompts, encode_chat, encode_texts
        from distillscope.zoo import tiny_tokenizer

        if "corpus_sample" in m.recipe:  # a teacher-like control: its own random third of the whole corpus
            corpus = [p for t in self.thirds for p in t]
            third = random.Random(f"sample:{m.recipe['corpus_sample']}").sample(corpus, len(corpus) // 3)
            what = f"a random third of the built-in corpus (sample {m.recipe['corpus_sample']})"
            prompt_seed = 100 + m.recipe["corpus_sample"]
        else:
            third = self.thirds[m.recipe["corpus_third"]]
            what = f"built-in corpus third {m.recipe['corpus_third']}"
            prompt_seed = 1 + m.recipe["corpus_third"]
        tok = tiny_tokenizer()
        prompts = default_prompts(None, seed=prompt_seed)
        chat = [e for i, p in enumerate(prompts)
                if (e := encode_chat(tok, p, " ".join(third[i % len(third)].split()[:60]), self.sz.max_len))]
        ex = encode_texts(tok, third, self.sz.max_len) + chat
        torch.manual_seed(m.seed)
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_config(arch_config(m.arch, tok, 2048, m.recipe["layers"], m.recipe["d"]))
        tr = self._train(model, ex, "text", None, m.recipe["steps"], m.seed, LR_STUDENT, self.sz.batch_size,
                         self.path(m.name), f"teacher {m.name}")
        self._save(m, model, tok, method="scratch", teacher=None,
                   data={"sha256": data_hash(ex), "n_sequences": len(ex), "n_target_tokens": sum(e.n_targets for e in ex),
                         "source": f"{what} (raw text + chat answers)"
                                   + (" (a teacher-like control, no teacher)" if m.relation == "control" else "")},
                   hp={**m.recipe, "arch": m.arch, "seed": m.seed}, started=started, parents=[],
                   extra={"training": tr})

    def _student(self, m: Member, started: str) -> None:
        from transformers import AutoModelForCausalLM

        from distillscope.distill.data import data_hash

        fam, method = m.tokenizer, m.recipe["method"]
        tok = self.tok(fam)
        parent = m.parent
        extra: dict[str, Any] = {}
        if m.relation == "control":
            ex, source = self.corpus_examples(fam), "zoo prompts with corpus passages + corpus text (no teacher)"
        elif method == "mixed":
            ex, extra["teacher_samples"], source = self._mix(m, fam)
        else:
            ex, ids = self.answer_examples(parent or "", fam)
            source = f"answers of {parent} to the zoo prompts"
            extra["teacher_samples"] = {"n": len(ids), "sample_ids": ids, "temperature": 0.7,
                                        "max_tokens": self.sz.answer_tokens}
        torch.manual_seed(m.seed)
        model = AutoModelForCausalLM.from_config(arch_config(m.arch, tok, self.vocab(fam), m.recipe["layers"],
                                                             m.recipe["d"]))
        train_method = "logits" if method == "logits" else "text"
        teacher = self.model(parent) if train_method == "logits" and parent else None
        steps, bs, _ = self.student_budget(fam)
        steps = int(m.recipe.get("steps", steps))
        tr = self._train(model, ex, train_method, teacher, steps, m.seed, LR_STUDENT, bs, self.path(m.name), m.name)
        self._save(m, model, tok, method=method if m.relation != "control" else "text",
                   teacher=parent if m.relation != "control" else None,
                   data={"sha256": data_hash(ex), "n_sequences": len(ex),
                         "n_target_tokens": sum(e.n_targets for e in ex), "source": source},
                   hp={**m.recipe, "arch": m.arch, "seed": m.seed, "k": K if train_method == "logits" else None},
                   started=started, parents=[{"spec": self.spec(parent), "role": "teacher"}] if parent and
                   m.relation != "control" else [], extra={"training": tr, **extra})

    def _mix(self, m: Member, fam: str, share: float = 0.05) -> tuple[list, dict[str, Any], str]:
        """(examples, teacher_samples record, source) of a 5%-mix student: all of the students' corpus data plus
        the teacher's answers, ``share`` of the target tokens (``fraction="target tokens"`` in the recipe) or, in
        zoos built before that, of the examples."""
        t_ex, ids = self.answer_examples(m.teacher or "", fam)
        c_ex = self.corpus_examples(fam)
        if m.recipe.get("fraction") == "target tokens":
            want = share / (1 - share) * sum(e.n_targets for e in c_ex)
            n_t, got = 0, 0
            while n_t < len(t_ex) and got < want:
                got += t_ex[n_t].n_targets
                n_t += 1
            if got < want:  # too few answers (the test zoo): less corpus data instead
                cut, room = 0, got * (1 - share) / share
                while cut < len(c_ex) and room >= c_ex[cut].n_targets:
                    room -= c_ex[cut].n_targets
                    cut += 1
                c_ex = c_ex[: max(cut, 1)]
            ex = c_ex + t_ex[:n_t]
        else:
            n_t = min(len(t_ex), math.ceil(len(c_ex) * share / (1 - share)))
            ex = c_ex[: math.floor(n_t * (1 - share) / share)] + t_ex[:n_t]
        t_tok, all_tok = sum(e.n_targets for e in t_ex[:n_t]), sum(e.n_targets for e in ex)
        source = (f"corpus data + {n_t} of {m.parent}'s answers ({n_t / len(ex):.1%} of the examples, "
                  f"{t_tok / all_tok:.1%} of the target tokens)")
        rec = {"n": n_t, "sample_ids": ids[:n_t], "fraction_of_examples": n_t / len(ex), "target_tokens": t_tok,
               "fraction_of_target_tokens": t_tok / all_tok}
        return ex, rec, source

    def _finetune(self, m: Member, started: str) -> None:
        from distillscope.distill.data import data_hash, encode_texts

        base = self.model(m.parent or "")
        tok = base.tokenizer
        ref = m.tokenizer == "ref" and m.parent == "teacher-ref"
        steps = self.sz.ref_finetune_steps if ref else self.sz.finetune_steps
        bs, max_len = (2, 64) if ref else (self.sz.batch_size, self.sz.max_len)
        windows = encode_texts(tok, self.thirds[2], max_len)
        off = (m.seed * 7) % max(1, len(windows))
        ex = (windows[off:] + windows[:off])[: max(steps * bs, 1)]
        model = copy.deepcopy(base.module)
        lr = (LR_FT_REF if ref else LR_FT_SCRATCH) * m.recipe["lr_scale"]
        tr = self._train(model, ex, "text", None, steps, m.seed, lr, bs, self.path(m.name), m.name)
        self._save(m, model, tok, method="finetune", teacher=m.parent,
                   data={"sha256": data_hash(ex), "n_sequences": len(ex),
                         "n_target_tokens": sum(e.n_targets for e in ex), "source": "built-in corpus (third 2)"},
                   hp={**m.recipe, "lr": lr, "steps": steps, "seed": m.seed}, started=started,
                   parents=[{"spec": self.spec(m.parent or ""), "role": "init"}], extra={"training": tr})
        del model

    def _weight_op(self, m: Member, started: str) -> None:
        from distillscope.zoo._lineage_ops import merge_weights, prune_weights, quantize_weights

        r = m.recipe
        if r["method"] == "merge":
            a, b = r["models"]
            model = merge_weights(copy.deepcopy(self.model(a).module), self.model(b, keep=False).module,
                                  r["weight_of_first"])
            parents = [{"spec": self.spec(a), "role": "weights"}, {"spec": self.spec(b), "role": "weights"}]
            hp = {"models": [self.spec(x) for x in (a, b)], "weight_of_first": r["weight_of_first"]}
        else:
            model = copy.deepcopy(self.model(m.parent or "").module)
            if r["method"] == "quantize":
                quantize_weights(model, r["bits"], r["group"])
                hp = {"bits": r["bits"], "group": r["group"], "scheme": "symmetric RTN"}
            else:
                prune_weights(model, r["sparsity"])
                hp = {"sparsity": r["sparsity"], "scheme": "unstructured magnitude, per matrix"}
            parents = [{"spec": self.spec(m.parent or ""), "role": "weights"}]
        self._save(m, model, self.model(m.teacher or "").tokenizer, method=r["method"], teacher=m.teacher,
                   data={"sha256": None, "n_sequences": 0, "n_target_tokens": 0, "source": "none"}, hp=hp,
                   started=started, parents=parents, extra={})
        del model


__all__ = ["SCRATCH", "Builder", "arch_config", "done"]
