"""Prompt sets for `distillscope verify` (data files; loaded by distillscope.verify.prompts)."""
