"""The one error users see for bad input: it names the file, the line and what was expected."""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def shown(path: str | Path) -> str:
    """A path as messages show it: relative to the project (or the working folder) when inside
    it, else absolute; a path given relative stays as given."""
    path = Path(path)
    if not path.is_absolute():
        return str(path)
    for base in (_ROOT, Path.cwd()):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


class DataError(ValueError):
    """Bad input data, reported as ``file:line: column: what was expected``."""

    def __init__(self, path: str | Path | None, line: int | None, message: str,
                 column: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        where = shown(self.path) if self.path is not None else "<data>"
        if line is not None:
            where += f":{line}"
        if column:
            where += f": column {column!r}"
        super().__init__(f"{where}: {message}")
