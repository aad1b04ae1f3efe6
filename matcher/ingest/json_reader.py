"""JSON and JSONL registers: an array of objects (or the API's {data, count} envelope), or one
object a line; numbers kept as written, a key given twice refused, depth bounded."""

from __future__ import annotations

import json
from typing import Any

from matcher.config import InputSettings
from matcher.errors import InputDataError, Problem
from matcher.ingest.table import RawRow
from matcher.limits import json_depth, limit_text


def read_json(
    source: str, text: str, *, lines: bool, limits: InputSettings
) -> tuple[list[str], list[RawRow]]:
    """(every key in first-seen order, the records); ``lines``: JSONL, a record a line."""
    records: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    if lines:
        # Only '\n' ends a record: splitlines() would also split at U+2028, U+0085 or a form
        # feed, which JSON allows raw inside a string.
        for line_no, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            value = _parse_json(source, line_no, line, limits)
            if isinstance(value, Problem):
                problems.append(value)
            else:
                records.append((line_no, value))
    else:
        data = _parse_json(source, None, text, limits)
        if isinstance(data, Problem):
            raise InputDataError([data])
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]  # the API's {data, count} envelope
        if not isinstance(data, list):
            raise InputDataError([Problem(source, None, None, "expected a JSON array of objects")])
        records = list(enumerate(data, start=1))
    headers: dict[str, None] = {}
    rows = []
    for number, record in records:
        if not isinstance(record, dict):
            problems.append(Problem(source, number, None, "record is not a JSON object"))
            continue
        if json_depth(record, limits.max_json_depth) > limits.max_json_depth:
            problems.append(
                Problem(
                    source,
                    number,
                    None,
                    f"record nested more than {limits.max_json_depth} levels deep; "
                    + limit_text("max_json_depth", limits.max_json_depth),
                )
            )
            continue
        headers.update(dict.fromkeys(record))
        rows.append(RawRow(number, record))
    if problems:
        raise InputDataError(problems)
    return list(headers), rows


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:  # json.loads would keep the last silently
            raise _DuplicateKey(key)
        record[key] = value
    return record


def _loads(text: str) -> Any:
    # Numbers stay the text written: an id 1e400 is not "inf", 0.10 not "0.1", and a 5000-digit
    # number is not a ValueError; pydantic reads the text of numeric fields as numbers.
    return json.loads(
        text,
        parse_int=str,
        parse_float=str,
        parse_constant=str,
        object_pairs_hook=_no_duplicate_keys,
    )


def _parse_json(source: str, row: int | None, text: str, limits: InputSettings) -> Problem | Any:
    """The parsed value, or the Problem that stops it."""
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        return Problem(
            source, row or exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
        )
    except _DuplicateKey as exc:
        return Problem(source, row, exc.key, "the key appears twice in one object; keep one")
    except RecursionError:
        return Problem(
            source,
            row,
            None,
            "JSON nested too deep to read; " + limit_text("max_json_depth", limits.max_json_depth),
        )
    return value
