"""helpers.describe: the notebooks' descriptive tables, by hand on small series and on fixed
months of the shipped data."""

import numpy as np
import pandas as pd
import pytest

from helpers import describe, figures


def months(values: dict[str, float]) -> pd.Series:
    series = pd.Series(values, dtype=float)
    series.index = pd.PeriodIndex(series.index, freq="M")
    return series.sort_index()


def test_seasonal_profile_by_hand():
    # 12 known months summing to 240 (average 20); February 2025 unknown
    values = {"2024-01": 30, "2025-01": 10, "2025-02": np.nan, "2025-03": 30, "2025-04": 10}
    values |= {f"2025-{m:02d}": 20 for m in range(5, 13)}
    table = describe.seasonal_profile(months(values))
    assert list(table.index) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                 "Sep", "Oct", "Nov", "Dec"]
    assert table.loc["Jan"].tolist() == [20.0, 20.0, 2, 100.0]
    assert table.loc["Mar", "index_vs_average"] == 150.0
    assert table.loc["Apr", "index_vs_average"] == 50.0
    assert table.loc["May", "years"] == 1
    assert table.loc["Feb"].isna().all()  # a month nobody published is not a zero


def test_janfeb_share_only_for_a_complete_year():
    values = {f"2025-{m:02d}": 100 for m in range(3, 13)} | {"2024-03": 80, "2024-04": 120}
    table = describe.janfeb_share(months(values), pd.Series({2024: 200.0, 2025: 300.0}))
    assert table.loc[2025].tolist() == pytest.approx([300, 150, 100, 100 * 300 / 1300])
    assert table.loc[2024, "monthly_average_mar_dec_t"] == 100
    assert table.loc[2024, "share_of_year_pct"] is None or np.isnan(
        table.loc[2024, "share_of_year_pct"])


def test_year_on_year_compares_the_same_month():
    series = months({"2024-01": 100, "2024-02": np.nan, "2024-03": 50, "2025-01": 120,
                     "2025-02": 90, "2025-03": 40})
    # months left out of the index (2024-04..2024-12) must not shift the comparison
    yoy = describe.year_on_year(series)
    assert yoy.loc["2025-01"] == pytest.approx(20.0)
    assert np.isnan(yoy.loc["2025-02"])           # February 2024 unknown
    assert yoy.loc["2025-03"] == pytest.approx(-20.0)
    assert yoy.loc["2024-01":"2024-03"].isna().all()


def test_unit_value_definitions_and_destinations_on_fixed_months():
    data = figures.load()
    # September 2025: USD 59.6 mn for 4,000.3 t
    assert describe.unit_value(figures=data).loc["2025-09", "usd_per_t"] == pytest.approx(
        59_600_000 / 4000.3)
    # December 2025: customs 4,392 t, Bloomberg's products 6,745 t, magnets 5,952 t
    row = describe.definitions(figures=data).loc["2025-12"]
    assert row.tolist() == [4392.0, 6745.0, 5952.0, 6745.0 - 4392.0]
    table = describe.destinations(["World", "Japan", "Atlantis"], start="2025-12", figures=data)
    assert list(table.columns) == ["World", "Japan"]      # a partner with no figure is left out
    assert table.loc["2025-12"].tolist() == [5952.0, 280.0]
    assert table.loc["2026-01"].isna().all()          # the gap stays a row, not dropped
