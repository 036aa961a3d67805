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
    r = runner.invoke(app, ["watermark", "detect", str(f), "--key", "cli-secret", "--tokenizer", "zoo:tiny-llama",
                            "--json"], env={"DISTILLSCOPE_WATERMARK_KEY": ""})
    assert r.exit_code == 1, r.output  # watermark found: evidence against the null
    d = json.loads(r.stdout)
    assert d["pooled"]["p_value"] < 1e-6 and len(d["texts"]) == 3 and d["key_id"] == cfg.key_id and d["watermarked"]
    # the same texts under another key: no evidence, exit 0, and a plain-language verdict. At --alpha 0.001 a
    # chance rejection (the null's calibration is tested in test_watermark.py and test_defences.py) cannot make this flaky.
    r = runner.invoke(app, ["watermark", "detect", str(f), "--key", "other-secret", "--tokenizer", "zoo:tiny-llama",
                            "--alpha", "0.001"], env={"DISTILLSCOPE_WATERMARK_KEY": ""})
    assert r.exit_code == 0, r.output
    assert "No evidence of watermark" in " ".join(r.stderr.split())
    # the unwatermarked model never trained on these texts: radioactivity finds nothing
    r = runner.invoke(app, ["radioactivity", "zoo:tiny-llama", "--key", "cli-secret", "--texts", str(f), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["name"] == "watermark.radioactivity.open" and d["p_value"] >= 0.05


def test_detect_of_a_missing_file_is_an_error_not_a_score(tmp_path):
    r = runner.invoke(app, ["watermark", "detect", str(tmp_path / "nonexistent.jsonl"), "--key", "k"])
    assert r.exit_code == 2 and "no such file" in r.stderr and "Traceback" not in r.output


def test_closed_radioactivity_goes_through_the_store(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("Say something.\nName a colour.\n")
    store = tmp_path / "s.duckdb"
    args = ["radioactivity", "mock:echo", "--setting", "closed", "--prompts", str(p), "-n", "2", "--key", "k",
            "--tokenizer", "zoo:tiny-llama", "--store", str(store), "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["store", "info", "--store", str(store), "--json"])
    assert json.loads(r.stdout)["specs"] == [{"spec": "mock:echo", "samples": 4}]
    r = runner.invoke(app, [*args, "--count-cap", "4"])  # weighted score, same cached samples
    d = json.loads(r.stdout)
    assert r.exit_code == 0 and d["params"]["count_cap"] == 4 and d["details"]["counts"]["count_cap"] == 4
    r = runner.invoke(app, ["store", "info", "--store", str(store), "--json"])
    assert json.loads(r.stdout)["specs"] == [{"spec": "mock:echo", "samples": 4}]
