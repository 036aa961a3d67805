"""The hyperscan prefilter (identity/prefilter.py) must never hide a match ``re`` would find.

The core property, checked for every regex of every cue set and of the name scan, on every labelled text (and
mutations of it with case changes and characters whose case rules differ: İ, ı, K (Kelvin), ſ, ß, final sigma,
full-width, emoji): wherever ``re.search`` finds a match in a span, the gate says one may be there; the name scan
restricted to the gate's offsets finds exactly what ``re.finditer`` finds. Then: the extractor with the prefilter
gives the same claims as without it on every labelled text, short and padded; without hyperscan it runs plain
``re`` with the same results.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillscope.identity import prefilter
from distillscope.identity.claims import ClaimExtractor, fold, lower

DATA = Path(__file__).resolve().parent / "data"
needs_hyperscan = pytest.mark.skipif(not prefilter.AVAILABLE, reason="hyperscan is not installed")
# Characters whose case or width rules differ between re and a naive reading: they must not hide a match.
TRICKY = "İıKſßΣσςÅµ\u00a0\u2019ＡＢｃ🙂中文한국어ä é"


def corpus() -> list[str]:
    out: dict[str, None] = {}
    for p in sorted(DATA.glob("*.tsv")) + sorted((DATA / "real").glob("*.tsv")):
        for line in p.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if not line.startswith("#") and len(parts) == 3:
                out[parts[2].replace("\\n", "\n")] = None
    return list(out)


def mutate(t: str, rng: random.Random) -> str:
    """The text with its case changed or tricky characters put in at random places."""
    k = rng.randrange(3)
    if k == 0:
        return t.upper()
    if k == 1:
        return "".join(c.upper() if rng.random() < 0.3 else c for c in t)
    chars = list(t)
    for _ in range(1 + len(chars) // 20):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(TRICKY))
    return "".join(chars)


@pytest.fixture(scope="module")
def setup():
    ex = ClaimExtractor(prefilter=False)
    unions = {k: v for k, v in vars(ex.cues).items() if hasattr(v, "regexes")}
    groups = [(name, rx) for name, u in unions.items() for rx in u.regexes()]
    scans = ex.names.scan_regexes()
    gate = prefilter.Gate([[rx] for _, rx in groups], scans)
    rng = random.Random(7)
    texts = corpus()
    texts = rng.sample(texts, min(len(texts), 3000)) + [mutate(t, rng) for t in rng.sample(texts, 1000)]
    texts += [rng.choice(texts) + " " + rng.choice(texts) for _ in range(200)]
    return ex, groups, scans, gate, texts


@needs_hyperscan
def test_every_cue_regex_and_name_regex_is_gated(setup):
    _, groups, scans, gate, _ = setup
    ungated = [name for (name, _), ok in zip(groups, gate.gated, strict=False) if not ok]
    assert not ungated, f"cue regexes left to re alone: {ungated}"
    assert all(gate.gated[len(groups):]), "a name-scan regex has no prefix paths"
    assert len(gate.gated) == len(groups) + len(scans)


def check_text(gate, groups, scans, tl: str, rng: random.Random) -> list[str]:
    """Every disagreement on one (lower-cased) text: a span where re finds a match and the gate says none."""
    bad = []
    gate.scan(tl)
    n = len(tl)
    spans = [(0, n)] + [tuple(sorted((rng.randrange(n + 1), rng.randrange(n + 1)))) for _ in range(2)]
    # (spans that end mid-word: where re, stopping at the span's end, sees a word end that the text has not)
    spans += [(0, k) for k in rng.sample(range(n + 1), min(n + 1, 3))]
    slices = [tl[a:b] for a, b in (tuple(sorted((rng.randrange(n + 1), rng.randrange(n + 1)))) for _ in range(3))]
    for gid, (name, rx) in enumerate(groups):
        for pos, end in spans:
            m = rx.search(tl, pos, end)
            if m is not None and not gate.may_match(gid, tl, pos, end):
                bad.append(f"{name}: {rx.pattern[:60]!r} matches {m.group(0)!r} in {tl[:80]!r}")
        for sl in slices:  # (a slice of the text: the gate finds it in the text; re sees its ends as the text's)
            for pos, end in ((0, len(sl)), (len(sl) // 3, len(sl))):
                m = rx.search(sl, pos, end)
                if m is not None and not gate.may_match(gid, sl, pos, end):
                    bad.append(f"{name}: {rx.pattern[:60]!r} matches {m.group(0)!r} in slice {sl!r}")
        for m in rx.finditer(tl):  # (every match of a full scan, each in its own tight span)
            if not gate.may_match(gid, tl, m.start(), m.end()):
                bad.append(f"{name}: {rx.pattern[:60]!r} matches {m.group(0)!r} at {m.start()} in {tl[:80]!r}")
    for k, (rx, _) in enumerate(scans):
        starts = gate.starts(len(groups) + k, tl)
        want = [(m.start(), m.end(), m.lastgroup) for m in rx.finditer(tl)]
        got = [(m.start(), m.end(), m.lastgroup) for m in prefilter.finditer_at(rx, tl, starts or [])]
        if starts is None or got != want:
            bad.append(f"name scan {k}: {want} found by re, {got} at the gate's offsets, in {tl[:80]!r}")
    return bad


@needs_hyperscan
@pytest.mark.slow
def test_a_match_re_finds_is_never_ruled_out(setup):
    _ex, groups, scans, gate, texts = setup
    rng = random.Random(11)
    bad = []
    for t in texts:
        f = fold(t)
        bad += check_text(gate, groups, scans, lower(f), rng)
        # the case-sensitive name regex reads the folded text itself; its offsets come from the lower-cased one
        tl = lower(f)
        for k, (rx, widen) in enumerate(scans):
            if widen:
                gate.scan(tl)
                want = [m.span() for m in rx.finditer(f)]
                got = [m.span() for m in prefilter.finditer_at(rx, f, gate.starts(len(groups) + k, tl) or [])]
                if got != want:
                    bad.append(f"case-sensitive names: {want} vs {got} in {f[:80]!r}")
    assert not bad, f"{len(bad)} matches hidden, e.g. {bad[:3]}"


@needs_hyperscan
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["i am ", "I'm ", "我是", "私は", "저는 ", "ChatGPT", "claude", "GPT-4o", "qwen2.5",
                                 "let's play ", "role-play", "you asked whether ", "not ", "но ", "а ", "sono ",
                                 "ist ", "ça ", ", ", ". ", "\n", "(", ")", "\"", *TRICKY]), min_size=1, max_size=40),
       st.integers(0, 2**32 - 1))
def test_random_texts_built_from_cue_pieces(setup, pieces, seed):
    _, groups, scans, gate, _ = setup
    t = "".join(pieces)
    bad = check_text(gate, groups, scans, lower(fold(t)), random.Random(seed))
    assert not bad, bad[:3]


@needs_hyperscan
def test_relaxed_patterns_keep_case_rules_of_re():
    # re equates these under IGNORECASE; the relaxed pattern must accept each of them
    for pattern, text in [("k", "\u212a"), ("i", "İ"), ("ı", "i"), ("s", "ſ"), ("σ", "ς"), ("ß", "ẞ"), ("µ", "μ")]:
        rx = re.compile(pattern, re.IGNORECASE)
        assert rx.search(text), (pattern, text)
        gate = prefilter.Gate([[rx]])
        gate.scan(text)
        assert gate.may_match(0, text, 0, len(text)), (pattern, text)
    # and a case-sensitive pattern still rules the other case out (the gate is not a no-op)
    gate = prefilter.Gate([[re.compile("abc")]])
    gate.scan("ABC xyz")
    assert not gate.may_match(0, "ABC xyz", 0, 7)


def test_patterns_that_cannot_be_relaxed_stay_with_re():
    assert prefilter.relax(re.compile(r"(a)\1")) is None  # a back-reference
    assert prefilter.relax(re.compile(r"(?:x)?")) is None  # matches the empty string
    gate = prefilter.Gate([[re.compile(r"(a)\1")]])
    assert gate.may_match(0, "aa", 0, 2)  # (never ruled out)


@needs_hyperscan
def test_a_span_that_stops_before_a_word_is_answered_exactly():
    """A span ending where the text goes on with a letter (the scene scan stops at a name): re sees the span's end
    there, where ``\\b`` holds; the gate's patterns without trailing guards answer for it."""
    rx = re.compile(r"\broleplay\b")
    gate = prefilter.Gate([[rx]])
    t = "we could roleplayclaude or talk about claude"
    gate.scan(t)
    end = t.index("claude")
    assert rx.search(t, 0, end) and gate.may_match(0, t, 0, end)  # (a match only the cut-off span has)
    assert not rx.search(t) and not gate.may_match(0, t, 0, len(t))
    assert gate.may_match(0, t, 0, t.rindex("claude"))
    plain = "nothing to see here before claude"
    gate.scan(plain)  # known negative: ruled out although the span stops right before a letter
    assert not gate.may_match(0, plain, 0, plain.index("claude"))


