"""Validation of figures files: every problem names the file, the line and the column."""

import pandas as pd
import pytest

from helpers import DataError, figures
from conftest import COLUMNS, figure


def test_valid_file_loads_indexed_by_figure_id(write_figures):
    rows = [figure("2025-01", "2025-01", 100), figure("2025-02", "2025-02", 7.5)]
    frame = figures.load(write_figures(rows))
    # sha256("https://example.org/a|export|rare_earths|World|quantity_t|2025-02|2025-02|7.5")
    assert list(frame.index) == [figures.figure_id(r) for r in rows]
    assert frame.index[1] == "f6d656ad4c3f"
    assert frame.loc["f6d656ad4c3f", "value"] == 7.5


def test_id_depends_on_what_the_figure_is_not_on_its_line(write_figures):
    one = figure("2025-02", "2025-02", 7.5)
    before = figures.load(write_figures([one])).index[0]
    after = figures.load(write_figures([figure("2024-12", "2024-12", 1), one],
                                       name="more.csv"))
    assert after.index[1] == before
    assert figures.figure_id({**one, "value": "7.50"}) == before  # the same number
    assert figures.figure_id({**one, "value": "7.6"}) != before


def test_a_wrong_id_names_the_line(write_figures, tmp_path):
    rows = figures.with_ids(pd.DataFrame([figure("2025-01", "2025-01", 100)]))
    rows.loc[0, "value"] = "101"  # edited by hand, id kept
    path = tmp_path / "edited.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"edited.csv:2: column 'id': .* is not the figure's id"):
        figures.load(path)


def test_an_exact_copy_given_again_is_the_same_figure(write_figures):
    shipped = write_figures([figure("2025-01", "2025-01", 100)])
    extra = write_figures([figure("2025-01", "2025-01", 100),
                           figure("2025-01", "2025-01", 120, url="https://example.org/b")],
                          name="extra.csv")
    both = figures.load_all([extra], base=shipped)
    assert sorted(both["value"]) == [100, 120]


@pytest.mark.parametrize("field, bad, column", [
    ("product", "magnet", "product"),
    ("partner", "USA", "partner"),
    ("measure", "tonnes", "measure"),
    ("start", "2025-13", "start"),
    ("value", "1,234", "value"),
    ("url", "", "url"),
    ("published", "last week", "published"),
])
def test_bad_field_names_file_line_and_column(write_figures, field, bad, column):
    rows = [figure("2025-01", "2025-01", 100), figure("2025-02", "2025-02", 100)]
    rows[1][field] = bad
    path = write_figures(rows, name="bad.csv")
    with pytest.raises(DataError) as err:
        figures.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}:3: column '{column}'")  # the full path outside the project
    assert err.value.line == 3


def test_negative_value(write_figures):
    path = write_figures([figure("2025-01", "2025-01", -5)])
    with pytest.raises(DataError, match=r"figures.csv:2: column 'value': .*negative"):
        figures.load(path)


def test_start_after_end(write_figures):
    path = write_figures([figure("2025-05", "2025-03", 5)])
    with pytest.raises(DataError, match=r":2: column 'start': start 2025-05 is after end"):
        figures.load(path)


def test_unit_must_match_measure(write_figures):
    path = write_figures([figure("2025-05", "2025-05", 5, measure="value_usd",
                                 as_published="5 t")])
    with pytest.raises(DataError, match=r":2: column 'as_published'.*value_usd"):
        figures.load(path)


def test_ragged_line_and_wrong_header(write_figures, tmp_path):
    path = write_figures([["export", "rare_earths"]])
    with pytest.raises(DataError, match=r"figures.csv:2: 2 fields; expected 12"):
        figures.load(path)
    path = write_figures([], name="h.csv", header=["flow", "product"])
    with pytest.raises(DataError, match=r"h.csv:1: header"):
        figures.load(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match=r"empty.csv:1: empty file"):
        figures.load(empty)


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


