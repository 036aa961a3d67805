"""The watermark CLI: ``watermark detect`` on a JSONL file and ``radioactivity`` in the open setting."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from distillscope.cli import app

runner = CliRunner()


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
    r = runner.invoke(app, ["radioactivity", "zoo:tiny-llama", "--key", "cli-secret", "--texts", str(f), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["name"] == "watermark.radioactivity.open"
