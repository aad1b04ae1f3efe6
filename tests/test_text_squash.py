"""``squash`` (matcher/text.py) collapses whitespace exactly as the regular expression it
replaced did, for every kind of Unicode whitespace, so no folded text, token or cache key moves."""

from __future__ import annotations

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from matcher.text import fold, nfc, squash

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(SPACES), st.characters(), st.sampled_from("aăâđ ")),
    max_size=60,
)


def _old(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@given(TEXT)
def test_squash_is_the_regular_expression_it_replaced(text: str) -> None:
    assert squash(text) == _old(text)


def test_every_unicode_space_is_one_to_both() -> None:
    assert len(SPACES) > 20  # \t \n \x0b \x0c \r \x1c-\x1f, NBSP, the U+2000 block, U+3000 ...
    for space in SPACES:
        text = f" a{space}{space}b{space}"
        assert squash(text) == _old(text) == "a b", repr(space)


def test_nfc_and_fold_collapse_whitespace() -> None:
    assert nfc("  Đúc\u00a0\u00a0áp\tlực \n") == "Đúc áp lực"
    assert fold("  Đúc\u3000áp\u2003lực  ") == "duc ap luc"