@pytest.mark.parametrize("start, end, published, ok", [
    ("2025-06", "2025-06", "2025-06", False),     # June data dated June: impossible
    ("2025-06", "2025-06", "2025-06-30", False),
    ("2025-06", "2025-06", "2025-07", True),
    ("2025-06", "2025-06", "2025-07-01", True),
    ("2025-01", "2025-12", "2025", False),        # a year's total dated that same year
    ("2025-01", "2025-03", "2025", True),         # could be any later month of 2025
    ("2025-01", "2025-12", "2024-12-31", False),  # before the period even ends
])
def test_published_after_the_period(write_figures, start, end, published, ok):
    path = write_figures([figure(start, end, 5, published=published)])
    if ok:
        assert len(figures.load(path)) == 1
    else:
        with pytest.raises(DataError, match=r":2: column 'published': published .* not after"):
            figures.load(path)


def test_an_impossible_publication_day_is_a_data_error(write_figures):
    path = write_figures([figure("2025-01", "2025-01", 5, published="2025-02-30")])
    with pytest.raises(DataError, match=r":2: column 'published': '2025-02-30' is not a real"):
        figures.load(path)


def test_a_unit_glued_to_korean_text_is_a_unit():
    assert figures.UNIT_WORDS["quantity_t"].search("5월엔 1,238t까지 내려앉았다가")


@pytest.mark.parametrize("field, bad, message", [
    ("published", "2099-01-14", "is in the future"),
    ("published", "2026-02-30", "is not a real date"),
    ("start", "1989-01", "expected months from 1990"),
    ("end", "2099-01", "expected months from 1990 to the last complete month"),
    ("url", "https://]]]", "is not a web address with a host"),
])
def test_absurd_dates_periods_and_addresses(write_figures, field, bad, message):
    row = figure("2025-01", "2025-01", 100)
    row[field] = bad
    if field in ("start", "end"):
        row["start"] = row["end"] = bad
    column = "start" if field == "end" else field
    with pytest.raises(DataError, match=f":2: column '{column}': .*{message}"):
        figures.load(write_figures([row]))


def test_a_figure_given_twice_in_one_file_names_both_lines(write_figures):
    rows = [figure("2025-01", "2025-01", 100), figure("2025-02", "2025-02", 90),
            figure("2025-01", "2025-01", 100)]
    with pytest.raises(DataError, match=r"figures.csv:4: the same figure as line 2"):
        figures.load(write_figures(rows))


def test_the_first_of_several_bad_rows_is_named_and_the_rest_counted(write_figures):
    rows = [figure("2025-01", "2025-01", 100), figure("2025-02", "2025-02", 100),
            figure("2025-03", "2025-03", 100), figure("2025-04", "2025-04", 100)]
    rows[1]["partner"] = rows[3]["partner"] = "USA"
    with pytest.raises(DataError, match=r"figures.csv:3: column 'partner': 'USA' is not .*"
                                        r"\(1 more problems\)$"):
        figures.load(write_figures(rows))


@pytest.mark.parametrize("start, end, as_published, column, message", [
    ("2024-12", "2025-01", None, "end", "spans two years"),
    ("2025-01", "2025-01", "=SUM(A1) t", "as_published", "starts like a spreadsheet formula"),
    ("2025-01", "2025-01", "@cmd 100 t", "as_published", "starts like a spreadsheet formula"),
])
def test_cross_column_rules(write_figures, start, end, as_published, column, message):
    path = write_figures([figure(start, end, 100, as_published=as_published)])
    with pytest.raises(DataError, match=f":2: column '{column}': .*{message}"):
        figures.load(path)


def test_the_first_year_allowed_loads(write_figures):
    frame = figures.load(write_figures([figure(f"{figures.FIRST_YEAR}-01",
                                               f"{figures.FIRST_YEAR}-01", 1,
                                               published=f"{figures.FIRST_YEAR}-02")]))
    assert frame["start"].tolist() == [f"{figures.FIRST_YEAR}-01"]


def test_undecodable_bytes_and_a_broken_quote_name_their_line(tmp_path):
    header = (",".join(COLUMNS) + "\n").encode()
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(header + b"x,y\n\xff\xfe,z\n")
    with pytest.raises(DataError, match=r"garbled.csv:3: undecodable bytes"):
        figures.load(garbled)
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(header + b'a,"b"c,d\n')
    with pytest.raises(DataError, match=r"quoted.csv:2: truncated or malformed line"):
        figures.load(quoted)
