"""The gateway and watermark CLI commands (help, key issue, config check, detection on text)."""

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


def test_watermark_cli_detect_json(tmp_path):
    from distillscope.models import GenRequest, load_model
    from distillscope.watermark import WatermarkConfig, watermark_model

    cfg = WatermarkConfig(key="cli-secret", delta=4.0)
    tiny = load_model("zoo:tiny-llama")
    outs = watermark_model(tiny, cfg).generate([GenRequest.chat(f"q{i}", max_tokens=32, seed_index=i)
                                                for i in range(3)])
    f = tmp_path / "c.jsonl"
    f.write_text("".join(json.dumps({"completion": o.text}) + "\n" for o in outs))
    r = runner.invoke(app, ["watermark", "detect", str(f), "--key", "cli-secret", "--model", "zoo:tiny-llama",
                            "--json"], env={"DISTILLSCOPE_WATERMARK_KEY": ""})
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["pooled"]["p_value"] < 1e-6 and len(d["texts"]) == 3 and d["key_id"] == cfg.key_id
    r = runner.invoke(app, ["watermark", "detect", str(f), "--key", "other", "--model", "zoo:tiny-llama", "--json"])
    assert json.loads(r.stdout)["pooled"]["p_value"] > 1e-3
    r = runner.invoke(app, ["radioactivity", "zoo:tiny-llama", "--key", "cli-secret", "--texts", str(f), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["name"] == "watermark.radioactivity.open"
