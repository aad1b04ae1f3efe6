"""matcher/ingest/read.py: the file type, a missing file, UTF-8 and the input limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.ingest import load_suppliers
from tests.conftest import write


def test_wrong_encoding_names_file_and_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cp1258.csv",
        "supplier_id,name,description\nS1,ok,ok\nS2,Công ty,Đúc\n",
        encoding="cp1258",
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    (problem,) = err.value.problems
    assert problem.file == str(path)
    assert problem.row == 3
    assert "UTF-8" in problem.message


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"unsupported file type \.txt"):
        load_suppliers(tmp_path / "s.txt")
    with pytest.raises(InputDataError, match="file not found"):
        load_suppliers(tmp_path / "nope.csv")


def test_limits_are_settings_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "s.csv", "supplier_id,name,description\nS1,A,x\nS2,B,y\nS3,C,z\n")
    monkeypatch.setenv("MATCHER_INPUT__MAX_ROWS", "2")
    with pytest.raises(InputDataError, match="MATCHER_INPUT__MAX_ROWS") as err:
        load_suppliers(path)
    assert err.value.problems[0].row == 4 and "the limit is 2" in str(err.value)
    monkeypatch.setenv("MATCHER_INPUT__MAX_ROWS", "3")
    assert len(load_suppliers(path).records) == 3
