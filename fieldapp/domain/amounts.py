"""Money written in capital numerals (大写金额), as decisions and receipts print it.

The rules of 《支付结算办法》: amounts to the yuan end in 整 (伍佰元整); to the jiao
they may (伍佰元伍角整); to the fen they do not. A run of zeros inside reads as one 零
(壹万零伍佰元整), and a missing jiao before a fen is written 零 (伍佰元零伍分); the
optional 零 after a yuan amount ending in zero is left out. 壹拾 keeps its 壹.
"""

from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _yuan_words(yuan: int) -> str:
    if yuan == 0:
        return ""
    text = str(yuan)
    out: list[str] = []
    zero_pending = group_nonzero = False
    for i, ch in enumerate(text):
        position = len(text) - 1 - i
        digit = int(ch)
        if digit == 0:
            zero_pending = True
        else:
            if zero_pending and out:
                out.append("零")
            zero_pending = False
            group_nonzero = True
            out.append(DIGITS[digit] + _SMALL_UNITS[position % 4])
        if position % 4 == 0:
            if group_nonzero and position:
                out.append(_BIG_UNITS[position // 4])
            group_nonzero = False
    return "".join(out) + "元"


def rmb_upper(fen: int) -> str:
    """The amount in capital numerals, e.g. 50000 → 伍佰元整, 1000050 → 壹万元伍角整,
    50005 → 伍佰元零伍分, 123456 → 壹仟贰佰叁拾肆元伍角陆分."""
    if fen < 0:
        raise ValueError("an amount of money is never negative here")
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    text = _yuan_words(yuan)
    if not jiao and not cents:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if cents:
        return text + DIGITS[cents] + "分"
    return text + "整"


def yuan_text(fen: int) -> str:
    """Arabic yuan with two decimals, e.g. 500.00."""
    return f"{fen // 100}.{fen % 100:02d}"
