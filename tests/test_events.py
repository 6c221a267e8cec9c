"""The policy timeline: every field validated, kinds that say what an event is."""

import pandas as pd
import pytest

from helpers import events
from helpers.errors import DataError

HEADER = ",".join(events.COLUMNS)
TAIL = ",rare-earth exports,all"  # about, partners
GOOD = "a-measure,2025-10-09,2025-11-08,measure,T,D,https://e.org/a,S,," + TAIL


def write(tmp_path, *lines):
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_dates_load_as_datetimes_with_nat_for_no_effective_date(tmp_path):
    path = write(tmp_path, GOOD, "b-lift,2025-11,,relaxation,T,D,http://e.org/b,S,"
                 "https://e.org/c | https://e.org/d,a-measure" + TAIL)
    frame = events.load(path)
    assert frame["date"].tolist() == [pd.Timestamp("2025-10-09"), pd.Timestamp("2025-11-01")]
    assert frame["effective"].iloc[0] == pd.Timestamp("2025-11-08")
    assert pd.isna(frame["effective"].iloc[1])
    assert frame["precision"].tolist() == ["day", "month"]



def test_a_year_date_loads_first_and_the_frame_keeps_its_columns(tmp_path):
    path = write(tmp_path, GOOD, "c-year,2024,,other,T,D,https://e.org/e,S,," + TAIL)
    frame = events.load(path)
    assert frame["id"].tolist() == ["c-year", "a-measure"]  # sorted by date
    assert frame["date"].iloc[0] == pd.Timestamp("2024-01-01")
    assert frame["precision"].tolist() == ["year", "day"]
    assert frame.columns.tolist() == [*events.COLUMNS, "precision"]
    assert frame.index.tolist() == [0, 1]


@pytest.mark.parametrize("line, column, message", [
    ("x,2025-02-30,,measure,T,D,https://e.org,S,," + TAIL, "date", "not a real date"),
    ("x,2025-13,,measure,T,D,https://e.org,S,," + TAIL, "date", "not a real date"),
    ("x,2025-10-09,2025-10-01,measure,T,D,https://e.org,S,," + TAIL, "effective", "before it was"),
    ("x,2025-10-09,2025-10-09,measure,T,D,https://e.org,S,," + TAIL, "effective", "leave it empty"),
    ("x,2025-10-09,,control,T,D,https://e.org,S,," + TAIL, "kind", "not one of"),
    ("x,2025-10-09,,measure,T,D,github:owner/repo docs/a.md,S,," + TAIL, "url", "http"),
    ("x,2025-10-09,,measure,T,D,https://e.org,S,github:o/r a.md," + TAIL, "also", "http"),
    ("x,2025-10-09,,measure,T,D,https://e.org,,," + TAIL, "source", "source"),
    ("x,2025-10-09,,relaxation,T,D,https://e.org,S,,no-such-event" + TAIL, "ends", "no event id"),
    ("x,2025-10-09,,talks,T,D,https://e.org,S,,a-measure" + TAIL, "ends", "only a relaxation"),
    ("a-measure,2025-10-10,,talks,T,D,https://e.org,S,," + TAIL, "id", "repeats line 2"),
    ("x,2025-10-09,,measure,T,D,https://e.org,S,,,gallium,all", "about", "not one of"),
    ("x,2025-10-09,,measure,T,D,https://e.org,S,,,other goods,", "partners", "neither"),
    ("x,2025-10-09,,measure,T,D,https://e.org,S,,,other goods,all | Japan", "partners", "neither"),
    ("x,2025-10-09,,measure,T,D,https://e.org,S,,,other goods,Japan | ", "partners", "neither"),
])
def test_a_bad_field_names_line_and_column(tmp_path, line, column, message):
    with pytest.raises(DataError, match=message) as err:
        events.load(write(tmp_path, GOOD, line))
    assert err.value.line == 3 and err.value.column == column


def test_a_missing_file_is_one_line_error(tmp_path):
    with pytest.raises(DataError, match="file not found") as err:
        events.load(tmp_path / "none.csv")
    assert err.value.__cause__ is None and "\n" not in str(err.value)


def test_pick_range_covers_the_effective_date_and_rejects_unknown_kinds():
    timeline = events.load()
    # announced 2024-06-29, in force 2024-10-01: inside an October-December window
    late = events.pick(timeline, start="2024-10-01", end="2024-12")
    assert "2024-10-regulations" in set(late["id"])
    with pytest.raises(ValueError, match="unknown event kinds"):
        events.pick(timeline, kinds=["control"])


def test_pick_by_goods_leaves_out_controls_on_other_goods_only():
    mid_2023 = events.pick(timeline := events.load(), start="2023-07-01", end="2023-12")
    assert list(mid_2023["id"]) == ["2023-07-gallium-germanium", "2023-10-graphite",
                                    "2023-11-reporting", "2023-12-technology-ban"]
    on = events.pick(timeline, start="2023-07-01", end="2023-12", about=events.ON_RARE_EARTHS)
    assert list(on["id"]) == ["2023-11-reporting", "2023-12-technology-ban"]
    with pytest.raises(ValueError, match="unknown event subjects"):
        events.pick(timeline, about=["gallium"])


def test_shipped_timeline_dates_kinds_and_sources():
    timeline = events.load().set_index("id")
    regulations = timeline.loc["2024-10-regulations"]
    assert regulations["date"] == pd.Timestamp("2024-06-29")
    assert regulations["effective"] == pd.Timestamp("2024-10-01")
    assert timeline.loc["2025-11-suspension", "ends"] == "2025-10-expansion"
    assert timeline.loc["2026-01-japan-restrictions", "kind"] == "informal"
    for event in ("2024-12-us-ban", "2025-02-minor-metals", "2026-02-japan-entities"):
        assert not any(host in timeline.loc[event, "url"] for host in ("github", "cryptogon"))


def test_pick_by_id_or_by_the_month_announced_or_in_force(tmp_path):
    # a-measure: announced 2025-10-09, in force 2025-11-08; b-lift: announced 2025-12-02
    timeline = events.load(write(tmp_path, GOOD, "b-lift,2025-12-02,,relaxation,T,D,"
                                 "https://e.org/b,S,,a-measure" + TAIL))

    def ids(*args, **kwargs):
        return list(events.pick(timeline, *args, **kwargs)["id"])

    assert ids(["b-lift"]) == ["b-lift"]
    assert ids(["2025-11"]) == ["a-measure"]  # in force that month
    assert ids(["2025-10-09"]) == ["a-measure"]
    assert ids(["2025-12", "a-measure"]) == ["a-measure", "b-lift"]
    with pytest.raises(DataError, match="no event with id or date '2025-09'"):
        events.pick(timeline, ["2025-09"])
    # a range open on one side
    assert ids(start="2025-12-01") == ["b-lift"]
    assert ids(end="2025-10") == ["a-measure"]