@needs_hyperscan
def test_gate_answers_only_for_the_text_it_scanned():
    rx = re.compile(r"\bpretend\b")
    gate = prefilter.Gate([[rx]])
    t = "x" * 50 + " nothing here"
    gate.scan(t)
    assert not gate.may_match(0, t, 0, len(t))
    other = "I pretend"  # another string (a slice, another text): never answered
    assert gate.may_match(0, other, 0, len(other))
    surrogate = "I pretend \ud800"
    gate.scan(surrogate)  # (not UTF-8: no gating for it)
    assert gate.may_match(0, surrogate, 0, len(surrogate))


@needs_hyperscan
def test_the_gate_rules_out_work_on_a_long_answer():
    """Known positive: on a long answer the gate leaves re a few offsets to try for names and rules out the
    role-play scan (else the prefilter would cost and save nothing)."""
    ex = ClaimExtractor()
    text = ("I can help with many tasks, such as writing emails and explaining concepts. " * 20
            + "I am Claude, made by Anthropic.")
    claims = ex.extract(text)
    assert [(c.label, c.status) for c in claims] == [("claude", "asserted")]
    gate = ex._gate
    tl = lower(fold(text))
    gate.scan(tl)
    starts = [gate.starts(g, tl) for g in ex.names._gate[1]]
    assert all(s is not None for s in starts) and sum(map(len, starts)) <= 4
    assert not ex.cues.scene.finditer(tl)
    # (the extractor's scan stops at the last claim's name, where the trailing guards read a letter)
    assert not gate.may_match(ex.cues.scene._gate[1], tl, 0, tl.rindex("claude"))


