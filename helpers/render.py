"""Render the monthly brief: papermill → executed notebook → HTML without code (→ PDF).

Each render happens in a temporary folder beside `reports/YYYY-MM/` and replaces it only when
every step succeeded; a failed run keeps its executed notebook in `reports/YYYY-MM.failed/`
for inspection and leaves the last good brief untouched.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from helpers import figures, notebooks, paths, releases, series

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 600


@dataclass
class Result:
    """What one render produced, or why it failed."""

    month: str
    ok: bool
    folder: Path
    message: str


def _is_figures_file(path: Path) -> bool:
    if not path.is_file():
        raise figures.DataError(path, None, "file not found")
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = next(csv.reader(handle), [])
    return header == figures.COLUMNS


def prepare_data(files: list[str | Path], folder: Path) -> list[Path]:
    """Figures files as given; GACC or Comtrade downloads converted to figures (HS 85051110
    magnets, exports) into `folder/inputs/`, so the brief records what it read."""
    from helpers import customs

    out = []
    for number, name in enumerate(files, start=1):
        path = Path(name).resolve()
        if not path.exists():
            raise figures.DataError(path, None, "file not found")
        if _is_figures_file(path):
            figures.load(path)
            out.append(path)
            continue
        try:
            frame = customs.read_gacc(path, flow="export")
        except figures.DataError as gacc_error:
            try:
                frame = customs.read_comtrade(path)
            except figures.DataError as comtrade_error:
                if gacc_error.line == 1 and comtrade_error.line == 1:
                    raise figures.DataError(path, 1, "header is neither the figures schema "
                                            f"({','.join(figures.COLUMNS)}), a GACC database "
                                            "download nor a UN Comtrade CSV") from None
                # the reader that recognised the header got further: its error is the useful one
                raise max(gacc_error, comtrade_error, key=lambda e: e.line or 0) from None
        rows = customs.to_figures(frame, product="magnets", published=date.today().isoformat())
        (folder / "inputs").mkdir(exist_ok=True)
        converted = folder / "inputs" / f"{number:02d}-{path.stem}.figures.csv"
        rows.to_csv(converted, index=False, lineterminator="\n")
        out.append(converted)
    return out


def find_chromium() -> str | None:
    """Debian's chromium (or another Chrome) on PATH, if any."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_html(notebook: Path, html: Path) -> None:
    """Self-contained HTML without code cells or prompts, images embedded, nothing fetched."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="brief",
                            extra_template_basedirs=[str(Path(__file__).parent / "templates")],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    html.write_text(body, encoding="utf-8")


def to_pdf(html: Path, pdf: Path, chromium: str) -> None:
    """Print the HTML to PDF with headless Chromium (no sandbox as root, no network)."""
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--disable-quic", f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"chromium could not print the PDF: {done.stderr.strip()[-300:]}")


def _failed_cell(notebook: Path) -> str:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    added = {"injected-parameters", "papermill-error-cell-tag"}
    template_cells = [c for c in nb.cells if not added & set(c.metadata.get("tags", []))]
    for number, cell in enumerate(template_cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return (f"cell {number} of the template ({output['ename']}: "
                        f"{output['evalue'][:200]})")
    return "an unknown cell"


def render(month: str | None = None, out: Path = paths.REPORTS, pdf: bool = True,
           data_files: list[str | Path] | None = None, progress: bool | None = None,
           template: Path = paths.BRIEF_TEMPLATE) -> Result:
    """Render one month's brief into out/YYYY-MM/, atomically. MonthError if the month is bad."""
    import papermill

    data = figures.load_all([f for f in data_files or [] if _is_figures_file(Path(f))])
    period = releases.check_month(month, *_available(data))
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    final, failed = out / str(period), out / f"{period}.failed"
    work = Path(tempfile.mkdtemp(prefix=f".{period}-", dir=out))
    notebook = work / "brief.ipynb"
    try:
        inputs = [str(p) for p in prepare_data(data_files or [], work)]
        try:
            papermill.execute_notebook(
                str(template), str(notebook), kernel_name="python3", cwd=str(work),
                parameters={"month": str(period), "data_files": inputs, "out_dir": str(work)},
                progress_bar=sys.stderr.isatty() if progress is None else progress,
                execution_timeout=TIMEOUT_S, log_output=False,
                # the kernel's own log (a warning about TCP at each start) is not the brief's
                extra_arguments=notebooks.KERNEL_ARGS)
        except papermill.PapermillExecutionError:
            shutil.rmtree(failed, ignore_errors=True)
            failed.mkdir()
            shutil.copy2(notebook, failed / "brief.ipynb")
            return Result(str(period), False, failed,
                          f"brief for {period} failed at {_failed_cell(notebook)}; the executed "
                          f"notebook is in {failed}; the last good brief is untouched")
        to_html(notebook, work / "brief.html")
        note = ""
        chromium = find_chromium() if pdf else None
        if chromium:
            to_pdf(work / "brief.html", work / "brief.pdf", chromium)
        elif pdf:
            note = (" (no PDF: install Debian's chromium, `apt-get install chromium`, or print "
                    "brief.html from a browser)")
        _replace(work, final)
        shutil.rmtree(failed, ignore_errors=True)
        return Result(str(period), True, final, f"wrote {final}{note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def headline(folder: Path) -> str:
    """One line from a rendered brief's metrics.json: the figure and its changes."""
    m = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))

    def pct(key: str, what: str) -> str:
        return f"{m[key]:+.1f}% {what}" if m[key] is not None else f"{what} not comparable"

    forecast = m["forecast"]["mean"]
    expected = (f"; forecast {forecast:,.0f} t, percentile {m['surprise_pct']:.1f}"
                + (" (outside the 95% interval)" if m["flag"] else "")
                if forecast is not None else "")
    return (f"{m['period']}: {m['quantity_t']:,.1f} t ({pct('mom_pct', 'm/m')}, "
            f"{pct('yoy_pct', 'y/y')}){expected}")


def _replace(new: Path, final: Path) -> None:
    """Move the finished folder into place; the old brief is removed only after the move."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    new.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _render_quiet(month: str, out: str, pdf: bool) -> Result:
    logging.disable(logging.WARNING)
    return render(month, Path(out), pdf=pdf, progress=False)


def _available(data: pd.DataFrame) -> tuple[list[pd.Period], set[int]]:
    """Months a brief can be made for, and the years whose January comes with February."""
    built = series.build(figures=data)
    return releases.available_months(built), set(built.janfeb.index)


def render_range(start: str, end: str, out: Path = paths.REPORTS, pdf: bool = True,
                 workers: int = 2) -> tuple[list[Result], list[pd.Period]]:
    """Backfill: every available month from start to end, on `workers` processes, one bar.
    Returns the results and the months of the range without a figure (skipped)."""
    from tqdm import tqdm

    chosen, skipped = releases.in_range(start, end, _available(figures.load())[0])
    months = [str(m) for m in chosen]
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        jobs = [pool.submit(_render_quiet, m, str(out), pdf) for m in months]
        for job in tqdm(as_completed(jobs), total=len(jobs), desc="briefs", unit="brief",
                        disable=not sys.stderr.isatty()):
            results.append(job.result())
    return sorted(results, key=lambda r: r.month), skipped
