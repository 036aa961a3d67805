"""`verify`: is this endpoint serving the model it claims? Two-sample tests of an endpoint against a reference.

Three steps:
1. :func:`verify` samples the endpoint and the reference on the same prompts (through the sample store),
2. scores the completions under the reference when it is white-box,
3. runs the battery (:mod:`distillscope.verify.battery`): MMD with a Hamming kernel, a likelihood-rank test,
   text-only tests under a proxy LM (per-completion likelihood features; the token kernel of
   :mod:`distillscope.verify.kernel`, which sees watermarks keyed to previous tokens), format statistics,
   logprob tests when the endpoint reports logprobs, and an exactly combined p-value with a verdict.

:mod:`distillscope.verify.planner` says how many prompts x samples a target power needs.
Nothing heavy is imported until a name is used: the CLI reads :mod:`distillscope.verify.config` cheaply.
"""

from __future__ import annotations

from distillscope._lazy import lazy_getattr

_EXPORTS = {
    "BatteryConfig": "config", "VerifyConfig": "config", "run_battery": "battery",
    "PromptSamples": "data", "SampleSet": "data", "default_prompts": "prompts", "load_prompts": "prompts",
    "Spend": "run", "VerifyReport": "run", "collect": "run", "verify": "run",
}

__all__ = list(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
