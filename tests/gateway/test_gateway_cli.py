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
    assert r.exit_code == 2 and "add-key" in r.stderr and "Traceback" not in r.output
    assert runner.invoke(app, ["gateway", "revoke", out["key_id"], "--keys", str(keys)]).exit_code == 0


def test_gateway_check_refuses_what_serve_would_refuse(tmp_path):
    keys = tmp_path / "keys.json"
    assert runner.invoke(app, ["gateway", "add-key", "a", "--keys", str(keys)]).exit_code == 0
    base = ["gateway", "serve", "--keys", str(keys), "--check"]
    cases = {
        "unknown spec option": (["-u", "mock:echo;bogus=1"], "bogus"),
        "unknown backend": (["-u", "nope:x"], "Unknown model spec prefix"),
        "bad quota": (["-u", "mock:echo", "--request-limit", "lots"], "Bad rate limit"),
        "unreachable quota storage": (["-u", "mock:echo", "--storage", "redis://127.0.0.1:1"], "not reachable"),
        "log path over a file": (["-u", "mock:echo", "--log", str(keys)], "is an existing file"),
        "port out of range": (["-u", "mock:echo", "--port", "99999"], "--port"),
    }
    for name, (args, msg) in cases.items():
        r = runner.invoke(app, [*base, *args])
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
        assert r.exit_code == 2 and len(errors) == 1 and msg in errors[0], (name, r.output)
        assert "Traceback" not in r.output and r.stdout == "", name
