"""Benchmarks of helpers.models and helpers.evaluate; writes the models section of RESULTS.md.

1. Wall time of the full backtest (every model, default horizons and origins) on every shipped
   series (``helpers.coverage.SERIES`` through ``helpers.series.monthly``), with the headline
   series' backtest table and ranking.
2. A synthetic panel (500 monthly series x 120 points, fixed seed): seconds per series for each of
   our models and for statsforecast AutoETS / AutoARIMA (run by statsforecast_panel.py in
   benchmarks/.venv, since statsforecast needs pandas < 3) on the same series and origins, all
   scored by ``helpers.evaluate.score``.

Times are medians over --runs runs. Run with `make bench`, or
``.venv/bin/python benchmarks/models.py --sf-python benchmarks/.venv/bin/python``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core per worker process, ours and statsforecast's

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels  # noqa: E402

from helpers import coverage, evaluate, models, series  # noqa: E402
from helpers.errors import DataError  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- models:start -->", "<!-- models:end -->"
SEED = 20260301
N_SERIES, LENGTH, N_ORIGINS = 500, 120, 12
EXTERNAL = ("AutoETS", "AutoARIMA")
# series per model (the first N of the panel); the others run on the whole panel
SUBSAMPLE = {"ets": 50, "sarima": 50, "combo": 50, "AutoETS": 50, "AutoARIMA": 16}


def panel(n: int = N_SERIES, length: int = LENGTH, seed: int = SEED) -> np.ndarray:
    """Positive monthly series: exp(base + random-walk level + seasonal wave + AR(1) noise),
    each series with its own amplitude, phase, persistence and noise level."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    base = rng.uniform(5, 9, (n, 1))
    level = np.cumsum(rng.normal(0, 0.02, (n, length)), axis=1)
    wave = rng.uniform(0.05, 0.3, (n, 1)) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6.3, (n, 1)))
    phi, sd = rng.uniform(0.2, 0.7, n), rng.uniform(0.05, 0.15, n)
    shocks = rng.normal(0, 1, (n, length)) * sd[:, None]
    noise = np.zeros((n, length))
    for k in range(1, length):
        noise[:, k] = phi * noise[:, k - 1] + shocks[:, k]
    return np.exp(base + level + wave + noise)


def as_series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.period_range("2016-01", periods=len(values), freq="M"))


def _ours(task: tuple[str, np.ndarray, list[int]]) -> tuple[list[float], pd.DataFrame]:
    """Backtest one of our models on some panel rows, timing each series."""
    model, values, rows = task
    seconds, frames = [], []
    for row in rows:
        start = time.perf_counter()
        frame = evaluate.forecasts(as_series(values[row]), [model], evaluate.HORIZONS, N_ORIGINS)
        seconds.append(time.perf_counter() - start)
        frames.append(frame.assign(series=row))
    return seconds, pd.concat(frames, ignore_index=True)


def _external(model: str, values: np.ndarray, chunks: list[list[int]], sf_python: str,
              workdir: Path) -> tuple[list[float], pd.DataFrame, str]:
    """Backtest a statsforecast model in the benchmark venv, one process per chunk of rows."""
    first = as_series(values[0])
    origins = evaluate.origins(first, N_ORIGINS)
    positions = [(o - first.index[0]).n for o in origins]
    horizon = max(evaluate.HORIZONS)
    procs = []
    for i, rows in enumerate(chunks):
        out = workdir / f"{model}-{i}.npz"
        cmd = [sf_python, str(HERE / "statsforecast_panel.py"), str(workdir / "panel.npz"), model,
               str(out), "--series", *map(str, rows), "--origins", *map(str, positions),
               "--horizon", str(horizon)]
        procs.append((subprocess.Popen(cmd), out))
    seconds, frames, version = [], [], ""
    for proc, out in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"{model} failed in the benchmark venv (exit {proc.returncode})")
        data = np.load(out)
        seconds.extend(data["seconds"].tolist())
        version = str(data["version"])
        for fc, row in zip(data["forecasts"], data["series"]):
            frames.append(_rows(model, as_series(values[row]), origins, fc).assign(series=row))
    return seconds, pd.concat(frames, ignore_index=True), version


