"""The release calendar: dates read from GACC's schedules, the rule elsewhere, months due."""

from datetime import date

import pandas as pd
import pytest

from helpers import DataError, releases


@pytest.mark.parametrize("last, today, expected", [
    ("2025-02", date(2025, 4, 13), []),            # 2025 calendar: March data on 14 April
    ("2025-02", date(2025, 4, 14), ["2025-03"]),
    ("2025-03", date(2025, 5, 8), []),             # April data on 9 May, before the rule's 14th
    ("2025-03", date(2025, 5, 9), ["2025-04"]),
    ("2025-12", date(2026, 3, 9), []),             # January comes only with February ...
    ("2025-12", date(2026, 3, 10), ["2026-02"]),   # ... reported out on 10 March 2026
    # no 2026 calendar: the rule (14th) for March..October 2026; November's is not due
    ("2026-02", date(2026, 12, 1), [f"2026-{m:02d}" for m in range(3, 11)]),
])
def test_due(last, today, expected):
    assert [str(m) for m in releases.due(pd.Period(last, "M"), today)] == expected


def test_release_says_how_the_date_is_known():
    assert releases.release("2025-08").date == date(2025, 9, 8)
    assert releases.release("2025-08").how == "calendar"
    assert releases.release("2022-09").date == date(2022, 10, 24)  # postponed, as reported
    rule = releases.release("2026-05", "database")
    assert (rule.date, rule.how) == (date(2026, 6, 30), "rule")
    assert releases.release("2025-01").month == pd.Period("2025-02", "M")
    with pytest.raises(ValueError, match="stage 'final'"):
        releases.release("2025-08", "final")


@pytest.mark.parametrize("month, stage, day", [
    ("2026-03", "preliminary", date(2026, 4, 14)), ("2026-03", "monthly_tables", date(2026, 4, 23)),
])
def test_the_rule_gives_the_latest_day_seen_for_the_stage(month, stage, day):
    rule = releases.release(month, stage)
    assert (rule.date, rule.how) == (day, "rule")
    # no dated release of the stage came later in its month than the rule says, save the one
    # postponed by the party congress: so the rule never calls a release out too early
    calendar = releases.load()
    dated = calendar[(calendar["stage"] == stage)
                     & (calendar["month"] != pd.Period("2022-09", "M"))]
    assert max(d.day for d in dated["date"]) == day.day


def test_behind_text_names_the_missing_span():
    text = releases.behind_text(pd.Period("2026-02", "M"), date(2026, 11, 28))
    assert "GACC has published 2026-03 to 2026-10" in text and "8 releases" in text
    assert releases.behind_text(pd.Period("2026-02", "M"), date(2026, 3, 20)) is None
    one = releases.behind_text(pd.Period("2026-02", "M"), date(2026, 4, 14))
    assert one.startswith("GACC has published 2026-03 since these data end (2026-02): 1 release "
                          "not in")


def test_in_range_lists_the_skipped_months():
    available = [pd.Period(m, "M") for m in ("2026-02", "2026-03")]
    chosen, skipped = releases.in_range("2026-01", "2026-06", available)
    assert [str(m) for m in chosen] == ["2026-02", "2026-03"]
    assert [str(m) for m in skipped] == ["2026-01", "2026-04", "2026-05", "2026-06"]
    assert releases.in_range("2026-02", "2026-02", available) == ([available[0]], [])
    with pytest.raises(releases.MonthError, match="--from 2025-12 is after --to 2025-01"):
        releases.in_range("2025-12", "2025-01", available)


@pytest.mark.parametrize("row, message", [
    ("2025-13,preliminary,2026-01-14,calendar,T,https://x.org,", "'2025-13' is not YYYY-MM"),
    ("2025-03,preliminary,2025-03-30,calendar,T,https://x.org,", "within or before its month"),
    ("2025-03,preliminary,2025-03-31,calendar,T,https://x.org,", "within or before its month"),
    ("2025-03,final,2025-04-14,calendar,T,https://x.org,", "expected a stage"),
    ("2025-03,preliminary,2025-04-14,calendar,T,,", "source title and address"),
])
def test_bad_calendar_row_names_the_line(tmp_path, row, message):
    path = tmp_path / "calendar.csv"
    path.write_text(",".join(releases.COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"calendar.csv:2: .*{message}"):
        releases.load(path)
