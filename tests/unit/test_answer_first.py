"""Answer first, on passages written here: the sentence that states the asked kind of answer leads."""

from __future__ import annotations

import pytest

from assistant.answering import AnswerConfig, answer_sections, compare_sections, mentions, question_type, topic_text
from assistant.passages import announces_list, sentences
from assistant.scope import Scope
from retrieval.models import Chunk, Hit


def hit(text: str, doc: str = "doc-a", title: str = "测试文档", n: int = 0, **meta: object) -> Hit:
    chunk = Chunk(chunk_id=f"{doc}:{n}", doc_id=doc, ordinal=n, text=text, locator="", heading=title,
                  metadata={"title": title, **meta})
    return Hit(chunk=chunk, score=1.0)


REPORTING = hit(
    "《某某事件报告办法》第四条要求运营者发现网络安全事件时先研判级别，再按路径报告。"
    "涉及重要系统的，运营者应向主管部门报告，最迟不超过2小时。其他运营者应向属地部门报告，最迟不超过6小时。",
    title="某某事件报告办法要点",
)
ASSESSMENT = hit(
    "《某某数据条例》第九条要求重要数据处理者定期开展风险评估。第十条把频率细化为每年度一次，并要求报送主管部门。",
    doc="doc-b", title="某某数据条例要点",
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("网络安全事件要在多长时间内报告？", "duration"),
        ("重要数据处理者多久做一次风险评估？", "frequency"),
        ("等保测评周期是多久", "frequency"),
        ("罚款多少？", "amount"),
        ("依据是哪一条？", "article"),
        ("向哪个部门报告？", "who"),
        ("数据分为几级？", "levels"),
        ("医院需要做密评吗？", "obligation"),
        ("这个办法什么时候施行？", "date"),
        ("什么是密评？", "definition"),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_the_sentence_that_states_a_duration_leads_as_the_direct_answer() -> None:
    [section] = answer_sections("网络安全事件最迟多长时间内报告？", [REPORTING], Scope(strict=False), AnswerConfig())
    assert section.layout == "direct"
    assert "最迟不超过2小时" in section.claims[0].text, "not the sentence that repeats the question's words"


def test_a_frequency_question_is_answered_by_the_frequency_not_by_定期() -> None:
    [section] = answer_sections("重要数据处理者多久做一次风险评估？", [ASSESSMENT, REPORTING], Scope(strict=False), AnswerConfig())
    assert "每年度" in section.claims[0].text


def test_a_question_the_passages_do_not_cover_gets_no_answer() -> None:
    assert answer_sections("草莓大棚的滴灌系统怎么设计？", [REPORTING], Scope(strict=False), AnswerConfig()) == []


def test_asking_words_are_not_what_is_searched_for() -> None:
    assert topic_text("密评多久做一次？") == "密评"
    assert "多长时间" not in topic_text("网络安全事件要在多长时间内报告？")


def test_comparison_sentences_are_sorted_by_side() -> None:
    passage = hit("第二级系统由运营者自行定期测评。第三级系统每年至少测评一次。第三级比第二级要求更严格，第二级则无统一频率。")
    sections = compare_sections(("二级", "三级"), "二级和三级有什么区别", [passage], Scope(strict=False), AnswerConfig())
    headings = [s.heading for s in sections]
    assert headings[:2] == ["二级", "三级"] and "二级与三级对比" in headings
    assert mentions("第三级系统每年至少测评一次。", "等保三级") and not mentions("三级医院较多。", "等保三级")


def test_a_sentence_announcing_a_list_keeps_its_items_or_goes() -> None:
    text = "方案通常覆盖四个层面。\n终端：国产整机。\n服务器：国产服务器。\n数据库：国产数据库。\n中间件：国产中间件。\n部署有三种方式：单品；一体机；云上服务。"
    found = sentences(text)
    assert found[0].startswith("方案通常覆盖四个层面：终端：国产整机；服务器") and found[0].endswith("中间件：国产中间件。")
    assert found[1] == "部署有三种方式：单品；一体机；云上服务。"
    assert sentences("网络安全事件分为四级，较大以上的须按以下路径报告。") == ["网络安全事件分为四级。"]
    assert sentences("本方案覆盖三个方面。") == []
    assert not announces_list("违法的处10万元以下罚款。") and not announces_list("核心系统按第三级定级。")