def _rows(model: str, y: pd.Series, origins: pd.PeriodIndex, fc: np.ndarray) -> pd.DataFrame:
    """External forecasts [origin, step, mean/lo80/hi80/lo95/hi95] as `evaluate.forecasts` rows."""
    rows = []
    for j, origin in enumerate(origins):
        scale = evaluate.scale(y.loc[:origin])
        for h in evaluate.HORIZONS:
            if origin + h in y.index:
                rows.append({"model": model, "used": model, "origin": origin, "horizon": h,
                             "target": origin + h, "actual": y[origin + h],
                             **dict(zip(["mean", "lo80", "hi80", "lo95", "hi95"], fc[j, h - 1])),
                             "scale": scale, "warnings": 0})
    return pd.DataFrame(rows)


def run_panel(runs: int, workers: int, sf_python: str | None, limit: int | None
              ) -> tuple[pd.DataFrame, str]:
    """Time and score every model on the panel; returns the table and statsforecast's version."""
    values = panel()
    names = list(models.MODELS) + (list(EXTERNAL) if sf_python else [])
    timings: dict[str, list[float]] = {name: [] for name in names}
    scored: dict[str, pd.DataFrame] = {}
    version = ""
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, \
            ProcessPoolExecutor(workers, mp_context=context) as pool:
        np.savez(Path(tmp) / "panel.npz", values=values)
        for run in range(runs):
            for name in names:
                n = min(SUBSAMPLE.get(name, N_SERIES), limit or N_SERIES)
                chunks = [list(range(n))[i::workers] for i in range(workers)]
                if name in EXTERNAL:
                    seconds, rows, version = _external(name, values, chunks, sf_python, Path(tmp))
                else:
                    parts = list(pool.map(_ours, [(name, values, c) for c in chunks]))
                    seconds = [s for part in parts for s in part[0]]
                    rows = pd.concat([part[1] for part in parts], ignore_index=True)
                timings[name].append(float(np.mean(seconds)))
                scored.setdefault(name, rows)
                print(f"run {run + 1}/{runs} {name}: {np.mean(seconds):.3f} s per series "
                      f"({n} series)", file=sys.stderr)
    return _panel_table(scored, timings), version


def _panel_table(scored: dict[str, pd.DataFrame], timings: dict[str, list[float]]) -> pd.DataFrame:
    """One row per model: series, seconds per series, MASE per horizon and against seasonal naive
    on the same series, pooled coverage."""
    baseline = scored["seasonal_naive"]
    table = {}
    for name, rows in scored.items():
        same = baseline[baseline["series"].isin(rows["series"].unique())]
        both = rows if name == "seasonal_naive" else pd.concat([rows, same], ignore_index=True)
        ranked = evaluate.rank(evaluate.score(both)).loc[name]
        score = evaluate.score(rows)
        entry = {"library": "statsforecast" if name in EXTERNAL else "helpers",
                 "series": rows["series"].nunique(),
                 "s/series": f"{np.median(timings[name]):.3g}"}
        entry.update({f"MASE h{h}": f"{v:.3f}" for h, v in zip(score["horizon"], score["mase"])})
        entry["vs seasonal naive"] = f"{ranked['vs_baseline']:+.1f}%"
        entry.update({c: f"{ranked[c]:.3f}" for c in ("coverage80", "coverage95")})
        table[name] = entry
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("model")


def run_shipped(runs: int) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """Backtest wall time on every shipped series, and the headline table with its summary."""
    rows, headline, summary = {}, None, ""
    for key in coverage.SERIES:
        y = series.monthly(*key)
        times, table = [], None
        for _ in range(runs):
            start = time.perf_counter()
            try:
                table = evaluate.backtest(y)
            except DataError as err:
                table = str(err)
            times.append(time.perf_counter() - start)
        label = coverage.label(*key)
        row = {"months": len(y), "available": int(y.notna().sum()),
               "wall s": f"{np.median(times):.2f}"}
        if isinstance(table, pd.DataFrame):
            row["1-step forecasts"] = int(table["n"].where(table["horizon"] == 1, 0).max())
            try:
                ranked = evaluate.rank(table)
                row["lowest MASE"] = ranked.index[0] if np.isfinite(ranked["mase"].iloc[0]) else "—"
            except DataError:
                row["lowest MASE"] = "— (no seasonal-naive score)"
        else:
            row.update({"1-step forecasts": 0, "lowest MASE": f"— ({table})"})
        rows[label] = row
        if key == coverage.SERIES[0] and isinstance(table, pd.DataFrame):
            headline, summary = table, evaluate.summary(table)
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("series"), headline, summary


