"""Write tests/data/bad/: bad input files, each with the error it must get, and good unusual files
that must be read (issue #17). Deterministic: run again and git shows no change.

    python tests/data/make_bad_files.py

bad/manifest.csv: name, kind, expect (a substring of the message), row, column (blank: none),
settings (';'-separated input limits, e.g. max_rows=5, for MATCHER_INPUT__*).
bad/good/manifest.csv: name, kind, records (how many must be read), settings.
XLSX files are written by hand (a few XML parts in a zip with fixed dates), so that their tags can
lie and their bombs stay small on disk.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).parent
BAD = ROOT / "bad"
GOOD = BAD / "good"
DATE = (2024, 1, 1, 0, 0, 0)

SUP = ["supplier_id", "name", "description"]
REQ = ["requirement_id", "buyer", "description"]
FULL = [*SUP, "tax_code", "employees", "founded_year", "tier", "sector", "ownership", "criteria_1"]


def sup_rows(n: int = 4) -> list[list[str]]:
    return [[f"S{i}", f"Công ty {i}", f"Dập kim loại tấm và hàn {i}"] for i in range(1, n + 1)]


def req_rows(n: int = 4) -> list[list[str]]:
    return [[f"R{i}", f"Buyer {i}", f"Need stamping and welding {i}"] for i in range(1, n + 1)]


def full_rows(n: int = 4) -> list[list[str]]:
    return [
        [
            f"S{i}",
            f"Công ty {i}",
            "Ép phun nhựa",
            f"010123456{i}",
            "50",
            "2010",
            "2",
            "V",
            "fdi",
            "7",
        ]
        for i in range(1, n + 1)
    ]


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


# -- XLSX by hand ------------------------------------------------------------------------------
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    "{sst}</Types>"
)
_SST_CT = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    "</Relationships>"
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    "{sst}</Relationships>"
)
_SST_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _col(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def sheet_xml(
    rows: Sequence[Sequence[Any]],
    *,
    dimension: str | None = None,
    merges: Sequence[str] = (),
    doctype: str = "",
) -> str:
    body = []
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            ref = f"{_col(c)}{r}"
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = max((len(v) for v in rows), default=1)
    dim = dimension or f"A1:{_col(width - 1)}{max(len(rows), 1)}"
    merged = ""
    if merges:
        merged = f'<mergeCells count="{len(merges)}">' + "".join(
            f'<mergeCell ref="{m}"/>' for m in merges
        )
        merged += "</mergeCells>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet {_NS}>'
        f'<dimension ref="{dim}"/><sheetData>{"".join(body)}</sheetData>{merged}</worksheet>'
    )


def write_zip(path: Path, parts: dict[str, str | bytes], level: int = 6, strict=False) -> None:
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            book.writestr(info, data, compresslevel=level)


def xlsx_parts(sheet: str, sst: str | None = None) -> dict[str, str | bytes]:
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _CT.format(sst=_SST_CT if sst else ""),
        "_rels/.rels": _RELS,
        "xl/workbook.xml": _BOOK,
        "xl/_rels/workbook.xml.rels": _BOOK_RELS.format(sst=_SST_REL if sst else ""),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if sst is not None:
        parts["xl/sharedStrings.xml"] = sst
    return parts


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], **kw: Any) -> None:
    write_zip(path, xlsx_parts(sheet_xml(rows, **kw)))


# -- the corpus ------------------------------------------------------------------------------
class Corpus:
    def __init__(self) -> None:
        self.bad: list[dict[str, str]] = []
        self.good: list[dict[str, str]] = []

    def add(
        self,
        name: str,
        data: str | bytes | Callable[[Path], None],
        expect: str,
        row: int | None = None,
        column: str | None = None,
        kind: str = "suppliers",
        settings: str = "",
    ) -> None:
        self._write(BAD / name, data)
        entry = {"name": name, "kind": kind, "expect": expect}
        entry |= {"row": "" if row is None else str(row), "column": column or ""}
        self.bad.append(entry | {"settings": settings})

    def ok(
        self,
        name: str,
        data: str | bytes | Callable[[Path], None],
        records: int,
        kind: str = "suppliers",
        settings: str = "",
    ) -> None:
        self._write(GOOD / name, data)
        self.good.append(
            {"name": name, "kind": kind, "records": str(records), "settings": settings}
        )

    @staticmethod
    def _write(path: Path, data: str | bytes | Callable[[Path], None]) -> None:
        if callable(data):
            data(path)
        elif isinstance(data, str):
            path.write_bytes(data.encode())
        else:
            path.write_bytes(data)


def _fields(c: Corpus) -> None:
    """One bad value in one field, in every format: the row and column must be named."""
    defects = [
        ("empty_description", "description", "", "must not be empty"),
        ("empty_name", "name", "", "must not be empty"),
        ("empty_id", "supplier_id", "", "must not be empty"),
        ("tax_short", "tax_code", "12345", "must be 10 digits"),
        ("tax_letters", "tax_code", "01O1234567", "must be 10 digits"),
        ("employees_word", "employees", "many", "valid integer"),
        ("employees_negative", "employees", "-5", "greater than or equal to 0"),
        ("year_old", "founded_year", "1700", "greater than or equal to 1900"),
        ("year_future", "founded_year", "2300", "less than or equal to 2100"),
        ("tier_5", "tier", "5", "less than or equal to 3"),
        ("tier_word", "tier", "one", "valid integer"),
        ("sector_unknown", "sector", "VII", "is not one of"),
        ("ownership_unknown", "ownership", "state", "Input should be"),
        ("criteria_11", "criteria_1", "11", "less than or equal to 10"),
        ("criteria_word", "criteria_1", "good", "valid number"),
        ("id_slash", "supplier_id", "S/1", "no '/'"),
        ("id_dot", "supplier_id", ".", "not '.' or '..'"),
        ("id_dotdot", "supplier_id", "..", "not '.' or '..'"),
        ("id_long", "supplier_id", "S" * 129, "at most 128"),
        ("id_zero_width", "supplier_id", "S\u200b1", "U+200B"),
        ("id_bidi", "supplier_id", "S\u202e1", "U+202E"),
        ("id_soft_hyphen", "supplier_id", "S\u00ad1", "U+00AD"),
    ]
    for row in (2, 4):
        for label, column, value, expect in defects:
            rows = [list(r) for r in full_rows()]
            rows[row - 2][FULL.index(column)] = value
            table = [FULL, *rows]
            for fmt in ("csv", "xlsx", "jsonl"):
                if fmt == "xlsx" and row == 4:
                    continue
                name = f"field_{label}_row{row}.{fmt}"
                if fmt == "csv":
                    c.add(name, csv_text(table), expect, row, column)
                elif fmt == "xlsx":
                    c.add(name, lambda p, t=table: write_xlsx(p, t), expect, row, column)
                else:
                    lines = [
                        json.dumps(dict(zip(FULL, r, strict=False)), ensure_ascii=False)
                        for r in rows
                    ]
                    c.add(name, "\n".join(lines) + "\n", expect, row - 1, column)


def _requirements(c: Corpus) -> None:
    for label, column, value, expect in [
        ("empty_buyer", "buyer", "", "must not be empty"),
        ("empty_description", "description", "", "must not be empty"),
        ("id_slash", "requirement_id", "R/1", "no '/'"),
        ("tier_9", "target_tier", "9", "less than or equal to 3"),
        ("sector_bad", "sector", "XX", "is not one of"),
    ]:
        header = [*REQ, "target_tier", "sector"]
        rows = [[*r, "1", "V"] for r in req_rows()]
        rows[1][header.index(column)] = value
        c.add(f"req_{label}.csv", csv_text([header, *rows]), expect, 3, column, "requirements")
        c.add(
            f"req_{label}.xlsx",
            lambda p, t=[header, *rows]: write_xlsx(p, t),
            expect,
            3,
            column,
            "requirements",
        )
    rows = req_rows()
    rows[2][0] = "R1"
    c.add(
        "req_duplicate_id.csv",
        csv_text([REQ, *rows]),
        "duplicate id 'R1'",
        4,
        "requirement_id",
        "requirements",
    )
    for missing in REQ:
        header = [h for h in REQ if h != missing]
        body = [[v for h, v in zip(REQ, r, strict=False) if h != missing] for r in req_rows()]
        c.add(
            f"req_missing_{missing}.csv",
            csv_text([header, *body]),
            "required column missing",
            1,
            missing,
            "requirements",
        )


def _csv_structure(c: Corpus) -> None:
    header = ",".join(SUP) + "\n"
    good = [",".join(r) + "\n" for r in sup_rows(6)]
    for row in range(2, 7):
        lines = list(good)
        lines[row - 2] = lines[row - 2].replace(",Dập", ',"Dập')
        c.add(f"quote_never_closed_row{row}.csv", header + "".join(lines), "never closed", row)
        # Closed by a quote further down, followed by more text: rows would be swallowed.
        if row < 6:
            tail = list(lines)
            tail[-1] = 'S9,"Công ty 9",x\n'
            c.add(
                f"quote_closed_later_row{row}.csv", header + "".join(tail), "more text follows", row
            )
    c.add("quote_text_after.csv", header + good[0] + 'S2,"Công ty" 2,x\n', "more text follows", 3)
    c.add(
        "quote_never_closed_crlf.csv",
        (header + good[0] + 'S2,B,"x\n' + good[2]).replace("\n", "\r\n"),
        "never closed",
        3,
    )
    # A multi-line cell above the error: the row is the spreadsheet row, not the file's line.
    multi = 'S1,A,"dòng 1\ndòng 2\ndòng 3"\n'
    for n in range(1, 4):
        c.add(
            f"multiline_then_error_{n}.csv",
            header + multi * n + "S9,B,\n",
            "must not be empty",
            2 + n,
            "description",
        )
        c.add(
            f"multiline_then_quote_{n}.csv",
            header + multi.replace("S1", "M1") * n + 'S9,B,"open\n',
            "never closed",
            2 + n,
        )
    _swallowed_rows(c, header, good)
    for row in (2, 3, 5):
        lines = list(good)
        lines[row - 2] = lines[row - 2].rstrip("\n") + ",extra\n"
        c.add(f"extra_cell_row{row}.csv", header + "".join(lines), "4 cells but 3 headers", row)
        c.add(
            f"extra_cell_semicolon_row{row}.csv",
            (header + "".join(lines)).replace(",", ";"),
            "4 cells but 3 headers",
            row,
        )
    c.add("empty.csv", "", "the file is empty", 1)
    c.add("blank_lines_only.csv", "\n\n  \n", "the file is empty", 1)
    c.add("header_only.csv", header, "no records")
    c.add("header_only_crlf.csv", header.replace("\n", "\r\n") + "\r\n", "no records")
    for missing in SUP:
        cols = [h for h in SUP if h != missing]
        body = [[v for h, v in zip(SUP, r, strict=False) if h != missing] for r in sup_rows()]
        c.add(
            f"missing_{missing}.csv", csv_text([cols, *body]), "required column missing", 1, missing
        )
        c.add(
            f"missing_{missing}.jsonl",
            "".join(json.dumps(dict(zip(cols, r, strict=False))) + "\n" for r in body),
            "required column missing",
            1,
            missing,
        )
    c.add(
        "two_headers_one_field.csv",
        "supplier_id,name,description,mô tả\nS1,A,x,y\n",
        "keep one of the two columns",
        1,
        "mô tả",
    )
    c.add(
        "stt_only_no_id.csv",
        "STT,name,description\n1,A,x\n",
        "STT is never an id",
        1,
        "supplier_id",
    )
    rows = sup_rows()
    rows[3][0] = "S2"
    c.add("duplicate_id.csv", csv_text([SUP, *rows]), "duplicate id 'S2'", 5, "supplier_id")
    c.add(
        "duplicate_tax_as_id.csv",
        "Mã số thuế,name,description\n0101234567,A,x\n0101 234 567,B,y\n",
        "duplicate tax code",
        3,
        "Mã số thuế",
    )


def _swallow(lines: list[str], at: int, closes: int, cell: str = ",Dập") -> str:
    """Rows ``lines`` with a quote opened in row ``at``'s cell and closed at the end of line
    ``closes`` (indexes into lines): the rows between become one cell, with no csv error."""
    out = list(lines)
    out[at] = out[at].replace(cell, cell[0] + '"' + cell[1:], 1)
    out[closes] = (
        out[closes].rstrip("\r\n") + '"' + ("\r\n" if out[closes].endswith("\r\n") else "\n")
    )
    return "".join(out)


def _swallowed_rows(c: Corpus, header: str, good: list[str]) -> None:
    """A quote opened in a cell and closed at the end of a later line: strict csv reads it
    without an error, so the rows between would vanish into one cell (#17)."""
    said = "reads as a row of its own"
    for row in (2, 3, 4):
        c.add(f"quote_swallows_rows_row{row}.csv", header + _swallow(good, row - 2, row), said,
              row, "description")  # fmt: skip
    c.add("quote_swallows_one_row.csv", header + _swallow(good, 0, 1), said, 2, "description")
    c.add("quote_swallows_to_the_end.csv", header + _swallow(good, 1, 5), said, 3, "description")
    c.add("quote_swallows_rows_name.csv", header + _swallow(good, 1, 3, ",Công"), said, 3, "name")
    semi = [ln.replace(",", ";") for ln in good]
    c.add("quote_swallows_rows_semicolon.csv", header.replace(",", ";") + _swallow(semi, 0, 2,
          ";Dập"), said, 2, "description")  # fmt: skip
    crlf = [ln.replace("\n", "\r\n") for ln in good]
    c.add("quote_swallows_rows_crlf.csv", header.replace("\n", "\r\n") + _swallow(crlf, 2, 4),
          said, 4, "description")  # fmt: skip
    wide = csv_text([FULL, *full_rows(5)]).splitlines(keepends=True)
    c.add("quote_swallows_rows_wide.csv", wide[0] + _swallow(wide[1:], 0, 2, ",Ép"), said, 2,
          "description")  # fmt: skip
    reqs = csv_text([REQ, *req_rows(5)]).splitlines(keepends=True)
    c.add("quote_swallows_rows_requirements.csv", reqs[0] + _swallow(reqs[1:], 1, 3, ",Need"),
          said, 3, "description", kind="requirements")  # fmt: skip
    # Spreadsheet rows, not lines: a legitimate multi-line cell above, and a title row.
    multi = 'S0,A,"dòng 1\ndòng 2"\n'
    c.add("quote_swallows_after_multiline.csv", header + multi + _swallow(good, 1, 3), said, 4,
          "description")  # fmt: skip
    c.add("quote_swallows_below_title.csv", "Danh sách 2025\n" + header + _swallow(good, 0, 2),
          said, 3, "description")  # fmt: skip


def _encoding(c: Corpus) -> None:
    text = csv_text([SUP, *sup_rows()])
    c.add("cp1258.csv", text.encode("cp1258", "replace"), "not valid UTF-8", 2)
    c.add(
        "latin1_row4.csv",
        csv_text([SUP, *sup_rows(2)]).encode() + b"S3,Caf\xe9,x\n",
        "not valid UTF-8",
        4,
    )
    c.add("utf16_bom.csv", text.encode("utf-16"), "not valid UTF-8", 1)
    c.add(
        "utf16le_no_bom.csv",
        csv_text([SUP, ["S1", "A", "x"]]).encode("utf-16-le"),
        "NUL character",
        1,
    )
    c.add("truncated_utf8.csv", text.encode()[:-4] + "ậ".encode()[:2], "not valid UTF-8", 5)
    for row, col in ((2, 1), (3, 2), (5, 0)):
        rows = sup_rows()
        rows[row - 2][col] = rows[row - 2][col][:2] + "\x00" + rows[row - 2][col][2:]
        c.add(
            f"nul_row{row}_{SUP[col]}.csv", csv_text([SUP, *rows]), "NUL character", row, SUP[col]
        )
        rows = sup_rows()
        rows[row - 2][col] = "\ufeff" + rows[row - 2][col]
        c.add(
            f"bom_inside_row{row}_{SUP[col]}.csv",
            csv_text([SUP, *rows]),
            "byte-order mark",
            row,
            SUP[col],
        )
    two = csv_text([SUP, *sup_rows(2)])
    c.add(
        "two_files_concatenated.csv",
        "\ufeff" + two + "\ufeff" + two,
        "byte-order mark",
        4,
        "supplier_id",
    )
    c.add(
        "bom_in_header_cell.csv",
        "supplier_id,\ufeffname,description\nS1,A,x\n",
        "byte-order mark",
        1,
    )
    c.add(
        "nul_json.jsonl",
        '{"supplier_id":"S1","name":"A\\u0000","description":"x"}\n',
        "NUL character",
        1,
        "name",
    )
    c.add(
        "surrogate_json.jsonl",
        '{"supplier_id":"S1","name":"A","description":"x\\ud800"}\n',
        "lone surrogate",
        1,
        "description",
    )
    c.add(
        "bom_json.jsonl",
        '{"supplier_id":"S1","name":"A","description":"x\\ufeff"}\n',
        "byte-order mark",
        1,
        "description",
    )


def _json(c: Corpus) -> None:
    recs = [dict(zip(SUP, r, strict=False)) for r in sup_rows()]
    body = json.dumps(recs, ensure_ascii=False)
    c.add("truncated.json", body[:-10], "invalid JSON", 1)
    c.add("trailing_comma.json", body[:-1] + ",]", "invalid JSON", 1)
    c.add("single_quotes.json", body.replace('"', "'"), "invalid JSON", 1)
    c.add("object_not_array.json", json.dumps(recs[0]), "expected a JSON array")
    c.add("string.json", '"suppliers"', "expected a JSON array")
    c.add("number.json", "42", "expected a JSON array")
    c.add("null.json", "null", "expected a JSON array")
    c.add("empty_array.json", "[]", "no records")
    c.add("empty.json", "", "invalid JSON", 1)
    for i, bad in enumerate(([1, 2], "text", 7, None)):
        c.add(
            f"record_not_object_{i}.json",
            json.dumps([recs[0], bad, recs[1]]),
            "not a JSON object",
            2,
        )
        c.add(
            f"record_not_object_{i}.jsonl",
            f"{json.dumps(recs[0])}\n{json.dumps(bad)}\n",
            "not a JSON object",
            2,
        )
    c.add(
        "duplicate_key.json",
        '[{"supplier_id":"S1","name":"A","name":"B","description":"x"}]',
        "appears twice",
        None,
        "name",
    )
    c.add(
        "duplicate_key.jsonl",
        '{"supplier_id":"S1","name":"A","description":"x"}\n{"supplier_id":"S2","name":"A","description":"x","description":"y"}\n',
        "appears twice",
        2,
        "description",
    )
    for depth in (20, 100):
        nested: Any = "x"
        for _ in range(depth):
            nested = [nested]
        rec = {**recs[0], "extra": {"deep": nested}}
        c.add(f"deep_{depth}.json", json.dumps([recs[1], rec]), "nested more than 16 levels", 2)
        c.add(
            f"deep_{depth}.jsonl",
            json.dumps(recs[1]) + "\n" + json.dumps(rec) + "\n",
            "nested more than 16 levels",
            2,
        )
    c.add("deep_20000.json", "[" * 20_000 + "]" * 20_000, "nested too deep")
    c.add(
        "deep_20000.jsonl",
        json.dumps(recs[0]) + "\n" + '{"a":' * 10_000 + "1" + "}" * 10_000 + "\n",
        "nested too deep",
        2,
    )
    for i, value in enumerate(([1, 2], {"a": 1}, None, True)):
        rec = {**recs[0], "supplier_id": value}
        c.add(
            f"id_type_{i}.jsonl",
            json.dumps(rec) + "\n",
            "valid string" if value is not None else "must not be empty",
            1,
            "supplier_id",
        )
    c.add(
        "employees_1e400.jsonl",
        json.dumps({**recs[0], "employees": 1}).replace(": 1}", ": 1e400}") + "\n",
        "valid integer",
        1,
        "employees",
    )
    c.add(
        "employees_5000_digits.jsonl",
        json.dumps({**recs[0], "employees": 1}).replace(": 1}", ": " + "9" * 5000 + "}") + "\n",
        "as an integer",
        1,
        "employees",
    )
    c.add(
        "criteria_nan.jsonl",
        json.dumps({**recs[0], "criteria_1": 1}).replace(": 1}", ": NaN}") + "\n",
        "less than or equal to 10",
        1,
        "criteria_1",
    )
    lines = [json.dumps(r) for r in recs]
    lines[2] = lines[2][:-3]
    c.add("jsonl_bad_line3.jsonl", "\n".join(lines) + "\n", "invalid JSON", 3)
    c.add("jsonl_array_line.jsonl", json.dumps(recs) + "\n", "not a JSON object", 1)
    c.add("jsonl_empty.jsonl", "\n\n", "no records")


def _xlsx(c: Corpus) -> None:
    table = [SUP, *sup_rows()]
    for row in (2, 3, 5):
        t = [list(r) for r in table]
        t[row - 1].append("lạc")
        c.add(
            f"xlsx_extra_cell_row{row}.xlsx",
            lambda p, t=t: write_xlsx(p, t),
            "beyond the last header",
            row,
            "D",
        )
        t = [list(r) for r in table]
        t[row - 1] += ["", "", "xa"]
        c.add(
            f"xlsx_extra_cell_far_row{row}.xlsx",
            lambda p, t=t: write_xlsx(p, t),
            "beyond the last header",
            row,
            "F",
        )
    t = [
        ["supplier_id", "", "name", "description"],
        *[[r[0], "ghost", r[1], r[2]] for r in sup_rows()],
    ]
    c.add(
        "xlsx_value_under_blank_header.xlsx",
        lambda p: write_xlsx(p, t),
        "under a blank header",
        2,
        "B",
    )
    t = [list(r) for r in table]
    t[2][2] = "x" * 140_000
    c.add(
        "xlsx_long_cell.xlsx",
        lambda p: write_xlsx(p, t),
        "cell of 140,000 characters",
        3,
        "description",
    )
    t = [list(r) for r in table]
    t[3][1] = "x" * 2_000_000  # one member over 1 MiB compressed ~1000 times
    c.add("xlsx_huge_cell.xlsx", lambda p: write_xlsx(p, t), "compressed")
    c.add("xlsx_empty_file.xlsx", b"", "not an XLSX file")
    c.add("xlsx_is_csv.xlsx", csv_text(table), "not an XLSX file")
    c.add("xlsx_is_xls.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "Excel 97-2003")

    def truncated(p: Path) -> None:
        write_xlsx(p, table)
        p.write_bytes(p.read_bytes()[:-60])

    c.add("xlsx_truncated.xlsx", truncated, "unreadable XLSX")

    def no_sheet(p: Path) -> None:
        parts = xlsx_parts(sheet_xml(table))
        del parts["xl/worksheets/sheet1.xml"]
        write_zip(p, parts, strict=False)

    c.add("xlsx_missing_sheet_part.xlsx", no_sheet, "no worksheet")
    c.add("xlsx_empty_sheet.xlsx", lambda p: write_xlsx(p, []), "the file is empty", 1)
    c.add("xlsx_header_only.xlsx", lambda p: write_xlsx(p, [SUP]), "no records")
    for missing in SUP:
        cols = [h for h in SUP if h != missing]
        body = [[v for h, v in zip(SUP, r, strict=False) if h != missing] for r in sup_rows()]
        c.add(
            f"xlsx_missing_{missing}.xlsx",
            lambda p, t=[cols, *body]: write_xlsx(p, t),
            "required column missing",
            1,
            missing,
        )
    t = [["Danh sách doanh nghiệp"], [], SUP, *sup_rows()]
    t[4][2] = ""
    c.add(
        "xlsx_title_rows_error_row5.xlsx",
        lambda p: write_xlsx(p, t),
        "must not be empty",
        5,
        "description",
    )
    # Entity expansion and external entities: refused before openpyxl parses anything.
    laughs = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    c.add(
        "xlsx_billion_laughs.xlsx",
        lambda p: write_zip(
            p,
            xlsx_parts(
                sheet_xml([SUP, ["S1", "&lol3;", "x"]], doctype=laughs).replace(
                    "&amp;lol3;", "&lol3;"
                )
            ),
        ),
        "declares a DTD",
    )
    xxe = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    c.add(
        "xlsx_external_entity.xlsx",
        lambda p: write_zip(
            p,
            xlsx_parts(
                sheet_xml([SUP, ["S1", "&xxe;", "x"]], doctype=xxe).replace("&amp;xxe;", "&xxe;")
            ),
        ),
        "declares a DTD",
    )
    sst = (
        '<?xml version="1.0"?>'
        + laughs
        + f'<sst {_NS} count="1" uniqueCount="1"><si><t>&lol3;</t></si></sst>'
    )
    c.add(
        "xlsx_shared_strings_dtd.xlsx",
        lambda p: write_zip(p, xlsx_parts(sheet_xml(table), sst)),
        "declares a DTD",
    )

    def bomb(p: Path, mib: int = 100) -> None:
        # Identical rows without r attributes: deflate packs them ~1000 times.
        chunk = (
            "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 3 + "</row>"
        ).encode() * 16_000
        parts = xlsx_parts("")
        with zipfile.ZipFile(p, "w") as book:
            for name, data in parts.items():
                info = zipfile.ZipInfo(name, DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                if name != "xl/worksheets/sheet1.xml":
                    book.writestr(info, data)
                    continue
                with book.open(info, "w", force_zip64=True) as out:
                    out.write(f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'.encode())
                    written = 0
                    while written < mib * 2**20:
                        out.write(chunk)
                        written += len(chunk)
                    out.write(b"</sheetData></worksheet>")

    c.add("xlsx_zip_bomb.xlsx", bomb, "unpacks to")
    c.add(
        "xlsx_zip_bomb_ratio.xlsx",
        lambda p: bomb(p, 20),
        "compressed",
        settings="max_xlsx_unpacked_bytes=1000000000",
    )

    def claiming(size: int) -> Callable[[Path], None]:
        """The sheet, its zip directory entry claiming ``size`` unpacked bytes."""

        def write(p: Path) -> None:
            write_xlsx(p, table)
            data = bytearray(p.read_bytes())
            at = data.find(b"PK\x01\x02", 0)
            while at != -1:  # central directory: uncompressed size at +24
                name_len = struct.unpack_from("<H", data, at + 28)[0]
                if data[at + 46 : at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
                    struct.pack_into("<I", data, at + 24, size)
                at = data.find(b"PK\x01\x02", at + 4)
            p.write_bytes(bytes(data))

        return write

    c.add("xlsx_directory_claims_1_5gb.xlsx", claiming(1_500_000_000), "unpacks to")
    c.add("xlsx_directory_understates.xlsx", claiming(100), "unreadable XLSX")

    def many_members(p: Path) -> None:
        parts = xlsx_parts(sheet_xml(table))
        parts |= {f"xl/media/pad{i}.bin": b"" for i in range(1001)}
        write_zip(p, parts, strict=False)

    c.add("xlsx_1006_members.xlsx", many_members, "zip members")

    def many_strings(p: Path) -> None:
        strings = "".join(f"<si><t>s{i}</t></si>" for i in range(50))
        sst = f'<?xml version="1.0"?><sst {_NS} count="50" uniqueCount="50">{strings}</sst>'
        write_zip(p, xlsx_parts(sheet_xml(table), sst))

    c.add(
        "xlsx_50_shared_strings.xlsx",
        many_strings,
        "shared strings",
        settings="max_xlsx_shared_strings=10",
    )
    c.add(
        "xlsx_1100_rows.xlsx",
        lambda p: write_xlsx(p, [SUP, *sup_rows(1100)]),
        "rows",
        settings="max_rows=5",
    )
    c.add(
        "xlsx_7_records.xlsx",
        lambda p: write_xlsx(p, [SUP, *sup_rows(7)]),
        "more than 5 records",
        7,
        settings="max_rows=5",
    )
    c.add(
        "xlsx_file_size.xlsx",
        lambda p: write_xlsx(p, table),
        "file of",
        settings="max_file_bytes=500",
    )


def _limits(c: Corpus) -> None:
    text = csv_text([SUP, *sup_rows(8)])
    c.add("rows_8_limit_5.csv", text, "more than 5 records", 7, settings="max_rows=5")
    c.add("rows_30_limit_5.csv", csv_text([SUP, *sup_rows(30)]), "rows", 26, settings="max_rows=5")
    c.add(
        "rows_8_limit_5.jsonl",
        "".join(json.dumps(dict(zip(SUP, r, strict=False))) + "\n" for r in sup_rows(8)),
        "more than 5 records",
        6,
        settings="max_rows=5",
    )
    c.add("file_size.csv", text, "file of", settings="max_file_bytes=100")
    c.add(
        "file_size.json",
        json.dumps([dict(zip(SUP, r, strict=False)) for r in sup_rows()]),
        "file of",
        settings="max_file_bytes=100",
    )
    rows = sup_rows()
    rows[1][2] = "x" * 140_000
    c.add("cell_140k.csv", csv_text([SUP, *rows]), "cell of 140,000 characters", 3, "description")
    c.add(
        "cell_140k.jsonl",
        "".join(json.dumps(dict(zip(SUP, r, strict=False))) + "\n" for r in rows),
        "cell of 140,000",
        2,
        "description",
    )
    rows = sup_rows()
    rows[2][1] = "y" * 50
    c.add(
        "cell_50_limit_40.csv",
        csv_text([SUP, *rows]),
        "cell of 50 characters",
        4,
        "name",
        settings="max_cell_chars=40",
    )
    c.add(
        "cell_50_limit_40.xlsx",
        lambda p: write_xlsx(p, [SUP, *rows]),
        "cell of 50 characters",
        4,
        "name",
        settings="max_cell_chars=40",
    )
    c.add(
        "depth_limit_3.jsonl",
        json.dumps({**dict(zip(SUP, sup_rows()[0], strict=False)), "extra": {"a": {"b": [1]}}})
        + "\n",
        "nested more than 3",
        1,
        settings="max_json_depth=3",
    )
    c.add("unsupported.txt", "supplier_id,name,description\n", "unsupported file type")
    c.add("unsupported.xls", "x", "unsupported file type")
    c.add("no_suffix", "x", "unsupported file type")


def _good(c: Corpus) -> None:
    rows = sup_rows()
    c.ok("semicolon.csv", csv_text([SUP, *rows], ";"), 4)
    c.ok("tab.csv", csv_text([SUP, *rows], "\t"), 4)
    c.ok("pipe.csv", csv_text([SUP, *rows], "|"), 4)
    c.ok("excel_sep_line.csv", "sep=;\n" + csv_text([SUP, *rows], ";"), 4)
    c.ok("title_rows.csv", "Danh sách nhà cung cấp\nNăm 2025\n\n" + csv_text([SUP, *rows]), 4)
    c.ok("bom_start.csv", "\ufeff" + csv_text([SUP, *rows]), 4)
    c.ok("crlf.csv", csv_text([SUP, *rows]).replace("\n", "\r\n"), 4)
    c.ok("no_final_newline.csv", csv_text([SUP, *rows]).rstrip("\n"), 4)
    c.ok("blank_lines_between.csv", csv_text([SUP, *rows]).replace("\n", "\n\n"), 4)
    c.ok(
        "vietnamese_headers.csv",
        csv_text([["Mã doanh nghiệp", "Tên doanh nghiệp", "Mô tả năng lực"], *rows]),
        4,
    )
    c.ok(
        "vietnamese_no_diacritics.csv",
        csv_text([["ma doanh nghiep", "ten doanh nghiep", "mo ta nang luc"], *rows]),
        4,
    )
    c.ok("upper_case_headers.csv", csv_text([["SUPPLIER_ID", "Name", "DESCRIPTION"], *rows]), 4)
    c.ok(
        "tax_code_as_id_stt.csv",
        "STT,Mã số thuế,Tên doanh nghiệp,Mô tả\n1,0101234567,A,x\n2,101234568,B,y\n",
        2,
    )
    c.ok(
        "multiline_cells.csv",
        csv_text([SUP, ["S1", "A", "dòng 1\ndòng 2"], ["S2", "B", "a\r\nb"], *rows[2:]]),
        4,
    )
    # Line breaks in quoted cells that do not read as rows: lists with commas, an address
    # starting with a house number, a line naming another firm, a wide register's prose.
    c.ok(
        "multiline_lists_with_commas.csv",
        csv_text([SUP, ["S1", "A", "Sản phẩm:\n- thép, nhôm, đồng\n- nhựa, cao su, da"],
                  *rows[1:]]),
        4,
    )  # fmt: skip
    c.ok(
        "multiline_address_numbers.csv",
        csv_text([SUP, ["S1", "A", "Địa chỉ:\n12, Đường Láng, Hà Nội"], *rows[1:]]),
        4,
    )
    c.ok(
        "multiline_names_another_id.csv",
        csv_text([SUP, ["S1", "A", "Đối tác của\nS2 và S3 từ 2015"], *rows[1:]]),
        4,
    )
    wide_text = (
        "Máy móc:\nmáy ép, máy dập, máy hàn, máy cắt, máy uốn, máy tiện, máy phay, máy mài, robot"
    )
    c.ok(
        "multiline_wide_prose.csv",
        csv_text([FULL, *[[*r[:2], wide_text, *r[3:]] for r in full_rows()]]),
        4,
    )
    c.ok(
        "doubled_quotes.csv",
        csv_text([SUP, ["S1", 'Công ty "Ánh Dương"', 'ống 1/2"'], *rows[1:]]),
        4,
    )
    c.ok("u2028_u0085_in_cell.csv", csv_text([SUP, ["S1", "A", "a\u2028b\u0085c"], *rows[1:]]), 4)
    c.ok("control_chars_removed.csv", csv_text([SUP, ["S1", "A\x07", "dập\x0bhàn"], *rows[1:]]), 4)
    c.ok("no_usable_words.csv", "supplier_id,name,description\nS1,A,x\nS2,B,!!\n", 2)
    c.ok(
        "extra_columns.csv",
        csv_text([[*SUP, "Ghi chú", "Website"], *[[*r, "note", "x.vn"] for r in rows]]),
        4,
    )
    c.ok("trailing_empty_cells.csv", csv_text([SUP, *[[*r, "", ""] for r in rows]]), 4)
    c.ok(
        "requirements_vi.csv",
        csv_text([["Mã yêu cầu", "Bên mua", "Mô tả yêu cầu"], *req_rows()]),
        4,
        "requirements",
    )
    recs = [dict(zip(SUP, r, strict=False)) for r in rows]
    c.ok("envelope.json", json.dumps({"data": recs, "count": 4}), 4)
    c.ok(
        "numbers_as_ids.json",
        '[{"supplier_id": 1e400, "name": "A", "description": "x"}, '
        '{"supplier_id": 0.10, "name": "B", "description": "y"}, '
        '{"supplier_id": 7.5e1, "name": "C", "description": "z"}]',
        3,
    )
    c.ok(
        "u2028_in_string.jsonl",
        "".join(
            json.dumps(r, ensure_ascii=False).replace("tấm", "tấm\u2028\u0085") + "\n" for r in recs
        ),
        4,
    )
    c.ok("crlf.jsonl", "".join(json.dumps(r) + "\r\n" for r in recs), 4)
    c.ok(
        "nested_extra.json",
        json.dumps([{**r, "extra": {"Ghi chú": "a", "tags": ["x", {"y": 1}]}} for r in recs]),
        4,
    )
    c.ok("semicolon.xlsx", lambda p: write_xlsx(p, [SUP, *rows]), 4)
    c.ok(
        "dimension_understated.xlsx",
        lambda p: write_xlsx(p, [SUP, *sup_rows(6)], dimension="A1:C2"),
        6,
    )
    c.ok("dimension_missing_cols.xlsx", lambda p: write_xlsx(p, [SUP, *rows], dimension="A1"), 4)
    c.ok("title_rows.xlsx", lambda p: write_xlsx(p, [["Danh sách"], [], SUP, *rows]), 4)
    c.ok(
        "merged_cells.xlsx",
        lambda p: write_xlsx(
            p,
            [[*SUP, "sector"], *[[*r, "V" if i == 0 else ""] for i, r in enumerate(rows)]],
            merges=["D2:D5"],
        ),
        4,
    )
    c.ok(
        "merged_title.xlsx",
        lambda p: write_xlsx(p, [["Danh sách doanh nghiệp"], SUP, *rows], merges=["A1:C1"]),
        4,
    )
    c.ok(
        "numbers_in_cells.xlsx",
        lambda p: write_xlsx(
            p,
            [
                [*SUP, "Mã số thuế", "employees"],
                *[[i, f"B{i}", "x", 101234567 + i, 50.0] for i in range(1, 4)],
            ],
        ),
        3,
    )
    c.ok("wide_blank_header_tail.xlsx", lambda p: write_xlsx(p, [[*SUP, "", ""], *rows]), 4)
    c.ok(
        "stt_tax_code.xlsx",
        lambda p: write_xlsx(
            p,
            [
                ["STT", "Mã số thuế", "Tên doanh nghiệp", "Mô tả năng lực"],
                [1, "0101234567", "A", "x"],
                [2, "0101234568", "B", "y"],
            ],
        ),
        2,
    )
    c.ok("requirements.xlsx", lambda p: write_xlsx(p, [REQ, *req_rows()]), 4, "requirements")


def main() -> None:
    shutil.rmtree(BAD, ignore_errors=True)
    GOOD.mkdir(parents=True)
    corpus = Corpus()
    for part in (_fields, _requirements, _csv_structure, _encoding, _json, _xlsx, _limits, _good):
        part(corpus)
    for folder, entries in ((BAD, corpus.bad), (GOOD, corpus.good)):
        names = [e["name"] for e in entries]
        if len(names) != len(set(names)):
            raise SystemExit(f"duplicate names in {folder}")
        with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(entries[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(entries)
    print(f"{len(corpus.bad)} bad files in {BAD}, {len(corpus.good)} good in {GOOD}")


if __name__ == "__main__":
    main()
