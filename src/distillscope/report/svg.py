"""Inline SVG plots for the HTML report, drawn in Python: no JavaScript, no fonts, no network, a few kB each.

Every function returns one ``<svg>`` element as a string; every piece of text in it is XML-escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np

FONT = 'font-family="sans-serif" font-size="11"'
INK, MUTED, ACCENT, ALERT = "#222", "#888", "#2a6fb0", "#c0392b"


def _t(x: float, y: float, text: str, anchor: str = "start", fill: str = INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" {FONT} {extra}>'
            f"{escape(str(text))}</text>")


def _svg(w: float, h: float, body: list[str], label: str, id_: str = "") -> str:
    idattr = f' id="{escape(id_)}"' if id_ else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg"{idattr} role="img" aria-label="{escape(label)}" '
            f'width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}">' + "".join(body) + "</svg>")


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def forest(rows: Sequence[dict[str, Any]], alpha: float = 0.05, id_: str = "forest-plot") -> str:
    """p-values on a log axis, raw (open circle) and Holm-adjusted (filled), one row per test, alpha dashed.

    Args:
        rows: ``{"label", "p", "p_adjusted", "effect"}`` (``effect`` is text shown at the right).
    """
    rows = [r for r in rows if r.get("p") is not None]
    left, plot_w, right, row_h, top = 230, 330, 260, 22, 28
    w, h = left + plot_w + right, top + row_h * max(1, len(rows)) + 34
    ps = [float(r[k]) for r in rows for k in ("p", "p_adjusted") if r.get(k) not in (None, 0)]
    lo_exp = min(-3, math.floor(math.log10(min(ps)))) if ps else -3
    lo_exp = max(lo_exp, -16)

    def x(p: float | None) -> float:
        if p is None:
            return float("nan")
        e = math.log10(p) if p > 0 else lo_exp
        e = min(0.0, max(float(lo_exp), e))
        return left + plot_w * (e - lo_exp) / (0 - lo_exp)

    body = [(f'<rect x="{left}" y="{top - 6}" width="{plot_w}" height="{row_h * max(1, len(rows)) + 6}" '
            'fill="#f7f7f7"/>')]
    step = max(1, (-lo_exp) // 6)
    for e in range(lo_exp, 1, step):
        xx = x(10.0**e)
        body.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top - 6}" y2="{h - 30}" stroke="#ddd"/>')
        body.append(_t(xx, h - 16, f"1e{e}" if e else "1", "middle", MUTED))
    xa = x(alpha)
    body.append(f'<line x1="{xa:.1f}" x2="{xa:.1f}" y1="{top - 10}" y2="{h - 30}" stroke="{ALERT}" '
                'stroke-dasharray="4 3"/>')
    body.append(_t(xa, top - 14, f"alpha = {alpha:g}", "middle", ALERT))
    body.append(_t(left + plot_w / 2, h - 3, "p-value (log scale): ○ raw, ● Holm-adjusted", "middle", MUTED))
    body.append(_t(left + plot_w + 10, top - 14, "effect size", "start", MUTED))
    for i, r in enumerate(rows):
        y = top + row_h * i + row_h / 2
        body.append(_t(left - 8, y + 4, _short(str(r["label"]), 36), "end", extra=f'data-p="{r["p"]}"'))
        if r["p"] < 10.0**lo_exp:  # off the axis: say so rather than pretend it sits at the edge
            body.append(_t(left + 4, y - 6, f"p < 1e{lo_exp}", "start", ALERT, 'font-size="9"'))
        x0, x1 = x(r["p"]), x(r.get("p_adjusted"))
        sig = r.get("p_adjusted") is not None and r["p_adjusted"] < alpha
        col = ALERT if sig else ACCENT
        if not math.isnan(x1):
            body.append(f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{col}"/>')
            body.append(f'<circle cx="{x1:.1f}" cy="{y:.1f}" r="4.5" fill="{col}"/>')
        body.append(f'<circle cx="{x0:.1f}" cy="{y:.1f}" r="4.5" fill="white" stroke="{col}" stroke-width="1.5"/>')
        body.append(_t(left + plot_w + 10, y + 4, _short(str(r.get("effect", "")), 42), "start"))
    return _svg(w, h, body, "forest plot of p-values", id_)


def interval_bars(rows: Sequence[dict[str, Any]], title: str = "", xmax: float = 1.0, compact: bool = False) -> str:
    """Horizontal bars of rates with their intervals (``{"label", "rate", "low", "high", "n"}``), axis 0..xmax;
    ``compact`` draws a narrow chart for small multiples."""
    left, plot_w, row_h, top = (90, 150, 18, 22) if compact else (170, 320, 18, 22 if title else 8)
    w, h = left + plot_w + (60 if compact else 90), top + row_h * max(1, len(rows)) + 26

    def x(v: float) -> float:
        return left + plot_w * min(max(v, 0.0), xmax) / xmax

    body = [_t(4, 14, title, extra='font-weight="bold"')] if title else []
    for v in np.linspace(0, xmax, 5):
        body.append(f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top}" y2="{h - 22}" stroke="#e3e3e3"/>')
        body.append(_t(x(v), h - 8, f"{v:.0%}", "middle", MUTED))
    for i, r in enumerate(rows):
        y = top + row_h * i
        rate = r.get("rate") or 0.0
        body.append(_t(left - 6, y + 13, _short(str(r["label"]), 14 if compact else 28), "end"))
        body.append(f'<rect x="{left}" y="{y + 3:.1f}" width="{x(rate) - left:.1f}" height="{row_h - 6}" '
                    f'fill="{ACCENT}" opacity="0.55"/>')
        if r.get("low") is not None and r.get("high") is not None:
            yy = y + row_h / 2
            body.append(f'<line x1="{x(r["low"]):.1f}" x2="{x(r["high"]):.1f}" y1="{yy:.1f}" y2="{yy:.1f}" '
                        f'stroke="{INK}" stroke-width="1.5"/>')
            for v in (r["low"], r["high"]):
                body.append(f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{yy - 4:.1f}" y2="{yy + 4:.1f}" '
                            f'stroke="{INK}"/>')
        n = f" (n={r['n']})" if r.get("n") is not None and not compact else ""
        body.append(_t(left + plot_w + 6, y + 13, f"{rate:.0%}{n}", "start", MUTED))
    return _svg(w, h, body, title or "rates with intervals")


def histogram(values: Sequence[float], observed: float | None = None, title: str = "", xlabel: str = "",
              bins: int = 30) -> str:
    """Histogram of ``values`` (e.g. null draws or per-prompt values) with the observed value as a red line."""
    v = np.asarray([float(a) for a in values if a is not None and math.isfinite(float(a))])
    left, plot_w, plot_h, top = 40, 380, 120, 22 if title else 8
    w, h = left + plot_w + 70, top + plot_h + 34
    body = [_t(4, 14, title, extra='font-weight="bold"')] if title else []
    if v.size == 0:
        return _svg(w, h, [*body, _t(left, top + 20, "no finite values", fill=MUTED)], title or "histogram")
    lo, hi = float(v.min()), float(v.max())
    if observed is not None and math.isfinite(observed):
        lo, hi = min(lo, observed), max(hi, observed)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    cmax = max(1, int(counts.max()))

    def x(a: float) -> float:
        return left + plot_w * (a - lo) / (hi - lo)

    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    for c, a, b in zip(counts, edges[:-1], edges[1:]):
        if c:
            bh = plot_h * c / cmax
            body.append(f'<rect x="{x(a):.1f}" y="{top + plot_h - bh:.1f}" width="{max(0.5, x(b) - x(a) - 1):.1f}" '
                        f'height="{bh:.1f}" fill="{ACCENT}" opacity="0.7"/>')
    body.append(_t(left - 4, top + 8, str(cmax), "end", MUTED))
    body.append(_t(left, top + plot_h + 14, f"{lo:.3g}", "middle", MUTED))
    body.append(_t(left + plot_w, top + plot_h + 14, f"{hi:.3g}", "middle", MUTED))
    body.append(_t(left + plot_w / 2, h - 4, f"{xlabel} (n = {v.size})", "middle", MUTED))
    if observed is not None and math.isfinite(observed):
        xo = x(observed)
        body.append(f'<line x1="{xo:.1f}" x2="{xo:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{ALERT}" '
                    'stroke-width="2"/>')
        body.append(_t(xo, top + plot_h + 26, f"observed {observed:.3g}", "middle", ALERT))
    return _svg(w, h, body, title or "histogram")


def line(xs: Sequence[float], ys: Sequence[float], title: str = "", xlabel: str = "", ylabel: str = "",
         hline: float | None = None) -> str:
    """A line with points (e.g. z per layer); ``hline`` draws a dashed reference (e.g. z = 1.96)."""
    pts = [(float(a), float(b)) for a, b in zip(xs, ys) if b is not None and math.isfinite(float(b))]
    left, plot_w, plot_h, top = 46, 380, 120, 22 if title else 8
    w, h = left + plot_w + 20, top + plot_h + 34
    body = [_t(4, 14, title, extra='font-weight="bold"')] if title else []
    if not pts:
        return _svg(w, h, [*body, _t(left, top + 20, "no finite values", fill=MUTED)], title or "line")
    x_lo, x_hi = min(p[0] for p in pts), max(p[0] for p in pts)
    ys_all = [p[1] for p in pts] + ([hline] if hline is not None else []) + [0.0]
    y_lo, y_hi = min(ys_all), max(ys_all)
    x_hi = x_hi if x_hi > x_lo else x_lo + 1
    y_hi = y_hi if y_hi > y_lo else y_lo + 1

    def sx(a: float) -> float:
        return left + plot_w * (a - x_lo) / (x_hi - x_lo)

    def sy(b: float) -> float:
        return top + plot_h * (1 - (b - y_lo) / (y_hi - y_lo))

    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" stroke="{MUTED}"/>')
    if hline is not None:
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{sy(hline):.1f}" y2="{sy(hline):.1f}" '
                    f'stroke="{ALERT}" stroke-dasharray="4 3"/>')
    body.append('<polyline fill="none" stroke="' + ACCENT + '" stroke-width="1.5" points="'
                + " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in pts) + '"/>')
    body += [f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="2.5" fill="{ACCENT}"/>' for a, b in pts]
    body.append(_t(left - 4, top + 8, f"{y_hi:.3g}", "end", MUTED))
    body.append(_t(left - 4, top + plot_h, f"{y_lo:.3g}", "end", MUTED))
    body.append(_t(left + plot_w / 2, h - 4, f"{xlabel}  ({ylabel})" if ylabel else xlabel, "middle", MUTED))
    return _svg(w, h, body, title or "line plot")
