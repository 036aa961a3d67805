"""Who do you say you are? Multilingual identity probing with a negation-aware claim extractor.

    distillscope identity probe zoo:smollm2-135m-instruct --samples 4
    distillscope identity claims transcripts.jsonl --field response

Pieces: :mod:`~distillscope.identity.claims` (extractor; aliases and cue words in ``data/``),
:mod:`~distillscope.identity.battery` (the probes in ``distillscope/probes/identity/*.yaml``),
:mod:`~distillscope.identity.analysis` (rates with Wilson intervals, consistency, foreign claims, two-model test),
:mod:`~distillscope.identity.probing` (run the battery on a model through the sample store).
"""

from distillscope.identity.analysis import (
    Response,
    compare,
    consistency,
    foreign_claims,
    language_dependence,
    rates,
)
from distillscope.identity.battery import Probe, languages, load_battery
from distillscope.identity.claims import Claim, ClaimExtractor, extract
from distillscope.identity.probing import IdentityReport, analyse, collect, compare_models, probe_identity

__all__ = [
    "Claim",
    "ClaimExtractor",
    "IdentityReport",
    "Probe",
    "Response",
    "analyse",
    "collect",
    "compare",
    "compare_models",
    "consistency",
    "extract",
    "foreign_claims",
    "language_dependence",
    "languages",
    "load_battery",
    "probe_identity",
    "rates",
]
