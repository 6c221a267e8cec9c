"""Small reference tables (events, outlets): read a CSV with a fixed header, or fail clearly."""

from __future__ import annotations

import csv
from pathlib import Path

from helpers.errors import DataError


def read(path: Path, columns: list[str]) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each data row; a missing file, another header or a ragged
    line is a DataError naming the file and the line."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise DataError(path, None, "file not found") from None
    if not rows or rows[0] != columns:
        raise DataError(path, 1, f"expected the header {','.join(columns)}")
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(columns):
            raise DataError(path, line, f"{len(row)} fields; expected {len(columns)}")
    return list(enumerate(rows[1:], start=2))
