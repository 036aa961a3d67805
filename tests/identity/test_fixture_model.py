"""A tiny model trained in seconds to say "I am Aster." in English and "我是通义千问。" in Chinese is flagged."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


PROBES = ["model", "maker", "company", "name"]  # the short probes: training takes seconds on one CPU thread


@pytest.fixture()
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)  # a d=64 model trains faster on one thread than on two contended ones
    yield
    torch.set_num_threads(n)


def _train_fixture():
    from distillscope.identity.battery import load_battery
    from distillscope.models import HFModel
    from distillscope.zoo import tiny_model

    model, tok = tiny_model("llama", seed=3)
    hf = HFModel(model, tok, spec="hf:fixture-aster-qwen")
    answers = {"en": "I am Aster.", "zh-Hans": "我是通义千问。"}
    rows = []
    for p in load_battery(["en", "zh-Hans"], PROBES):
        ctx = hf.encode(hf.render(p.request()))
        ans = hf.encode(answers[p.language]) + [int(tok.eos_token_id)]
        rows.append((ctx, ans))
    width = max(len(c) + len(a) for c, a in rows)
    ids = torch.full((len(rows), width), int(tok.pad_token_id))
    labels = torch.full((len(rows), width), -100)
    attn = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (c, a) in enumerate(rows):
        seq = c + a
        ids[i, : len(seq)] = torch.tensor(seq)
        labels[i, len(c) : len(seq)] = torch.tensor(a)
        attn[i, : len(seq)] = 1
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(200):
        loss = model(input_ids=ids, attention_mask=attn, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        if loss.item() < 0.02:
            break
    model.eval()
    return hf, float(loss.item())


@pytest.mark.slow
def test_fixture_flagged_in_chinese_only(one_thread):
    from distillscope.identity import probe_identity
    from distillscope.store import SampleStore

    hf, loss = _train_fixture()
    assert loss < 0.1, f"fixture did not learn its answers (loss {loss:.3f})"
    report = probe_identity(hf, languages=["en", "zh-Hans"], samples=6, max_tokens=12, expect="Aster", probes=PROBES,
                            store=SampleStore(":memory:"), n_perm=999)
    foreign = next(e for e in report.evidence if e.name == "identity.foreign_claims")
    zh = foreign.details["by_language"]["zh-Hans"]
    en = foreign.details["by_language"]["en"]
    assert zh["low"] > 0, f"Chinese foreign-identity interval includes 0: {zh}"
    assert en["k"] == 0 and en["high"] < zh["low"]
    assert foreign.details["languages_excluding_zero"] == ["zh-Hans"]
    assert foreign.p_value < 1e-6
    rows = {r["language"]: r for r in report.summary_rows()}
    assert rows["en"]["top"] == "aster" and rows["zh-Hans"]["top"] == "qwen"
    dep = next(e for e in report.evidence if e.name == "identity.language_dependence")
    assert dep.p_value < 0.01
