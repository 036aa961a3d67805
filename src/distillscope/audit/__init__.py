"""Audits: plan and run the evidence that fits the access one has, within a call budget; compare models on tasks.

    distillscope audit --suspect openai:gpt-x@http://127.0.0.1:8000/v1 --reference zoo:smollm2-135m-instruct
    distillscope audit --suspect zoo:tiny-llama-s1 --candidate zoo:tiny-llama --panel zoo:tiny-llama-s2,zoo:tiny-llama-s3
    distillscope compare zoo:smollm2-135m-instruct,mock:fixed=42 --tasks arithmetic --out out/

Pieces: :mod:`~distillscope.audit.steps` (what each step needs and costs; add a step there),
:mod:`~distillscope.audit.run` (plan within the budget, run, write the case files),
:mod:`~distillscope.audit.budget` (the hard call meter), :mod:`~distillscope.audit.compare` (accuracy on tasks).
"""

from distillscope._lazy import lazy_getattr

_EXPORTS = {"audit": "run", "AuditConfig": "run", "plan_audit": "run", "Budget": "budget",
            "BudgetExceeded": "budget", "compare_models": "compare", "load_tasks": "compare"}
__getattr__ = lazy_getattr(__name__, _EXPORTS)
__all__ = list(_EXPORTS)
