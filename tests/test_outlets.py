"""Outlet ranks as data: validated, and matched as whole words."""

import pytest

from helpers import outlets
from helpers.errors import DataError


@pytest.mark.parametrize("source, url, note, expected", [
    ("Exports fall (Reuters via Zawya)", "https://zawya.com/a", "", 1),
    ("GACC database download", "", "", 0),
    ("Monthly table", "http://english.customs.gov.cn/statics/a.html", "", 0),
    ("SMM: magnets in May", "https://news.metal.com/a", "", 2),
    ("新华社：稀土出口", "https://example.cn/a", "", 1),
    ("Japan Times", "https://japantimes.co.jp/a", "", 3),  # "AP" is not in "Japan"
    ("March 2025 stated as reference (YTN)", "https://ytn.co.kr/a", "", 3),  # nor EFE in it
    ("Reuters copy on a forum", "https://forum.example/a", "weak source", 4),
    ("Bloomberg, figures via Reuters", "https://x.example", "", 1),
])
def test_rank_of_shipped_outlets(source, url, note, expected):
    assert outlets.rank(source, url, note) == expected


def test_an_official_address_beats_a_wire_title():
    assert outlets.rank("Reuters", "http://www.customs.gov.cn/a") == 0


@pytest.mark.parametrize("line, column, message", [
    ("AFP,wire,2,x", "rank", "has rank 1"),
    ("Foo,blog,3,x", "kind", "not one of"),
    ("reuters,wire,1,again", "outlet", "repeats line 2"),
    (",other,3,x", "outlet", "empty"),
])
def test_bad_rows_name_line_and_column(tmp_path, line, column, message):
    path = tmp_path / "outlets.csv"
    path.write_text(f"outlet,kind,rank,note\nReuters,wire,1,agency\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        outlets.load(path)
    assert err.value.line == 3 and err.value.column == column


def test_a_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        outlets.rank("Reuters", "", "", path=tmp_path / "none.csv")


def test_a_custom_table_changes_the_rank(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_text("outlet,kind,rank,note\nExample Wire,wire,1,test\n", encoding="utf-8")
    assert outlets.rank("Example Wire: exports", "", "", path=path) == 1
    assert outlets.rank("Reuters", "", "", path=path) == 3
