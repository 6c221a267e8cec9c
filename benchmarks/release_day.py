"""How long release day takes: `python -m helpers add` with a real published figure, through
the rebuilt data, the re-executed research notebooks and the brief of that month, written to
benchmarks/RESULTS.md. It runs on a copy of the project, so data/ is never touched. Not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from models import write_section

ROOT = Path(__file__).resolve().parent.parent
#: A real figure not in data/figures.csv from this address: EFE via swissinfo.ch, 10 March
#: 2026, on January-February 2025 ("frente a las 8.511 toneladas registradas en el mismo
#: periodo del año anterior").
FIGURE = ["--start", "2025-01", "--end", "2025-02", "--product", "rare_earths",
          "--tonnes", "8511",
          "--source", "EFE via swissinfo.ch: Las exportaciones chinas de tierras raras "
                      "aumentan un 23 % en enero y febrero",
          "--quote", "frente a las 8.511 toneladas registradas en el mismo periodo del año "
                     "anterior",
          "--url", "https://www.swissinfo.ch/spa/las-exportaciones-chinas-de-tierras-raras-"
                   "aumentan-un-23-%25-en-enero-y-febrero/91069542",
          "--published", "2026-03-10", "--no-pdf"]


def copy_project(folder: Path) -> Path:
    """The project's code, data and notebooks under folder/project, shared/ beside it."""
    root = folder / "project"
    for name in ("helpers", "data", "notebooks"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "shared").symlink_to(ROOT.parent / "shared")
    return root


def timed(root: Path, *extra: str) -> float:
    """Seconds for one `add` in a fresh copy."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "helpers", "add", *FIGURE, *extra,
                           "--out", str(root / "reports")], cwd=root, capture_output=True,
                          text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "added 1 figure" not in done.stdout:
        raise SystemExit(f"add failed: {done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = {"data only (`--no-notebooks --no-brief`)": ["--no-notebooks", "--no-brief"],
             "data and brief (`--no-notebooks`)": ["--no-notebooks"],
             "everything: data, notebooks, brief": []}
    rows = []
    for label, extra in cases.items():
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                runs.append(timed(copy_project(Path(folder)), *extra))
        rows.append(f"| {label} | {statistics.median(runs):.1f} | {min(runs):.1f} | "
                    f"{max(runs):.1f} |")
        print(rows[-1], flush=True)
    write_section("\n".join([
        "## Release day: one `add` to a rendered brief", "",
        f"`benchmarks/release_day.py`: `python -m helpers add` with one real figure (EFE, "
        f"January-February 2025) on a copy of the project, seconds over {args.runs} runs on "
        "this 2-core machine (aim: under 60 s for everything).", "",
        "| what `add` does | median s | min | max |", "|---|---:|---:|---:|", *rows]),
        name="release_day")


if __name__ == "__main__":
    main()
