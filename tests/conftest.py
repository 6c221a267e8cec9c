"""Shared fixtures: small figures files the tests write themselves."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.figures import CONTENT as COLUMNS


def figure(start: str, end: str, value: float, *, product: str = "rare_earths",
           flow: str = "export", partner: str = "World", measure: str = "quantity_t",
           source: str = "Test wire (Reuters)", url: str = "https://example.org/a",
           published: str = "2026-06-01", note: str = "", as_published: str | None = None
           ) -> dict[str, str]:
    """One row of the figures schema with test defaults."""
    unit = {"quantity_t": "t", "value_usd": "USD", "value_cny": "CNY"}[measure]
    return {"flow": flow, "product": product, "partner": partner, "measure": measure,
            "start": start, "end": end, "value": f"{value:g}",
            "as_published": as_published or f"{value:g} {unit}", "source": source, "url": url,
            "published": published, "note": note}


@pytest.fixture
def write_figures(tmp_path: Path):
    """Write rows (dicts, or raw lists of fields) to a figures CSV and return its path."""
    def write(rows: list, name: str = "figures.csv", header: list[str] | None = None) -> Path:
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header or COLUMNS)
            for row in rows:
                writer.writerow([row[c] for c in COLUMNS] if isinstance(row, dict) else row)
        return path
    return write


@pytest.fixture
def project(tmp_path):
    """A copy of the project's code and data, so `add` and `build-data` write there, never to data/."""
    root = tmp_path / "project"
    shutil.copytree(paths.ROOT / "helpers", root / "helpers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(paths.DATA, root / "data")
    return root


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
