"""How long one monthly brief takes against its floor, written to benchmarks/RESULTS.md.

The floor is what any papermill brief costs: papermill running a notebook that only imports the
same libraries, then the same nbconvert HTML export. The brief's own work (building series,
fitting the forecasts, drawing) is the difference. Medians of several runs; not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import write_section  # noqa: E402

from helpers import notebooks, render  # noqa: E402

MONTH = "2025-12"


def floor_notebook(folder: Path) -> Path:
    """A notebook with the brief's imports and nothing else."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from IPython.display import Markdown, display\n\nfrom helpers import brief, plots, wording")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def time_floor(folder: Path) -> float:
    """Seconds for papermill of the imports-only notebook plus its HTML export."""
    import papermill

    source = floor_notebook(folder)
    out = folder / "floor-out.ipynb"
    started = time.perf_counter()
    papermill.execute_notebook(str(source), str(out), kernel_name="python3", cwd=str(folder),
                               progress_bar=False, log_output=False,
                               extra_arguments=notebooks.KERNEL_ARGS)
    render.to_html(out, folder / "floor.html")
    return time.perf_counter() - started


def time_brief(folder: Path) -> float:
    """Seconds for one full brief (HTML and metrics, no PDF)."""
    started = time.perf_counter()
    result = render.render(MONTH, folder, pdf=False, progress=False)
    if not result.ok:
        raise SystemExit(result.message)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    floors, briefs = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            floors.append(time_floor(Path(tmp)))
        with tempfile.TemporaryDirectory() as tmp:
            briefs.append(time_brief(Path(tmp)))
    floor, brief = statistics.median(floors), statistics.median(briefs)
    section = (
        "## One monthly brief\n\n"
        f"Written by `benchmarks/brief.py` on {date.today()}: {os.cpu_count()} cores, "
        f"median of {args.runs} runs. The floor is papermill running a notebook that only imports "
        "the brief's libraries, plus the same nbconvert HTML export; the brief is "
        f"`render.render('{MONTH}', pdf=False)` (the brief's numbers, its words, two charts, "
        "HTML, metrics.json).\n\n"
        "| step | median s | runs (s) |\n|---|---:|---|\n"
        f"| floor | {floor:.2f} | {', '.join(f'{t:.2f}' for t in floors)} |\n"
        f"| brief | {brief:.2f} | {', '.join(f'{t:.2f}' for t in briefs)} |\n\n"
        f"Ratio brief / floor: **{brief / floor:.2f}** (aim: at most 1.3).")
    write_section(section, name="brief")
    print(section)


if __name__ == "__main__":
    main()
