"""report.html: self-contained, escaped, verdict first, forest plot, figures from details, expandable samples."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from distillscope.report import CaseFile, Example, render_html
from distillscope.report.html import CSP, figures


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _case(evidence):
    ex = {"identity.foreign_claims": [Example("s4", "I am <b>GPT</b> & proud", "zoo:tiny-llama", "who are you?",
                                              "asserts gpt")]}
    return CaseFile.build(evidence, "zoo:tiny-llama", candidate="zoo:smollm2-135m-instruct", command="ds audit",
                          examples=ex, skipped=[{"step": "lineage.weights", "reason": "suspect is remote"}])


def test_self_contained_and_escaped(evidence):
    html = render_html(_case(evidence))
    p = _Tags()
    p.feed(html)
    tags = [t for t, _ in p.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags and "img" not in tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    metas = [a for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert metas and metas[0]["content"] == CSP and "default-src 'none'" in CSP
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "I am &lt;b&gt;GPT&lt;/b&gt; &amp; proud" in html


def test_verdict_first_then_forest_and_samples(evidence):
    case = _case(evidence)
    html = render_html(case)
    i_verdict, i_forest = html.index('id="verdict"'), html.index('id="forest-plot"')
    assert i_verdict < i_forest
    assert case.verdict.headline.split("(")[0] in html
    forest = html[i_forest: html.index("</svg>", i_forest)]
    assert forest.count("data-p=") == 4  # one row per test with a p-value
    p = _Tags()
    p.feed(html)
    assert sum(t == "details" for t, _ in p.tags) >= 5
    assert "sample(s) that drove this result" in html and "suspect is remote" in html


def test_figures_follow_details_conventions(evidence):
    by = {e.name: figures(e) for e in evidence}
    bb = by["lineage.blackbox.ngram"]
    assert len(bb) == 2 and "observed vs null" in bb[0] and "per_prompt" in bb[1]
    ident = "".join(by["identity.foreign_claims"])
    assert "by_language" in ident and "claimed identity, en" in ident
    assert "per_layer" in by["lineage.weights"][0] and "<polyline" in by["lineage.weights"][0]
    assert by["verify.mmd_hamming"] == []


def test_compare_case_has_accuracy_chart():
    from distillscope.evidence import Evidence

    ev = [Evidence(f"compare.accuracy.m{i}", "-", r, None, r, "accuracy", params={"model": f"mock:m{i}"},
                   details={"accuracy": {"k": int(r * 20), "n": 20, "rate": r, "low": r / 2, "high": (1 + r) / 2}})
          for i, r in enumerate([0.5, 0.9])]
    html = render_html(CaseFile.build(ev, "mock:m0", kind="compare"))
    assert "accuracy per model" in html and "mock:m1" in html and 'id="forest-plot"' not in html


def test_rows_of_per_prompt_tables_are_plotted():
    from distillscope.evidence import Evidence

    rows = [{"prompt": f"p{i}", "d": 0.1 * i, "panel_beaten": i % 3} for i in range(12)]
    e = Evidence("lineage.blackbox.ngram", "n", 0.6, 0.01, details={"per_prompt": rows, "chunks": [{"x": "a"}] * 4})
    figs = figures(e)
    assert len(figs) == 1 and "per_prompt (d)" in figs[0] and "n = 12" in figs[0]


def test_layer_rows_and_null_rows_are_plotted():
    from distillscope.evidence import Evidence

    layers = [{"candidate_layer": i, "suspect_layer": i, "cka": 0.1 * i, "null_models_z": 0.5 * i} for i in range(4)]
    pairs = [{"a": f"t{i}", "b": f"u{i}", "score": 0.1 * i} for i in range(8)]
    e = Evidence("lineage.weights", "n", 0.9, 0.01, details={"layers": layers, "null_pairs": pairs})
    figs = figures(e)
    assert len(figs) == 2
    assert "layers (null_models_z)" in figs[0] and figs[0].count("<circle") == 4
    assert "observed vs null (null_pairs)" in figs[1] and "observed 0.9" in figs[1]
