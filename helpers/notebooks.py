"""Running the research notebooks: re-execute them in place, and record their key numbers.

Notebooks call `record` with the numbers a reader would quote; a test runs each notebook with
papermill and other parameters and asserts on that JSON rather than on scraped text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from helpers import paths

RESEARCH = ["01_customs_series.ipynb", "02_forecast_models.ipynb", "03_export_controls.ipynb",
            "04_mirror_check.ipynb"]
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


def record(path: str | Path | None, values: dict[str, object]) -> None:
    """Write `values` as JSON to `path` (nothing when path is None, as in the committed runs)."""
    if path is None:
        return
    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in values.items()}
    Path(path).write_text(json.dumps(clean, indent=2, ensure_ascii=False, default=str) + "\n",
                          encoding="utf-8")


def execute(path: Path, parameters: dict[str, object] | None = None,
            output: Path | None = None) -> Path:
    """Execute one notebook with papermill (kernel python3, in its own folder)."""
    import papermill

    output = output or path
    papermill.execute_notebook(str(path), str(output), parameters=parameters or {},
                               kernel_name="python3", cwd=str(path.parent), progress_bar=False,
                               log_output=False, execution_timeout=900,
                               extra_arguments=KERNEL_ARGS)
    _strip_papermill_metadata(output)
    return output


def _strip_papermill_metadata(path: Path) -> None:
    """Drop run timestamps and durations so a re-execution changes only what changed; number
    the code cells 1..n (nbval treats a cell without a count as never run)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    nbformat.write(nb, path)


def execute_all() -> list[Path]:
    """Re-execute the research notebooks in place. The brief template is committed without
    outputs (each brief is its own executed copy) and is tested by rendering it."""
    return [execute(paths.NOTEBOOKS / name) for name in RESEARCH]
