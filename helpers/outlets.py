"""Outlet ranks (data/reference/outlets.csv): which sources a series prefers among copies.

Rank 0 is GACC itself, 1 a wire service, 2 trade press, 3 any outlet not listed; a figure whose
note marks it a weak source ranks 4 whatever its outlet. An outlet matches a source title or
address case-insensitively, as a whole word where it begins or ends with a letter or digit
("AP" is not found in "Japan").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers import csvfile, paths
from helpers.errors import DataError

COLUMNS = ["outlet", "kind", "rank", "note"]
RANKS = {"official": 0, "wire": 1, "press": 2, "other": 3}
UNLISTED, WEAK = RANKS["other"], 4


def load(path: str | Path = paths.OUTLETS) -> pd.DataFrame:
    """The validated outlet table, with `rank` as an integer matching its `kind`."""
    path = Path(path)
    table = csvfile.read_table(path, COLUMNS)
    seen: dict[str, int] = {}
    for line, (outlet, kind, rank, _) in table.iterrows():
        if not outlet.strip():
            raise DataError(path, line, "the outlet is empty", column="outlet")
        if outlet.casefold() in seen:
            raise DataError(path, line, f"outlet {outlet!r} repeats line "
                            f"{seen[outlet.casefold()]}", column="outlet")
        seen[outlet.casefold()] = line
        if kind not in RANKS:
            raise DataError(path, line, f"{kind!r} is not one of {list(RANKS)}", column="kind")
        if rank != str(RANKS[kind]):
            raise DataError(path, line, f"a {kind} outlet has rank {RANKS[kind]}, not {rank!r}",
                            column="rank")
    frame = table.reset_index(drop=True)
    frame["rank"] = frame["rank"].astype(int)
    return frame


def _pattern(outlet: str) -> str:
    start = r"(?<![A-Za-z0-9])" if outlet[0].isascii() and outlet[0].isalnum() else ""
    end = r"(?![A-Za-z0-9])" if outlet[-1].isascii() and outlet[-1].isalnum() else ""
    return start + re.escape(outlet) + end


@lru_cache(maxsize=4)
def _matchers(path: Path, mtime: float) -> tuple[tuple[re.Pattern[str], int], ...]:
    table = load(path).sort_values("rank", kind="stable")
    return tuple((re.compile(_pattern(o), re.IGNORECASE), r)
                 for o, r in zip(table["outlet"], table["rank"], strict=True))


def rank(source: str, url: str, note: str = "", path: str | Path = paths.OUTLETS) -> int:
    """The best rank of an outlet named in the source title or address; 4 if marked weak."""
    if "weak source" in note:
        return WEAK
    path = Path(path)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise DataError(path, None, "file not found") from None
    return _rank(source, url, path, mtime)


@lru_cache(maxsize=8192)
def _rank(source: str, url: str, path: Path, mtime: float) -> int:
    """`rank` of an unweak figure, cached: every series of a brief ranks the same sources."""
    for pattern, value in _matchers(path, mtime):
        if pattern.search(source) or pattern.search(url):
            return value
    return UNLISTED
