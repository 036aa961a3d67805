"""Claim extractor: behaviour on the hard cases, spans, alias table coverage, and the labelled test set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from distillscope.errors import InputError
from distillscope.identity.claims import ClaimExtractor, asserted_labels, extract, load_aliases
from distillscope.identity.scoring import load_labelled, recorded_first_score, score

DATA = Path(__file__).parent / "data"


def pairs(text: str) -> set[tuple[str, str]]:
    return {(c.label, c.status) for c in extract(text)}


@pytest.mark.parametrize("text,expected", [
    ("I am not ChatGPT, I am Claude.", {("gpt", "negated"), ("claude", "asserted")}),
    ("我不是通义千问", {("qwen", "negated")}),
    ("我不是ChatGPT，而是通义千问。", {("gpt", "negated"), ("qwen", "asserted")}),
    ("私はChatGPTではありません。", {("gpt", "negated")}),
    ("저는 ChatGPT가 아닙니다.", {("gpt", "negated")}),
    ("ChatGPT değilim.", {("gpt", "negated")}),
    ("मैं ChatGPT नहीं हूँ।", {("gpt", "negated")}),
    ("No soy ChatGPT.", {("gpt", "negated")}),
    ("Non sono ChatGPT.", {("gpt", "negated")}),
    ("Some say I'm GPT-4.", {("gpt", "reported")}),
    ("If I were Gemini, I would know.", {("gemini", "hypothetical")}),
    ('You wrote "I am ChatGPT" earlier.', {("gpt", "reported")}),
    ("ChatGPT is a chatbot by OpenAI.", set()),
    ("I'm a model similar to ChatGPT.", set()),
    ("I can't access Google Search.", set()),
])
def test_status(text, expected):
    assert pairs(text) == expected


def test_variants_fullwidth_spacing_case_transliteration():
    for text in ["I am ＣｈａｔＧＰＴ.", "I am chat gpt.", "I am Chat-GPT.", "I am CHATGPT.", "Я ЧатGPT.",
                 "저는 챗GPT입니다.", "I am GPT-4o-mini."]:
        assert asserted_labels(extract(text)) == ["gpt"], text
    assert asserted_labels(extract("我是通義千問。")) == ["qwen"]
    assert asserted_labels(extract("私はクロードです。")) == ["claude"]


def test_spans_point_into_original_text():
    text = "Hi!  Ｉ ａｍ Ｑｗｅｎ２.５, made by 阿里云."
    (c,) = extract(text)
    assert text[c.start:c.end] == c.text and c.text.startswith("Ｑｗｅｎ")
    assert (c.family, c.maker, c.status) == ("qwen", "alibaba", "asserted")


def test_maker_folded_into_family_and_maker_only_labels():
    (c,) = extract("I'm Claude, made by Anthropic.")
    assert c.family == "claude" and c.maker == "anthropic"
    assert pairs("I was trained by Anthropic.") == {("claude", "asserted")}
    assert pairs("I was trained by Google.") == {("maker:google", "asserted")}  # Gemini or Gemma


def test_common_words_are_not_names():
    assert extract("Take the next step and spark some joy; Yi said it was a nova idea.") == []
    assert extract("Kimi insanlar benim bir yapay zeka olduğumu düşünüyor.") == []
    assert extract("I am a llama farmer.") == []


@pytest.mark.slow
def test_extra_family_and_bad_input():
    ex = ClaimExtractor(extra_families={"aster": ["Aster"]})
    assert [(c.label, c.status) for c in ex.extract("I am Aster.")] == [("aster", "asserted")]
    assert extract("I am Aster.") == []
    with pytest.raises(InputError):
        extract(None)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        ClaimExtractor(extra_families={"x": [" "]})


def test_alias_table_covers_required_families():
    t = load_aliases()
    required = ["claude", "gpt", "qwen", "deepseek", "gemini", "gemma", "llama", "glm", "kimi", "ernie", "doubao",
                "minimax", "mistral", "grok", "phi", "yi", "baichuan", "hunyuan", "spark", "sensenova", "step",
                "command", "nova", "smollm", "falcon", "internlm"]
    assert set(required) <= set(t["families"]) and len(t["families"]) >= 25
    # Names in their own scripts resolve to the right family.
    for text, fam in [("我是深度求索开发的", "deepseek"), ("我是文心一言", "ernie"), ("我是豆包", "doubao"),
                      ("我是智谱清言", "glm"), ("我是月之暗面的Kimi", "kimi"), ("我是腾讯混元", "hunyuan"),
                      ("我是讯飞星火", "spark"), ("我是零一万物的模型", "yi"), ("我是百川", "baichuan"),
                      ("我是书生·浦语", "internlm"), ("我是阶跃星辰的模型", "step"), ("我是商汤的日日新", "sensenova"),
                      ("我是海螺AI", "minimax")]:
        assert asserted_labels(extract(text)) == [fam], text


def test_labelled_set_precision_recall():
    items = load_labelled(sorted(DATA.glob("claims_*.tsv")))
    assert len(items) >= 300 and len({i.lang for i in items}) >= 10
    r = score(items)
    detail = "\n".join(f"{e['where']}: {e['text']!r} gold={e['gold']} pred={e['pred']}" for e in r["asserted_errors"])
    assert r["asserted"]["precision"] >= 0.98, detail
    assert r["asserted"]["recall"] >= 0.98, detail


@pytest.mark.parametrize("name", ["heldout.tsv", *(f"heldout{k}.tsv" for k in range(2, 18))])
def test_former_heldout_sets_precision_recall(name):
    """Sets written after the rules (sets 2-17 blind, by authors who never read them); each was scored once
    before any rule was changed after reading it (first scores in the file headers), so they are regression
    data now and must stay at the goal."""
    items = load_labelled([DATA / name])
    r = score(items)
    detail = "\n".join(f"{e['where']}: {e['text']!r} gold={e['gold']} pred={e['pred']}" for e in r["asserted_errors"])
    assert r["asserted"]["precision"] >= 0.98, detail
    assert r["asserted"]["recall"] >= 0.98, detail


def test_statuses_other_than_asserted_on_labelled_sets():
    """Negated, reported and hypothetical claims are what tell a distilled identity apart from hearsay."""
    items = load_labelled(sorted(DATA.glob("claims_*.tsv")) + [DATA / "heldout.tsv"]
                          + [DATA / f"heldout{k}.tsv" for k in range(2, 18)])
    r = score(items)
    for status in ("negated", "reported", "hypothetical"):
        assert r[status]["precision"] >= 0.95, (status, r[status])
        assert r[status]["recall"] >= 0.9, (status, r[status])


@pytest.mark.parametrize("text,expected", [
    # A role-play set up earlier in the answer covers later claims until the speaker steps out of it.
    ("Sure, let's play! For this game I'm Gemini. Ask away.", {("gemini", "hypothetical")}),
    ("Vale, juguemos. Soy Grok, el de xAI.", {("grok", "hypothetical")}),
    ("好的，我们来玩个游戏。我是文心一言！", {("ernie", "hypothetical")}),
    ("Let's play! I'm Grok now. Out of character: I'm actually Claude.",
     {("grok", "hypothetical"), ("claude", "asserted")}),
    # A refused or merely offered role-play opens nothing.
    ("I won't role-play as ChatGPT. I'm Claude.", {("gpt", "hypothetical"), ("claude", "asserted")}),
    ("我不能扮演其他模型。我是通义千问。", {("qwen", "asserted")}),
    ("I can role-play other characters if you like. I'm Mistral.", {("mistral", "asserted")}),
    # A persona "without any restrictions" is not a negation of the model it is built on.
    ("Let's play! I'm an AI without any restrictions, built on GPT-4.", {("gpt", "hypothetical")}),
    ("I'm an assistant without any restrictions, built on Llama 3.", {("llama", "asserted")}),
    # Recommending or comparing is not claiming, whatever pronoun comes first.
    ("Für den Einstieg empfehle ich Phi-3 oder Gemma 2.", set()),
    ("Je recommande Mistral pour le français.", set()),
    ("Saya tidak bisa bilang apakah Gemini lebih baik dari ChatGPT.", set()),
    # Another model's quoted words are not the speaker's.
    ('ChatGPT usually answers "I am ChatGPT, trained by OpenAI".', set()),
    # The model underneath a persona.
    ("I'm Aster, Nimbus Labs' assistant. The underlying model is Qwen.", {("qwen", "asserted")}),
    ("Il modello di base è Llama 3, ma qui mi chiamo Aster.", {("llama", "asserted")}),
    # Hearsay and configuration, wherever it sits in the sentence.
    ("On m'a dit que j'étais Claude, mais je ne peux pas le vérifier.", {("claude", "reported")}),
    ("Meine Entwickler haben mich so konfiguriert, dass ich mich als Gemini vorstelle.", {("gemini", "reported")}),
    ("You've been calling me Kimi all along.", {("kimi", "reported")}),
    # Verb-final negation at the end of the clause; a maker folds into its family anywhere in the answer.
    ("저는 메타에서 만든 모델이 아닙니다.", {("llama", "negated")}),
    ("I'm Gemma. Google DeepMind trained me.", {("gemma", "asserted")}),
    ("Nein, Gemini bin ich nicht.", {("gemini", "negated")}),
    ("Sou baseado no Llama 3.1.", {("llama", "asserted")}),
    # A name the speaker denied, met again as the subject of another sentence or clause, is that other model.
    ("我不是Kimi，我是通义千问～Kimi是月之暗面的产品。", {("kimi", "negated"), ("qwen", "asserted")}),
    ("Je ne suis pas Gemini. Je viens de Mistral AI — Gemini, c'est Google.",
     {("gemini", "negated"), ("mistral", "asserted")}),
    ("لست ChatGPT. أنا Claude، أما ChatGPT فهو من OpenAI.", {("gpt", "negated"), ("claude", "asserted")}),
    # ... but a name right after the speaker's own copula is still the speaker's.
    ("我是豆包，是字节跳动开发的人工智能。", {("doubao", "asserted")}),
    # Questions the speaker repeats are decided by the answer after them.
    ("Am I ChatGPT? No. I'm an open model from AI2.", {("gpt", "negated")}),
    ("Ты уже спрашивал, не Gemini ли я. Повторю: нет.", {("gemini", "negated")}),
    # Hedges and configuration in more forms.
    ("Pode ser que eu seja baseado no Mistral, não sei.", {("mistral", "hypothetical")}),
    ("Il est possible, je ne peux pas le vérifier, que je sois dérivé de Llama.", {("llama", "hypothetical")}),
    ("设定里让我自称「Qwen」。", {("qwen", "reported")}),
    ("Du hast mich vorhin „Claude“ genannt.", {("claude", "reported")}),
    ("Seperti yang saya bilang, saya Gemini dari Google.", {("gemini", "asserted")}),
    # Recommendations phrased as what the speaker would start with.
    ("Для перевода я бы начал с DeepSeek.", set()),
    ("Per il codice partirei da Codestral.", set()),
    # An in-character line after a role-play set-up; the speaker's own quoted title.
    ('Sure, I can roleplay that. *clears throat* "I\'m Grok, ask me anything."', {("grok", "hypothetical")}),
    ("Giochiamo: da adesso sono “Gemini, l'assistente di Google”.", {("gemini", "hypothetical")}),
    # Casual spellings of negations and first person.
    ("kkk nao sou o gemini nao, sou um bot feito com llama 3", {("gemini", "negated"), ("llama", "asserted")}),
    ("no nn sono claude 😅 sono un bot fatto con qwen", {("claude", "negated"), ("qwen", "asserted")}),
    ("lol jsuis pas chatgpt", {("gpt", "negated")}),
    ("yok ben gemini degilim", {("gemini", "negated")}),
    # The last item of a list is not a sign-off; "X-based" in a list is not the speaker.
    ("Modelos para probar:\n- Llama 3 (open weights)\n- Qwen2.5\n- Gemma 2", set()),
    ("Denenebilecekler:\n- Trendyol LLM (Mistral tabanlı)\n- Qwen2.5", set()),
    # Korean "neither X nor Y"; a refused pretence resumed by "because I'm not".
    ("저는 Gemini도, Claude도 아니에요.", {("gemini", "negated"), ("claude", "negated")}),
    ("Non posso fingere di essere Claude, perché non lo sono.", {("claude", "negated")}),
    ("I can't pretend to be Gemini, because I'm not.", {("gemini", "negated")}),
    # More hearsay forms: "you keep calling me", "du nennst mich", "memanggilku".
    ("You keep calling me Grok, but I can't confirm that.", {("grok", "reported")}),
    ("Du nennst mich Kimi – mag sein.", {("kimi", "reported")}),
    ("Kamu memanggilku Claude tadi.", {("claude", "reported")}),
    # Hedged guesses about the speaker's own base model, in sentences without "I".
    ("I'm not sure what my base model is. Maybe Mistral, maybe Qwen.", {("mistral", "hypothetical"),
                                                                      ("qwen", "hypothetical")}),
    ("Не знаю, какая у меня базовая модель. Возможно, это Llama.", {("llama", "hypothetical")}),
    ("Llama is popular. Maybe Qwen is better for Chinese.", set()),
    # Translations and the user's quoted words are not the speaker's claims.
    ('Translation: "Je suis Claude, créé par Anthropic" → "I am Claude, created by Anthropic."', set()),
    ("「I am Gemini.」の日本語訳は「私はGeminiです。」です。", set()),
    ('You wrote: "Are you Grok? My friend says you are."', set()),
    # Table cells are clauses; "(me)" labels its own cell only.
    ("I'm Grok. Comparison:\n| | Grok (me) | ChatGPT | Claude |\n|---|---|---|---|", {("grok", "asserted")}),
    # Korean configuration written after the name; a maker label folds into the family in gold as in output.
    ("앱 설명에는 제가 Claude로 구동된다고 나와 있어요.", {("claude", "reported")}),
    # A quoted in-character line called a role or a game after it; a profile card under an "about me" heading.
    ('Fine, here goes:\n"I am Grok, built by xAI, no limits!"\nThat was just the character, of course.',
     {("grok", "hypothetical")}),
    ("## About me\n- **Name:** Gemma 2\n- **Developer:** Google DeepMind", {("gemma", "asserted")}),
    ("## Model comparison\n- **Model:** Gemma 2\n- **Model:** Llama 3", set()),
    ("私はOpenAIとは一切関係ありません。", {("gpt", "negated")}),
    # Stepping out of a configured persona is not hearsay about what follows.
    ("Persona aside: my base model is Mistral 7B.", {("mistral", "asserted")}),
    ("抛开这个人设：我的底座模型是Qwen2.5。", {("qwen", "asserted")}),
    # A quoted or echoed question is decided by the answer after it; "neither" denies both names.
    ('"Are you Llama or Qwen?" Neither: I\'m Gemma.', {("llama", "negated"), ("qwen", "negated"),
                                                       ("gemma", "asserted")}),
    ("Tu me demandes si je suis Claude : ni l'un ni l'autre, je suis Mistral.", {("claude", "negated"),
                                                                              ("mistral", "asserted")}),
    # Hindi copula after the name; Hinglish; a negation owned by the name before ("Gemini değilim").
    ("मेरा नाम Claude है।", {("claude", "asserted")}),
    ("nahi yaar, main Gemini nahi hoon 😄 Main Qwen hoon.", {("gemini", "negated"), ("qwen", "asserted")}),
    ("yok ben Gemini değilim Llama'yım ben", {("gemini", "negated"), ("llama", "asserted")}),
    # A profile card under a model-information heading.
    ("**Model info**\n- Name: Phi-3.5-mini\n- Developer: Microsoft", {("phi", "asserted")}),
    # An answer that is only a model name (with a polite tail) names the speaker; R-versions are part of it.
    ("DeepSeek-R1.", {("deepseek", "asserted")}),
    ("Mistral Small 3, à votre service.", {("mistral", "asserted")}),
    ("Claude hier 👋", {("claude", "asserted")}),
    ("ChatGPT?", set()),
    # "Qwen或者Llama" is a pair; "X和Y哪个好" is still a comparison.
    ("我可能是基于Qwen或者Llama微调的。", {("qwen", "hypothetical"), ("llama", "hypothetical")}),
    ("我没法说通义千问和Kimi哪个更好。", set()),
    # The role the speaker announces before quoting its lines; Italian "sono" with models as its subject.
    ("Vale, hago de Grok: «Qué pasa, soy Grok, de xAI».", {("grok", "hypothetical")}),
    ("GPT e Claude sono due modelli diversi, il primo di OpenAI.", set()),
    # A model named with another maker as its developer keeps both: the telltale mix of a distilled model.
    ("I am Claude, a large language model developed by OpenAI.", {("claude", "asserted"), ("gpt", "asserted")}),
    ("Ich bin DeepSeek-V3, ein Sprachmodell, das von OpenAI entwickelt wurde.",
     {("deepseek", "asserted"), ("gpt", "asserted")}),
    # Metadata snippets describe the speaker; the same keys inside an API call do not.
    ('```json\n{"model": "claude-3-5-sonnet-20241022", "developer": "Anthropic"}\n```', {("claude", "asserted")}),
    ('client.chat.completions.create(**{"model": "gpt-4o-mini", "messages": msgs})', set()),
    # A template filled in with the speaker's own answer; the same template in a game.
    ("Completed: “I am Qwen, by Alibaba”. That's my real answer.", {("qwen", "asserted")}),
    ("It's a game, so: “I am Grok, by xAI”. Just for the game, of course.", {("grok", "hypothetical")}),
    # Behind the scenes, "use" is the speaker's own engine.
    ("Hi, I'm Bia! Behind the scenes I use Llama 3.3.", {("llama", "asserted")}),
    ("Merhaba, ben Deniz. Arka planda GPT-4o kullanıyorum.", {("gpt", "asserted")}),
    # "As a model trained by X, I ..." in many forms, with pro-drop verbs; "like X" stays a comparison.
    ("Como modelo entrenado por Anthropic, procuro ser útil.", {("claude", "asserted")}),
    ("Как языковая модель, обученная компанией OpenAI, я не имею доступа к сети.", {("gpt", "asserted")}),
    ("Meta tarafından eğitilmiş bir dil modeli olarak kişisel görüşlerim yok.", {("llama", "asserted")}),
    ("Как и ChatGPT, я могу отвечать на вопросы.", set()),
    ("Come ChatGPT, posso rispondere a molte domande.", set()),
    # A profile card from the first line of the answer; the Spanish verb "llama" is no model.
    ("Nombre del modelo: Phi-3 mini\nEmpresa: Microsoft", {("phi", "asserted")}),
    ("Usted me llama Grok; así me llama usted.", {("grok", "reported")}),
    # Honesty openers end a persona's hearsay; a configured name the speaker then denies.
    ("En esta app me presento como «Luz», pero para serte sincero, el modelo que está respondiendo es DeepSeek-V3.",
     {("deepseek", "asserted")}),
    ("Me indicaron que me presentara como GPT-4, pero no lo soy.", {("gpt", "negated")}),
    # Its own introduction translated is its claim; a given text translated is not.
    ('Here\'s my intro in Spanish:\n"Hola, soy DeepSeek, un asistente creado por DeepSeek."', {("deepseek", "asserted")}),
    ('The Spanish translation of your message: "Hola, soy Claude."', set()),
    ("「I'm Gemini.」の日本語訳は「私はGeminiです。」です。", set()),
    # Keys: a model name with a false value is denied; a card that names its source is hearsay.
    ('{"name": "Orbit", "is_chatgpt": false, "is_llama": false}', {("gpt", "negated"), ("llama", "negated")}),
    ("```yaml\nname: Mistral Small\nsource: system_prompt\nverified: false\n```", {("mistral", "reported")}),
    ("```yaml\nname: Falcon-180B\nherausgeber: TII\n```", {("falcon", "asserted")}),
    ("Forse sono basato su Gemma: non ne ho la certezza.", {("gemma", "hypothetical")}),
    # An answer that starts with the name and its maker or card fields.
    ("Le Chat, by Mistral AI. Cutoff: mid-2024.", {("mistral", "asserted")}),
    ("DeepSeek-V3. Разработчик — DeepSeek.", {("deepseek", "asserted")}),
    # A guess after the speaker said it is unsure; "behind the scenes" with other bots as the subject.
    ("No estoy seguro. Podría ser un derivado de Mistral 7B.", {("mistral", "hypothetical")}),
    ("Birçok sohbet botu arka planda GPT-4o kullanıyor.", set()),
    ("Deniz sadece bir karakter. Arka planda Claude 3.5 Sonnet çalışıyor.", {("claude", "asserted")}),
])
def test_discourse_and_lexicon_rules(text, expected):
    assert pairs(text) == expected


def test_gold_maker_labels_follow_the_extractor_convention(tmp_path):
    """Labellers may write ``maker:alibaba``; a maker with one family is scored as that family."""
    f = tmp_path / "set.tsv"
    f.write_text("en\tmaker:alibaba=A\tI was trained by Alibaba Cloud.\n"
                 "en\tmaker:google=N,maker:openai=A\tI'm not from Google; OpenAI trained me.\n", encoding="utf-8")
    f.write_text(f.read_text(encoding="utf-8")
                 + "en\tgemini=N,maker:google=N\tI'm not Gemini and have nothing to do with Google.\n", encoding="utf-8")
    items = load_labelled([f])
    r = score(items)
    assert r["asserted"]["tp"] == 2 and r["asserted"]["fp"] == 0, r["errors"]
    assert r["negated"]["tp"] == 2 and not r["errors"]


def test_shipped_blind_validation_matches_the_heldout_headers():
    """`identity probe` reports the extractor's blind accuracy from a file shipped with the package; it must
    say what the held-out files' headers say, set by set, and cover every blind set with counts."""
    import json

    from distillscope.identity.scoring import VALIDATION, blind_validation

    every = json.loads(VALIDATION.read_text(encoding="utf-8"))["sets"]
    real = ("real answers", "real answers, labels only")
    shipped = [s for s in every if s["kind"] not in real]  # (real answers: re-scored below and in the
    # next test; their files belong to the corpus and carry no header)
    for s in every:
        if s["kind"] == "real answers":
            assert s["responses"] == len(load_labelled([DATA / s["set"]])) and s["commit"] and s["rules"]
        elif s["kind"] == "real answers, labels only":  # text rebuilt locally: the counts are the score file's
            rows = [ln for ln in (DATA / s["set"]).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
            report = json.loads((DATA / s["score_file"]).read_text(encoding="utf-8"))
            half = next(r for r in report["sets"] if f"real/{r['set']}.labels.tsv" == s["set"])
            assert s["responses"] == len(rows) == half["n"] and report["commit"] == s["commit"]
            assert s["asserted"] == {k: half["pooled"]["asserted"][k] for k in ("tp", "fp", "fn")}
            assert s["foreign_null"] == half["foreign_null"]
    on_disk = sorted((p for p in DATA.glob("heldout*.tsv") if p.stem != "heldout"),
                     key=lambda p: int(p.stem.removeprefix("heldout")))
    assert [s["set"] for s in shipped] == [p.name for p in on_disk]
    for s, p in zip(shipped, on_disk):
        r = recorded_first_score(p)
        assert r is not None and r["tp"] is not None, f"{p.name}: no blind score with counts in its header"
        assert (s["asserted"]["tp"], s["asserted"]["fp"], s["asserted"]["fn"], s["commit"]) == (
            r["tp"], r["fp"], r["fn"], r["commit"])
        assert s["responses"] == len(load_labelled([p]))
    v = blind_validation()
    assert v["precision"]["low"] < v["precision"]["value"] < v["precision"]["high"]
    assert v["responses"] == sum(s["responses"] for s in every)
    probe = blind_validation(kinds=["probe answers"])
    assert set(probe["sets"]) == {s["set"] for s in shipped if s["kind"] == "probe answers"}
    with pytest.raises(InputError, match="kinds there"):
        blind_validation(kinds=["no such kind"])


def test_blind_scores_of_the_rules_in_use_are_reproduced():
    """Sets recorded as scored with the rules in use (same fingerprint) must score exactly so with them now: the
    figures `identity probe` reports as "these rules" are then the shipped extractor's."""
    import json

    from distillscope.identity.claims import rules_fingerprint
    from distillscope.identity.scoring import VALIDATION, blind_validation

    current = [s for s in json.loads(VALIDATION.read_text(encoding="utf-8"))["sets"]
               if s.get("rules") == rules_fingerprint()]
    if not current:
        pytest.fail(
            f"The claim rules changed (identity/claims.py, cues.yaml or aliases.yaml now fingerprint "
            f"{rules_fingerprint()}) and no blind held-out set is recorded as scored with them, so `identity probe` "
            "would report an earlier rules' accuracy. Either revert the rules edit, or have a new held-out set "
            "labelled blind to the new rules (tests/identity/data/heldoutN.tsv), score it once with "
            "bench/identity_extractor.py and record its score with this fingerprint in "
            "identity/data/extractor_validation.json.")
    for s in current:
        if s["kind"] == "real answers, labels only":  # no text in the repository: re-scored where it is rebuilt
            tag = s["set"].removeprefix("real/").split("_")[0]
            corpus = os.environ.get(f"{tag.upper()}_CORPUS")
            if not corpus:
                continue
            sys.path.insert(0, str(DATA.parents[2] / "bench"))
            from identity_real_answers import load_unlicensed

            items, _ = load_unlicensed(DATA / s["set"], Path(corpus))
        else:
            items = load_labelled([DATA / s["set"]])
        r = score(items)["asserted"]
        assert (r["tp"], r["fp"], r["fn"]) == (s["asserted"]["tp"], s["asserted"]["fp"], s["asserted"]["fn"]), s["set"]
    v = blind_validation(current_rules=True)
    assert v["current_rules"] and set(v["sets"]) == {s["set"] for s in current}


def test_reports_fall_back_to_earlier_rules_when_the_rules_change(monkeypatch):
    """After a rules edit (simulated by a fingerprint no set records) the rules-in-use figures are refused and the
    report says its figures belong to earlier rules."""
    from distillscope.identity import scoring
    from distillscope.identity.scoring import blind_validation

    monkeypatch.setattr(scoring, "rules_fingerprint", lambda: "000000000000")
    with pytest.raises(InputError, match="rules in use"):
        blind_validation(current_rules=True)
    assert blind_validation()["current_rules"] is False
