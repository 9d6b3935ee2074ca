"""The case-outcome sentences of documents read as a reviewer expects, whatever the
officer typed: one full stop, and 经复核 printed once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fieldapp.domain.outcomes import statement_result
from fieldapp.domain.workflow import Procedure, new_case


@pytest.mark.parametrize(("said", "review"), [
    ("当事人称：“货放不下才摆到门口，请求从轻处理。”", "经复核，当事人已改正，维持拟作出的处罚"),
    ("当事人称货放不下才摆到门口，请求从轻处理", "当事人已改正，维持拟作出的处罚。"),
])
def test_the_statement_and_its_review_are_one_sentence_each(said: str, review: str) -> None:
    state = replace(new_case(procedure=Procedure.ORDINARY, organisation=False),
                    statement_recorded=True, statement_text=said, review_text=review)
    text = statement_result(state)
    assert text.count("经复核") == 1
    assert "。”。" not in text and "。。" not in text
    assert text.endswith("经复核，当事人已改正，维持拟作出的处罚。")
    assert text.startswith("当事人提出陈述、申辩：当事人称")
