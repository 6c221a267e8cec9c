"""Benchmark of helpers.screen on a synthetic panel; writes the screen section of RESULTS.md.

10,000 monthly series x 120 months (the panel of ``benchmarks/models.py`` with a fixed seed),
10% of the months missing at random and 5% of the series starting in the last 20 months (too
short to judge). Times one `screen` call (every series' value, changes, shares and rank-based
surprise) on one core, median of --runs runs; with --sf-python, also statsforecast doing the
model part of the same job (SeasonalNaive and WindowAverage one-month-ahead cross-validation
over the same past months) in benchmarks/.venv.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from models import ONE_THREAD, _machine, panel, write_section  # benchmarks/models.py

from helpers import evaluate, markdown, screen

HERE = Path(__file__).resolve().parent
N_SERIES, LENGTH, SEED = 10_000, 120, 20261201


def synthetic() -> pd.DataFrame:
    """The benchmark panel as a months x series frame, with gaps and short series."""
    values = panel(N_SERIES, LENGTH, SEED).T
    rng = np.random.default_rng(SEED)
    values[rng.random(values.shape) < 0.1] = np.nan
    short = rng.random(N_SERIES) < 0.05
    values[:LENGTH - 20, short] = np.nan
    index = pd.period_range("2016-01", periods=LENGTH, freq="M")
    return pd.DataFrame(values, index=index, columns=[f"s{i}" for i in range(N_SERIES)])


def run_statsforecast(frame: pd.DataFrame, sf_python: str, runs: int) -> tuple[list[float], str]:
    """Seconds for statsforecast's cross-validation on the same panel (benchmarks/.venv)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel.npz"
        out = Path(tmp) / "out.npz"
        np.savez(path, values=frame.to_numpy().T)
        cmd = [sf_python, str(HERE / "statsforecast_screen.py"), str(path), str(out),
               "--windows", str(evaluate.WINDOW), "--runs", str(runs)]
        subprocess.run(cmd, check=True, env={**os.environ, **ONE_THREAD})
        data = np.load(out)
        return data["seconds"].tolist(), str(data["version"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sf-python", help="python of benchmarks/.venv (statsforecast)")
    args = parser.parse_args()
    frame = synthetic()
    load = os.getloadavg()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = screen.screen(frame)
        times.append(time.perf_counter() - start)
    rows = {"helpers.screen.screen (whole screen)": {
        "median s": f"{np.median(times):.2f}", "runs (s)": ", ".join(f"{t:.2f}" for t in times)}}
    sf = "statsforecast not run (benchmarks/.venv)"
    if args.sf_python:
        sf_times, version = run_statsforecast(frame, args.sf_python, args.runs)
        sf = f"statsforecast {version}"
        rows[f"statsforecast {version} cross_validation (forecasts only)"] = {
            "median s": f"{np.median(sf_times):.2f}",
            "runs (s)": ", ".join(f"{t:.2f}" for t in sf_times)}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("what")
    judged = out["judged"]
    text = f"""## Screen of a panel

Written by `benchmarks/screen.py` on {time.strftime('%Y-%m-%d')}; {_machine()}; {sf}.
{N_SERIES:,} synthetic series x {LENGTH} months (seed {SEED}; 10% of months missing at random,
5% of series starting in the last 20 months), one process, one core, {args.runs} runs; load
average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. The screen
gives every series' latest value, m/m, y/y, share and its change, and the default model's
rank-based surprise among its last {evaluate.WINDOW} one-month errors; {judged.mean():.1%} of the
series were judged, the rest are kept and marked ({(~judged).sum():,}). statsforecast, where run,
does only the forecasting part: one-month-ahead cross-validation of SeasonalNaive(12) and
WindowAverage(12) over the last {evaluate.WINDOW} months of every series (it cannot skip missing
months, so they are filled forward in its copy), without the ranking.

{markdown.frame_table(table)}
"""
    write_section(text, "screen")
    print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
