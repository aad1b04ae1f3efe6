"""Ingest: read CSV / XLSX / JSON / JSONL registers with English or Vietnamese headers, validate
every row with pydantic, report every problem with file, row and column, and detect duplicate
firms.

Registers made by hand are read as people make them: title rows above the header, a ';' CSV,
merged cells, the tax code as the only id, an address instead of province and district, and
columns of their own (kept as extra fields, never dropped silently).

The flow, file → rows → records, one module a step:

- ``read``: the suffix picks the reader, the file is checked against the input limits
  (MATCHER_INPUT__*), and every cell is checked and cleaned of control characters
  (``read_table``, ``read_rows``);
  ``csv_reader`` (delimiter from "sep=" or sniffed, strict quoting), ``xlsx_reader`` (merged
  cells filled down, the sheet read whole), ``json_reader`` (array or JSONL, numbers as written);
- ``table``: a sheet's grid under its header row (given, or found below title rows), no value
  without a header;
- ``columns``: headers mapped to fields through the alias tables; the header row is the first
  that names every required column; STT dropped; the tax code as the id where there is no id;
- ``records``: rows validated into Supplier / Requirement records, with ``extra`` fields and
  places from addresses (``load_suppliers``, ``load_requirements``, ``load_records``);
- ``duplicates``: firms that appear twice (``find_duplicate_firms``).

Every error is an InputDataError holding every Problem found in the file (nothing is loaded on
any): the file alone where the whole file is wrong (type, missing, not UTF-8, not a JSON array,
an unreadable workbook or sheet, no records); file and row for a row that cannot be read (CSV
quoting, invalid JSON, too many rows, cells past the header); file, row and column for a value
(validation, duplicate ids, cell limits, a value under no header: the column letter), and for the
header row itself (a required column missing: the field; two headers for one field: the header).
"""

from __future__ import annotations

from matcher.ingest.columns import Kind
from matcher.ingest.csv_reader import CSV_DELIMITERS
from matcher.ingest.duplicates import find_duplicate_firms
from matcher.ingest.read import SUPPORTED_SUFFIXES, ReadOptions, read_rows, read_table
from matcher.ingest.records import (
    IngestResult,
    LoadOptions,
    load_records,
    load_requirements,
    load_suppliers,
)
from matcher.ingest.table import HEADER_SEARCH_ROWS, HeaderTest, RawRow, Table

__all__ = [
    "CSV_DELIMITERS",
    "HEADER_SEARCH_ROWS",
    "SUPPORTED_SUFFIXES",
    "HeaderTest",
    "IngestResult",
    "Kind",
    "LoadOptions",
    "RawRow",
    "ReadOptions",
    "Table",
    "find_duplicate_firms",
    "load_records",
    "load_requirements",
    "load_suppliers",
    "read_rows",
    "read_table",
]
