"""The only renderer of Evidence: terminal tables, JSON, ``case.json`` + a self-contained ``report.html``, and
in-toto statements. Holm adjustment across a case file happens here.

    from distillscope.report import CaseFile, print_case, write_html, write_statement
    case = CaseFile.build(evidence, suspect="zoo:tiny-llama", candidate="zoo:smollm2-135m-instruct")
    print_case(case)                       # Rich tables on stderr
    case.save("out")                       # out/case.json, validated against report/data/case.schema.json
    write_html(case, "out/report.html")    # one file, inline CSS and SVG, no scripts, no network
    write_statement(case, "out/statement.json", key="signing.pem")   # in-toto Statement v1, DSSE-signed

To make a new analysis show figures, put plot-ready tables in its Evidence ``details`` following the conventions
listed in :mod:`distillscope.report.html`; no renderer code is needed.
"""

from distillscope._lazy import lazy_getattr

_EXPORTS = {
    "CaseFile": "case", "Example": "case", "validate": "case", "schema": "case", "versions": "case",
    "Verdict": "verdict", "decide": "verdict",
    "print_case": "terminal", "print_evidence": "terminal", "evidence_table": "terminal",
    "render_html": "html", "write_html": "html",
    "statement": "statement", "write_statement": "statement", "verify_statement": "statement",
    "generate_key": "statement",
    "write_outputs": "outputs",
}
__getattr__ = lazy_getattr(__name__, _EXPORTS)
__all__ = list(_EXPORTS)
