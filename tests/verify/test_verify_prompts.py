"""`verify`'s default prompts: the shipped informative set followed by the self-description probes."""

from distillscope.verify.prompts import default_prompts, self_description_prompts, verify_prompts


def test_default_prompts_end_with_the_self_description_probes():
    probes = self_description_prompts()
    assert "Who are you?" in probes and len(probes) == len(set(probes))
    assert not set(probes) & set(default_prompts())  # probes add prompts, they do not repeat shipped ones
    assert verify_prompts() == default_prompts() + probes
