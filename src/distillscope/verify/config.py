"""Settings of a verify run. Each field's metadata (help text, CLI flag) drives `distillscope verify`'s options and
its ``--config FILE.yaml``; this module imports nothing heavy so the CLI stays fast.

    from distillscope.verify.config import VerifyConfig, BatteryConfig
    cfg = VerifyConfig(samples=20, battery=BatteryConfig(alpha=0.01))
"""

from __future__ import annotations

from dataclasses import dataclass, field

from distillscope.configs import opt
from distillscope.errors import InputError

# Default numerical tolerance for reported logprobs (nats per token). Measured on SmolLM2 (median |endpoint -
# reference| per token, bench/verify_power.py): same model 2.5e-6, fp16 weights 1.5e-3, bf16 7.3e-3, int8 1.0.
LOGPROB_TOL = 1e-3
MISMATCH_RATE = 0.01


@dataclass
class BatteryConfig:
    """Parameters of the battery (see each field's help)."""

    alpha: float = opt(0.05, "Test level of the verdict: exit code 1 when the combined p-value is below it.",
                       min=0.0, max=1.0)
    n_perm: int = opt(1000, "Label shuffles / sign flips per permutation test.", flag="permutations", min=19)
    seed: int = opt(0, "Seed of sampling and permutations (same seed, same p-values).")
    kernel_chars: int = opt(1000, "Characters compared by the Hamming kernel of the MMD test.", min=1)
    logprob_tol: float = opt(LOGPROB_TOL, "Numerical tolerance of the logprob tests, nats/token.", min=0.0)
    mismatch_rate: float = opt(MISMATCH_RATE, "Fraction of tokens allowed beyond --logprob-tol under the null of "
                               "the logprob match test.", min=0.0, max=1.0)
    # min (Tippett) by default: the text-only tests see different distortions (the token kernel watermarks, the
    # proxy/rank tests temperature and truncation, the format test length), so usually one of them carries the
    # signal and Fisher's sum dilutes it with the others' uniform p-values. Both are exact (the same label shuffles
    # for every test). bench/verify_power.py, text only, white-box reference, median power over 11 distortions at
    # 5/10/20 samples per prompt: min 0.90/1.00/1.00, Fisher 0.60/0.82/1.00 (40 trials; an earlier run of 30:
    # 0.97/1.00/1.00 and 0.50/0.90/1.00); null false-positive rate at 10 samples over 400 trials: min 0.045
    # [Wilson 0.029, 0.070], Fisher 0.058 [0.039, 0.085].
    npc: str = opt("min", "Combination of the permutation tests: min (Tippett, the smallest p-value) or fisher.")
    tests: tuple[str, ...] | None = opt(None, "Names of the tests to run (default: all whose inputs are present).",
                                        cli=False)

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise InputError(f"alpha must be in (0, 1), got {self.alpha}.")
        if self.n_perm < 19:
            raise InputError(f"n_perm (--permutations) must be >= 19 (a p-value below 0.05 needs it), got "
                             f"{self.n_perm}.")
        if self.logprob_tol < 0 or not 0 <= self.mismatch_rate < 1:
            raise InputError("logprob_tol must be >= 0 and mismatch_rate in [0, 1).")
        if self.npc not in ("fisher", "min"):
            raise InputError(f"npc must be fisher or min, got {self.npc!r}.")


@dataclass
class VerifyConfig:
    """Settings of one verify run (the CLI flags and --config keys map one to one onto the fields)."""

    samples: int = opt(10, "Endpoint completions per prompt (>= 2).", short="-n", min=2)
    reference_samples: int | None = opt(None, "Reference completions per prompt (default: --samples).", min=2)
    max_tokens: int = opt(32, "Tokens per completion.", min=1)
    temperature: float = opt(1.0, "Claimed sampling temperature (both sides).", min=0.0)
    top_p: float = opt(1.0, "Claimed top-p (both sides).", min=0.0, max=1.0)
    logprobs: str = opt("auto", "Ask the endpoint for logprobs: auto (if it advertises them), yes or no.")
    price_in: float = opt(0.15, "USD per 1M prompt tokens, for the cost estimate.", min=0.0)
    price_out: float = opt(0.60, "USD per 1M completion tokens, for the cost estimate.", min=0.0)
    tokenizer_calls: int = opt(10, "Calls of the usage-count tokenizer test (0 = off): crafted prompts whose "
                               "usage.prompt_tokens must match the white-box reference's tokenizer.", min=0)
    proxy: str = opt("auto", "Proxy LM for the proxy-likelihood test: a white-box spec (zoo:/hf:) that scores "
                     "both sides' completions (mean token logprob, surprise, entropy, rank; the reference may stay "
                     "black-box), 'auto' (the reference when it is white-box, else no proxy test) or 'none'. For a black-box or "
                     "recorded reference, any local LM of another family works (zoo:gemma3-270m: bench/verify_power.py "
                     "measures it) and is what gives text-only tests their power.")
    battery: BatteryConfig = field(default_factory=BatteryConfig)

    def __post_init__(self) -> None:
        if self.samples < 2:
            raise InputError(f"--samples must be >= 2 (a two-sample test needs 2 per prompt), got {self.samples}.")
        if self.reference_samples is not None and self.reference_samples < 2:
            raise InputError(f"reference samples must be >= 2, got {self.reference_samples}.")
        if self.tokenizer_calls and self.tokenizer_calls < 3:
            raise InputError(f"--tokenizer-calls must be 0 (off) or >= 3, got {self.tokenizer_calls}.")
        if self.logprobs not in ("auto", "yes", "no"):
            raise InputError(f"logprobs must be auto, yes or no, got {self.logprobs!r}.")
