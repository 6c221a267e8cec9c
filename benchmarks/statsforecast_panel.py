"""statsforecast AutoETS / AutoARIMA on the benchmark panel, for benchmarks/models.py.

Runs in benchmarks/.venv (statsforecast needs pandas < 3). Reads the panel (.npz: `values`, one
row per series), fits the model on the log of each series up to every origin (expanding window,
the same origins as helpers.evaluate), and writes one .npz with the forecasts (back-transformed:
exp of the log mean and log quantiles) and the seconds each series took.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import statsforecast
from statsforecast.models import AutoARIMA, AutoETS

MODELS = {"AutoETS": AutoETS, "AutoARIMA": AutoARIMA}
COLUMNS = ("mean", "lo-80", "hi-80", "lo-95", "hi-95")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("panel")
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("output")
    parser.add_argument("--series", type=int, nargs="+", required=True, help="row numbers")
    parser.add_argument("--origins", type=int, nargs="+", required=True, help="0-based positions")
    parser.add_argument("--horizon", type=int, required=True, help="longest horizon")
    args = parser.parse_args()
    values = np.load(args.panel)["values"]
    # forecasts[series, origin, step, column]
    forecasts = np.full((len(args.series), len(args.origins), args.horizon, len(COLUMNS)), np.nan)
    seconds = np.empty(len(args.series))
    for i, row in enumerate(args.series):
        log = np.log(values[row])
        start = time.perf_counter()
        for j, origin in enumerate(args.origins):
            model = MODELS[args.model](season_length=12)
            out = model.forecast(y=log[:origin + 1], h=args.horizon, level=[80, 95])
            forecasts[i, j] = np.exp(np.column_stack([out[c] for c in COLUMNS]))
        seconds[i] = time.perf_counter() - start
    np.savez(args.output, forecasts=forecasts, seconds=seconds, series=np.array(args.series),
             version=statsforecast.__version__)


if __name__ == "__main__":
    main()
