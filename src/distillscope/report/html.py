"""``report.html``: one self-contained file (inline CSS and SVG, no scripts, no fonts, no network) for a case file.

    from distillscope.report import CaseFile, write_html
    write_html(CaseFile.load("out/case.json"), "out/report.html")

Figures come from each Evidence's ``details`` by convention, so analyses need no renderer code of their own:

* a dict of groups whose values carry ``rate``/``low``/``high`` (e.g. ``by_language``) -> bars with intervals;
* ``claimed_identity``: ``{language: {"n", "labels": {label: {"rate", "low", "high"}}}}`` -> one chart per
  language (what :func:`distillscope.identity.rates` returns);
* under a key containing ``null``: a list of numbers, or rows with ``score`` / ``value`` / ``statistic`` ->
  histogram of the null draws with the observed statistic marked;
* under a key containing ``per_prompt`` / ``per_item`` / ``chunks``: a list of numbers, or rows whose first field
  among ``d``, ``delta``, ``delta_kl``, ``value``, ``z``, ``similarity`` is numeric -> histogram of those values;
* a key containing ``layer``: a list of numbers, ``{"layers", "z"}``, or rows with ``layer`` (or ``suspect_layer``)
  and one of ``z``, ``null_models_z``, ``perm_z``, ``cka``, ``value`` -> a per-layer line plot (z: 1.96 marked);
* ``accuracy``: ``{"k", "n", "rate", "low", "high"}`` -> one row of the accuracy chart of a compare case.

A Content-Security-Policy meta tag (``default-src 'none'``) makes the browser refuse any request the page might
attempt; the page carries no script at all.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from distillscope.evidence import Evidence
from distillscope.report import svg
from distillscope.report.case import CaseFile
from distillscope.report.terminal import fmt_num, fmt_p

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
MAX_FIGURES = 6
MAX_LANGUAGES = 24  # claimed-identity small multiples
MAX_LABELS = 6
MAX_NUMBERS = 5000  # longer lists are thinned for plotting
ROW_KEYS = ("per_prompt", "per_item", "chunks")
ROW_FIELDS = ("d", "delta", "delta_kl", "value", "z", "similarity")
NULL_FIELDS = ("score", "value", "statistic")
LAYER_FIELDS = ("z", "null_models_z", "perm_z", "cka", "value")


def _numbers(v: Any, minimum: int) -> list[float] | None:
    if isinstance(v, list) and len(v) >= minimum and all(isinstance(a, (int, float)) and not isinstance(a, bool)
                                                          for a in v):
        vals = [float(a) for a in v]
        return vals[:: max(1, len(vals) // MAX_NUMBERS)]
    return None


def _column(v: Any, fields: tuple[str, ...] = (), minimum: int = 3) -> tuple[str, list[float]] | None:
    """A list of numbers, or the first of ``fields`` that is numeric in every row of a list of rows."""
    if (nums := _numbers(v, minimum)) is not None:
        return "", nums
    if isinstance(v, list) and len(v) >= minimum and all(isinstance(r, dict) for r in v):
        for f in fields:
            if (nums := _numbers([r.get(f) for r in v], minimum)) is not None:
                return f, nums
    return None


def _rate_rows(v: Any) -> list[dict[str, Any]] | None:
    if isinstance(v, dict) and v and all(isinstance(r, dict) and {"rate", "low", "high"} <= set(r) for r in v.values()):
        return [{"label": k, "rate": r["rate"], "low": r["low"], "high": r["high"], "n": r.get("n")}
                for k, r in v.items()]
    return None


def _layers(v: Any) -> tuple[list[float], list[float], str] | None:
    if isinstance(v, dict) and isinstance(v.get("z"), list):
        z = v["z"]
        return [float(a) for a in v.get("layers", range(len(z)))], z, "z"
    col = _column(v, LAYER_FIELDS, minimum=2)
    if col is None:
        return None
    name, ys = col
    xs = [float(r.get("layer", r.get("suspect_layer", i))) for i, r in enumerate(v)] if name else \
        [float(i) for i in range(len(ys))]
    return xs, ys, name


def figures(e: Evidence) -> list[Markup]:
    """The SVG figures the conventions above find in ``e.details`` (at most :data:`MAX_FIGURES`)."""
    out: list[str] = []
    for key, v in e.details.items():
        k = key.lower()
        if k == "claimed_identity" and isinstance(v, dict):
            charts = []
            for lang, g in list(v.items())[:MAX_LANGUAGES]:
                rows = _rate_rows(g.get("labels", {}) if isinstance(g, dict) else None)
                if rows:
                    charts.append(svg.interval_bars(rows[:MAX_LABELS], f"claimed identity, {lang} (n = {g.get('n')})",
                                                    compact=True))
            if charts:
                out.append('<div class="multiples"><p class="muted">Claimed identity per language: share of answers '
                           "asserting each identity, 95% Wilson intervals</p>" + "".join(charts) + "</div>")
        elif (rows := _rate_rows(v)) is not None:
            out.append(svg.interval_bars(rows, f"{e.name}: {key} (95% intervals)"))
        elif "null" in k and (col := _column(v, NULL_FIELDS, minimum=5)) is not None:
            obs = e.statistic if e.statistic is not None and math.isfinite(e.statistic) else None
            out.append(svg.histogram(col[1], obs, f"{e.name}: observed vs null ({key})", "statistic under the null"))
        elif any(w in k for w in ROW_KEYS) and (col := _column(v, ROW_FIELDS)) is not None:
            name, nums = col
            out.append(svg.histogram(nums, None, f"{e.name}: {key}" + (f" ({name})" if name else ""),
                                     (name or key).replace("_", " ")))
        elif "layer" in k and (lay := _layers(v)) is not None:
            xs, ys, name = lay
            hline = 1.96 if name.endswith("z") or k.endswith("z") else None
            out.append(svg.line(xs, ys, title=f"{e.name}: {key}" + (f" ({name})" if name else ""), xlabel="layer",
                                ylabel=name or key, hline=hline))
    return [Markup(s) for s in out[:MAX_FIGURES]]


def _forest_rows(case: CaseFile) -> list[dict[str, Any]]:
    return [{"label": e.name, "p": e.p_value, "p_adjusted": e.p_adjusted,
             "effect": f"{fmt_num(e.effect_size)} {e.effect_name}".strip()} for e in case.evidence]


def _accuracy_chart(case: CaseFile) -> Markup | None:
    rows = [{"label": e.params.get("model", e.name), **{k: e.details["accuracy"][k] for k in ("rate", "low", "high",
                                                                                             "n")}}
            for e in case.evidence if isinstance(e.details.get("accuracy"), dict)]
    return Markup(svg.interval_bars(rows, "accuracy per model (95% Wilson)")) if rows else None


def _env() -> Environment:
    env = Environment(loader=PackageLoader("distillscope.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["p"] = fmt_p
    env.filters["num"] = fmt_num
    env.filters["pretty"] = lambda x: json.dumps(x, ensure_ascii=False, indent=1, default=str)
    return env


def render_html(case: CaseFile) -> str:
    """The report as one HTML string."""
    items = []
    for e in case.evidence:
        items.append({"e": e, "figures": figures(e), "examples": case.examples.get(e.name, []),
                      "significant": e.significant(case.alpha) and e.p_value is not None,
                      "details_json": json.dumps(e.details, ensure_ascii=False, default=str)[:20000]})
    tests = [e for e in case.evidence if e.p_value is not None]
    forest = Markup(svg.forest(_forest_rows(case), case.alpha)) if tests else None
    return _env().get_template("report.html.j2").render(
        case=case, v=case.verdict, items=items, forest=forest, accuracy=_accuracy_chart(case), csp=CSP,
        sample_digest=case.to_dict()["samples"])


def write_html(case: CaseFile, path: str | Path) -> Path:
    p = Path(path)
    p = p / "report.html" if p.is_dir() else p
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_html(case), encoding="utf-8")
    return p
