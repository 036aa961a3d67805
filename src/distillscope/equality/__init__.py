"""`verify`: is this endpoint serving the model it claims? Two-sample tests of an endpoint against a reference.

Three steps:
1. :func:`verify` samples the endpoint and the reference on the same prompts (through the sample store),
2. scores the completions under the reference when it is white-box,
3. runs the battery (:mod:`distillscope.equality.battery`): MMD with a Hamming kernel, a likelihood-rank test,
   logprob tests when the endpoint reports logprobs, and an exactly combined p-value with a verdict.

:mod:`distillscope.equality.planner` says how many prompts x samples a target power needs.
"""

from distillscope.equality.battery import BatteryConfig, run_battery
from distillscope.equality.data import PromptSamples, SampleSet
from distillscope.equality.prompts import default_prompts, load_prompts
from distillscope.equality.verify import Spend, VerifyConfig, VerifyReport, collect, verify

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
