"""Audits: plan and run the evidence that fits the access one has, within a call budget; compare models on tasks.

    distillscope audit --suspect openai:gpt-x@http://127.0.0.1:8000/v1 --candidate zoo:smollm2-135m-instruct
    distillscope compare zoo:smollm2-135m-instruct,mock:fixed=42 --tasks arithmetic --out out/

:mod:`~distillscope.audit.compare` scores models on a task file (accuracy with Wilson intervals, paired McNemar).
"""