def _headline_tables(table: pd.DataFrame) -> str:
    shown = table.assign(**{c: table[c].map(f"{{:.{d}f}}".format) for c, d in
                            [("mase", 3), ("mase_median", 3), ("smape", 1), ("coverage80", 3),
                             ("coverage95", 3), ("width80", 2)]})
    ranked = evaluate.rank(table)
    ranked = ranked.assign(mase=ranked["mase"].map("{:.3f}".format),
                           vs_baseline=ranked["vs_baseline"].map("{:+.1f}%".format),
                           coverage80=ranked["coverage80"].map("{:.3f}".format),
                           coverage95=ranked["coverage95"].map("{:.3f}".format))
    return coverage.table(shown.set_index("model")) + "\n\nRanked by MASE averaged over horizons:\n\n" + \
        coverage.table(ranked)


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"numpy {np.__version__}, pandas {pd.__version__}, statsmodels {statsmodels.__version__}")


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace the models section of RESULTS.md (between the markers), keeping the rest."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{text.strip()}\n{END}"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + block + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sf-python", help="python of benchmarks/.venv (statsforecast)")
    parser.add_argument("--limit", type=int, help="at most this many panel series per model "
                        "(a quick trial; the written results say so)")
    args = parser.parse_args()
    load = os.getloadavg()
    started = time.perf_counter()
    shipped, headline, summary = run_shipped(args.runs)
    panel_table, sf_version = run_panel(args.runs, args.workers, args.sf_python, args.limit)
    minutes = (time.perf_counter() - started) / 60
    limited = f" **Trial run: at most {args.limit} series per model.**" if args.limit else ""
    sf = f", statsforecast {sf_version}" if sf_version else "; statsforecast not run"
    text = f"""## Models

Written by `benchmarks/models.py` (`make bench`) on {time.strftime('%Y-%m-%d')}.
Machine: {_machine()}{sf}.
Times are medians of {args.runs} runs; the whole benchmark took {minutes:.1f} min with
{args.workers} worker processes of one BLAS thread each. Load average {load[0]:.1f} at the start,
{os.getloadavg()[0]:.1f} at the end: other work on the machine slows every time.{limited}

### Backtest on the headline series

`helpers.evaluate.backtest(helpers.series.monthly())`: every model, {evaluate.N_ORIGINS} rolling
origins (expanding window, the last available months that have a later available month), horizons
{", ".join(map(str, evaluate.HORIZONS))}. MASE is scaled by the in-sample seasonal-naive MAE
(m = 12); width80 is in the same units. {summary}

{_headline_tables(headline) if headline is not None else "Not available."}

### Full backtest on every shipped series

Wall time of `helpers.evaluate.backtest` (all {len(models.MODELS)} models) per series. On sparse
series a model that cannot be fitted at an origin is scored with its fallback's forecast (under
its own name), few forecasts are scored, and "—" means no MASE: no pair of available months a year
apart in the window, or no seasonal-naive score to rank against.

{coverage.table(shipped)}

### Synthetic panel against statsforecast

{N_SERIES} series x {LENGTH} months, seed {SEED}: exp(base + random-walk level + seasonal wave +
AR(1) noise), no gaps. Each model is backtested on the last {N_ORIGINS} origins with horizons
{", ".join(map(str, evaluate.HORIZONS))} (the same origins for every model); s/series is the time
of one series' whole backtest ({N_ORIGINS} fits) on one core. statsforecast models (default
settings, season_length=12) are fitted on the log values and back-transformed like ours. The slow
models run on the first N series of the panel only ({", ".join(f"{k}: {v}" for k, v in
SUBSAMPLE.items())}; AutoARIMA takes about a second per fit); "vs seasonal naive" compares the
mean MASE over horizons with seasonal naive's on the same series.

{coverage.table(panel_table)}
"""
    write_section(text)
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