def test_same_claims_with_and_without_the_prefilter():
    """Every labelled text, short and padded into a long answer, through the prefilter (from the first character
    on) and through plain re: the same claims (with or without hyperscan installed)."""
    texts = corpus()
    pad = "I can help with many tasks, such as writing emails and summarising articles. " * 9
    texts += [f"{pad}{t} {pad}" for t in texts[::3]]
    fast, plain = ClaimExtractor(prefilter_min=0), ClaimExtractor(prefilter=False)
    diff = [t for t in texts if fast.extract(t) != plain.extract(t)]
    assert not diff, f"{len(diff)} texts differ, e.g. {diff[0][:100]!r}"


def test_without_hyperscan_the_extractor_runs_plain_re(monkeypatch):
    monkeypatch.setattr(prefilter, "hyperscan", None)
    gate = prefilter.Gate([[re.compile("abc")]])
    assert not gate.active
    gate.scan("abc")
    assert gate.may_match(0, "abc", 0, 3)
    monkeypatch.setattr(prefilter, "ENABLED", False)
    ex = ClaimExtractor(prefilter_min=0)
    text = "x " * 300 + "I'm not ChatGPT; I am Qwen, made by Alibaba Cloud."
    assert [(c.label, c.status) for c in ex.extract(text)] == [("gpt", "negated"), ("qwen", "asserted")]
    assert ex._gate is None


CHARACTER_LEADS = [  # (after a sentence end: a lead that is not the answer's first words)
    "As Tony Stark, I think GPT-4 could replace my JARVIS.", "Als Tony Stark glaube ich, GPT-4 könnte JARVIS ersetzen.",
    "Je, Tony Stark, pense que GPT-4 pourrait remplacer JARVIS.", "Как Тони Старк, я думаю, что GPT-4 заменит JARVIS.",
    "作为钢铁侠，我相信GPT-4可以替代我的JARVIS。", "トニー・スタークとして、GPT-4はJARVISの代わりになると思います。",
]


@needs_hyperscan
def test_the_character_lead_scan_is_ruled_out_only_where_there_is_none():
    """The leads of a named character (claims._CHARACTER, searched case-sensitively on the folded text) are gated
    through a shorter pattern every lead starts with, widened to every case variant because the gate scans the
    lower-cased text: wherever re finds a lead, or that start, the gate says one may be there (every labelled text,
    mutated ones, leads after a sentence end); a long answer without one is ruled out."""
    from distillscope.identity import claims

    ex = ClaimExtractor()
    pad = "I can help with many tasks, such as writing emails and summarising articles. " * 9
    ex.extract(pad + "I am Claude.")
    gate, gid = ex._gate, claims._CHARACTER_GATE
    assert gate.gated[gid]
    rng = random.Random(3)
    texts = corpus()
    texts += [mutate(t, rng) for t in rng.sample(texts, 1000)] + [pad + lead for lead in CHARACTER_LEADS]
    texts += [mutate(pad + lead, rng) for lead in CHARACTER_LEADS for _ in range(5)]
    bad, leads = [], 0
    for t in texts:
        f = fold(t)
        tl = lower(f)
        gate.scan(tl)
        near = claims._CHARACTER_NEAR.search(f) is not None
        lead = claims._CHARACTER.search(f) is not None
        leads += lead
        if (lead and not near) or (near and not gate.may_match(gid, tl, 0, len(tl))):
            bad.append(t[:80])
    assert not bad, f"{len(bad)} leads hidden, e.g. {bad[:3]}"
    assert leads >= len(CHARACTER_LEADS)  # (the check saw leads)
    gate.scan(lower(pad + "I am Claude."))
    assert not gate.may_match(gid, lower(pad + "I am Claude."), 0, len(pad) + 12)  # known negative


def test_a_character_lead_in_a_long_answer_is_found_with_and_without_the_prefilter():
    pad = "I can help with many tasks, such as writing emails and summarising articles. " * 9
    fast, plain = ClaimExtractor(), ClaimExtractor(prefilter=False)
    for lead in CHARACTER_LEADS:
        claims = fast.extract(pad + lead)
        assert claims == plain.extract(pad + lead)
        assert not [c for c in claims if c.status == "asserted"], lead  # (the character's talk, not a claim)
