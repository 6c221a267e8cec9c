"""The one error users see for bad input: it names the file, the line and what was expected."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """Bad input data, reported as ``file:line: column: what was expected``."""

    def __init__(self, path: str | Path | None, line: int | None, message: str,
                 column: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        where = self.path.name if self.path is not None else "<data>"
        if line is not None:
            where += f":{line}"
        if column:
            where += f": column {column!r}"
        super().__init__(f"{where}: {message}")
