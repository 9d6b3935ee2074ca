"""The canonical form's fast encoder writes exactly the bytes of its reference."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.sync.protocol import canonical, reference_canonical

# Every control character, the characters JSON encoders treat differently (DEL, the
# line and paragraph separators, quotes, backslashes), CJK, and beyond the BMP.
_TRICKY = "".join(map(chr, range(0x20))) + '\x7f\u2028\u2029"\\/城管执法𠀀😀\ufeff'
_TEXT = st.text(alphabet=st.sampled_from(_TRICKY) | st.characters(
    blacklist_categories=("Cs",)), max_size=40)
_SCALAR = st.none() | st.booleans() | st.integers() | _TEXT | st.floats(allow_nan=False,
                                                                         allow_infinity=False)


@settings(max_examples=600, deadline=None)
@given(entity_id=_TEXT, version=st.integers(min_value=1, max_value=2**40),
       values=st.lists(_SCALAR, max_size=12))
def test_fast_encoder_matches_the_reference(entity_id: str, version: int,
                                            values: list[object]) -> None:
    assert canonical("finding", entity_id, version, values) == \
        reference_canonical("finding", entity_id, version, values)


def test_the_cases_that_differ_between_encoders_take_the_reference() -> None:
    # orjson spells 1e16 without the plus sign and refuses integers beyond 64 bits.
    for values in ([1e16], [1e-7, "城"], [2**64], [-(2**70)], [True, 0.1]):
        assert canonical("evidence", "e1", 1, values) == \
            reference_canonical("evidence", "e1", 1, values)
    assert canonical("subject", "s1", 2, ["摊贩\n", None, True, 3]) == \
        '["subject","s1",2,"摊贩\\n",null,true,3]'.encode()


def test_a_value_outside_the_canonical_scalars_is_refused_as_before() -> None:
    # orjson would write a datetime; the canonical form holds times as text only.
    with pytest.raises(TypeError):
        canonical("inspection", "i1", 1, [dt.datetime(2026, 12, 2, 9, 40)])
