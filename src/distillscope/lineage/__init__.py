"""Lineage: did model B come from model A? Black-box, tokenizer and white-box evidence with calibrated nulls."""
