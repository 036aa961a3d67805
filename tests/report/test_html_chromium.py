"""report.html in headless Debian Chromium: no network request, no console error, the verdict, the forest plot and
an expandable sample are there, and a screenshot is taken. The harness itself is shown to catch a request and an
error on a page that makes them (so a pass is not vacuous).

Needs /usr/bin/chromium (``apt-get install chromium``; ``.ci/run`` installs it). In CI (CI=true) a missing
Chromium fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from distillscope.report import CaseFile, Example, write_html

from .cdp import HEIGHT, WIDTH, open_page

CHROMIUM = os.environ.get("DISTILLSCOPE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

JS = {
    "verdict": "document.getElementById('verdict').innerText",
    "forest_rows": "document.querySelectorAll('#forest-plot circle').length",
    "forest_box": "JSON.stringify(document.getElementById('forest-plot').getBoundingClientRect())",
    "sample_text": "(() => { const d = document.querySelector('details.samples'); d.open = true; "
                   "return d.querySelector('pre').innerText; })()",
    "sample_visible": "document.querySelector('details.samples pre').getBoundingClientRect().height > 0",
    "scripts": "document.scripts.length",
    "resources": "performance.getEntriesByType('resource').length",
}


@pytest.fixture(scope="module")
def chromium() -> str:
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        msg = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg + " (CI must run this test)")
        pytest.skip(msg)
    return CHROMIUM


def test_report_opens_offline_without_errors(chromium, evidence, tmp_path):
    ex = {"identity.foreign_claims": [Example("s4", "I am ChatGPT, made by OpenAI <3", "zoo:tiny-llama", "who?")]}
    case = CaseFile.build(evidence, "zoo:tiny-llama", candidate="zoo:smollm2-135m-instruct", examples=ex)
    page = write_html(case, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    r = open_page(chromium, page, tmp_path / "profile", shot, JS)
    assert r["requests"] == [], r["requests"]
    assert r["errors"] == [], r["errors"]
    v = r["values"]
    assert v["verdict"].startswith("EVIDENCE FOUND")
    assert v["forest_rows"] == 2 * len([e for e in case.evidence if e.p_value is not None])
    assert '"width":0' not in v["forest_box"]
    assert v["sample_text"] == "I am ChatGPT, made by OpenAI <3" and v["sample_visible"] is True
    assert v["scripts"] == 0 and v["resources"] == 0
    assert r["png"]["signature_ok"] and r["png"]["width"] == WIDTH and r["png"]["height"] > HEIGHT  # the whole page
    assert shot.stat().st_size == r["png"]["bytes"]


def test_harness_catches_requests_and_errors(chromium, tmp_path):
    """Known positive for the checks above: a page that loads a remote image and logs an error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><div id="verdict">x</div><img src="http://127.0.0.1:9/x.png">'
                   '<script>console.error("boom")</script></body></html>')
    r = open_page(chromium, bad, tmp_path / "profile", tmp_path / "bad.png", {"verdict": JS["verdict"]})
    assert any(u.startswith("http://127.0.0.1:9/") for u in r["requests"])
    assert any(e.get("type") == "error" for e in r["errors"])
