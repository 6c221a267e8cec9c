"""The package's one Markdown table writer (COVERAGE.md, the brief)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd


def table(header: Sequence[str], rows: Iterable[Sequence[object]],
          align: Sequence[str] | None = None) -> str:
    """A Markdown table; `align` has one of 'l' or 'r' per column (default: the first left,
    the others right). Cells are written as given: escape data text before."""
    align = align or ["l", *["r"] * (len(header) - 1)]
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
    lines = ["| " + " | ".join(header) + " |", rule]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def frame_table(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table, the index first, every column left-aligned."""
    header = [frame.index.name or "", *map(str, frame.columns)]
    rows = ([index, *row] for index, row in zip(frame.index, frame.to_numpy().tolist(),
                                                  strict=True))
    return table(header, rows, ["l"] * len(header))
