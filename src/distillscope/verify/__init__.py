"""`verify`: is this endpoint serving the model it claims? Two-sample tests of an endpoint against a reference.

Three steps:
1. :func:`verify` samples the endpoint and the reference on the same prompts (through the sample store),
2. scores the completions under the reference when it is white-box,
3. runs the battery (:mod:`distillscope.verify.battery`): MMD with a Hamming kernel, a likelihood-rank test,
   logprob tests when the endpoint reports logprobs, and an exactly combined p-value with a verdict.

:mod:`distillscope.verify.planner` says how many prompts x samples a target power needs.
"""

from distillscope.verify.battery import BatteryConfig, run_battery
from distillscope.verify.data import PromptSamples, SampleSet
from distillscope.verify.prompts import default_prompts, load_prompts
from distillscope.verify.verify import Spend, VerifyConfig, VerifyReport, collect, verify

__all__ = [
    "BatteryConfig",
    "PromptSamples",
    "SampleSet",
    "Spend",
    "VerifyConfig",
    "VerifyReport",
    "collect",
    "default_prompts",
    "load_prompts",
    "run_battery",
    "verify",
]
