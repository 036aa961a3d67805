"""Prompt batteries as data files (identity questions, fingerprint queries, verify prompt sets)."""
