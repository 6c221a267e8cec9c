"""statsforecast's share of the screen's job, for benchmarks/screen.py (runs in benchmarks/.venv).

Reads the panel (.npz: `values`, one row per series), keeps the series with at least 72 months
(statsforecast needs enough history for every cross-validation window), fills missing months
forward (statsforecast cannot skip them) and times one-month-ahead cross-validation of
SeasonalNaive(12) and WindowAverage(12) on the log values over the last --windows months.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import statsforecast
from statsforecast import StatsForecast
from statsforecast.models import SeasonalNaive, WindowAverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("panel")
    parser.add_argument("output")
    parser.add_argument("--windows", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    values = np.load(args.panel)["values"]
    keep = np.isfinite(values).sum(axis=1) >= 72
    log = pd.DataFrame(np.log(values[keep])).T.ffill().bfill()
    n, length = log.shape[1], log.shape[0]
    df = pd.DataFrame({"unique_id": np.repeat(np.arange(n), length),
                       "ds": np.tile(np.arange(length), n),
                       "y": log.to_numpy().T.ravel()})
    seconds = []
    for _ in range(args.runs):
        start = time.perf_counter()
        sf = StatsForecast(models=[SeasonalNaive(12), WindowAverage(12)], freq=1, n_jobs=1)
        sf.cross_validation(df=df, h=1, n_windows=args.windows, step_size=1)
        seconds.append(time.perf_counter() - start)
    np.savez(args.output, seconds=np.array(seconds), version=statsforecast.__version__)


if __name__ == "__main__":
    main()
