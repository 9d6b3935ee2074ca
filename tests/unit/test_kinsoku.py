"""Chinese line breaking in documents: no line starts with closing punctuation and none
ends with an opening bracket or quote, at every width (real reportlab paragraphs)."""

from __future__ import annotations

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from fieldapp.documents import blocks
from fieldapp.documents.fonts import HEI, SONG, register_fonts

TEXT = ("当事人违反了《城市市容和环境卫生管理条例》第十四条的规定，依据《示例市市容环境卫生管理"
        "条例》第四十一条（责令改正，处以罚款），决定如下：“责令立即改正”，并处罚款【贰佰元】。")
CLOSING = "，。；：？！）》〉”’、」』】〕"


def _lines(width: float, mixed: bool) -> list[str]:
    style = ParagraphStyle("body", fontName=SONG, fontSize=12, leading=18, wordWrap="CJK")
    # Mixed fonts take reportlab's other line-breaking path (fragments, not one string).
    markup = TEXT.replace("决定如下", f'<font name="{HEI}">决定如下</font>') if mixed else TEXT
    para = Paragraph(markup, style)
    para.wrap(width, 10_000)
    return [blocks._line_text(line) for line in para.blPara.lines]


@pytest.mark.parametrize("mixed", [False, True], ids=["one font", "mixed fonts"])
def test_no_line_starts_closed_or_ends_open_at_any_width(mixed: bool) -> None:
    register_fonts()
    seen_moves = 0
    for width in range(60, 400, 3):
        lines = _lines(float(width), mixed)
        assert "".join(lines) == TEXT  # nothing lost or doubled
        for line in lines[1:]:
            assert not line.startswith(tuple(CLOSING)), (width, line)
        for line in lines[:-1]:
            assert not line.endswith(tuple(blocks.NO_LINE_END)), (width, lines)
        seen_moves += any(line.startswith(tuple(blocks.NO_LINE_END)) for line in lines[1:])
    assert seen_moves > 0  # some widths put a bracket at a line's start: the rule acted
