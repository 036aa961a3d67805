"""The gateway CLI: key issue, config check, revoke."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


def test_gateway_cli_add_key_and_check(tmp_path):
    keys = tmp_path / "keys.json"
    r = runner.invoke(app, ["gateway", "add-key", "acct-9", "--keys", str(keys), "--request-limit", "10/minute",
                            "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["key"].startswith("dsk-") and out["key"] not in keys.read_text()
    r = runner.invoke(app, ["gateway", "serve", "--upstream", "mock:fail", "-u", "mock:echo", "--keys", str(keys),
                            "--watermark-key", "s3cret", "--logit-noise", "0.5", "--check"])
    assert r.exit_code == 0, r.output
    cfg = json.loads(r.stdout)
    assert cfg["upstreams"] == ["mock:fail", "mock:echo"] and "s3cret" not in r.stdout
    assert cfg["watermark"]["key_id"].startswith("wm-kgw-") and cfg["perturbation"]["logit_noise"] == 0.5
    r = runner.invoke(app, ["gateway", "serve", "--upstream", "mock:echo", "--keys", str(tmp_path / "none.json")])
    assert r.exit_code != 0 and "add-key" in str(r.exception)
    assert runner.invoke(app, ["gateway", "revoke", out["key_id"], "--keys", str(keys)]).exit_code == 0
