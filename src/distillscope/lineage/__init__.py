"""Lineage: did model B come from model A? Black-box, tokenizer, functional and weight evidence."""
