"""One strict way to read and write the project's CSV files, and to quote data text safely.

Reading refuses what is not a regular file (a FIFO would block, `/dev/zero` never ends), caps
the bytes read, decodes strictly and reports every fault as a `DataError` naming the file and
the line. Writing replaces a file atomically. The text helpers keep data-borne strings inert
where they land: a spreadsheet cell (`neutral`), Markdown or HTML (`safe_markdown`) and a link
(`safe_url`).
"""

from __future__ import annotations

import csv
import errno
import html
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

import pandas as pd

from helpers.errors import DataError

#: Bytes read from one file at most: far above any download or data file of the project.
MAX_BYTES = 256 * 1024 * 1024
#: Characters in one CSV field at most (the `csv` module's own default limit).
MAX_FIELD = 128 * 1024

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$^=:])")
_URL_UNSAFE = re.compile(r"[\s<>\"'`\\^{}|\x00-\x1f\x7f]")


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit`; DataError for anything else."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(path, None, "file not found") from None
    except OSError as exc:
        raise DataError(path, None, _os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(path, None, "a folder; expected a CSV file")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(path, None, "not a regular file (a pipe, socket or device); expected "
                        "a CSV file saved on disk")
    if info.st_size > limit:
        raise DataError(path, None, f"{info.st_size:,} bytes; expected at most {limit:,}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise DataError(path, None, _os_reason(exc)) from None
    if len(data) > limit:
        raise DataError(path, None, f"more than {limit:,} bytes; expected at most {limit:,}")
    return data


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop; expected a file"
    if exc.errno == errno.EACCES:
        return "permission denied; expected a readable file"
    return f"cannot be read ({exc.strerror or exc}); expected a readable file"


def decode(path: str | Path, data: bytes, encoding: str = "utf-8") -> str:
    """Strictly decoded text; DataError naming the line of the first undecodable byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(path, data[:exc.start].count(b"\n") + 1,
                        f"undecodable bytes ({exc.reason}); expected {encoding} text") from None


def records(path: str | Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every CSV record that is not blank; strict quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DataError(path, line, f"a field over {MAX_FIELD // 1024} KiB; expected short "
                            "fields (is a quote left open?)") from None
        raise DataError(path, line, f"truncated or malformed line ({exc}); expected every "
                        "quoted field closed and every field of the header") from None


def read_table(path: str | Path, columns: Sequence[str], limit: int = MAX_BYTES,
               also: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """A UTF-8 CSV with the header `columns` (or one of `also`), as strings indexed by the
    physical line each record starts on (header = 1).

    Every line must have every field; blank lines are skipped; a byte-order mark is allowed.
    """
    path = Path(path)
    text = decode(path, read_bytes(path, limit)).removeprefix("\ufeff")
    rows = records(path, text)
    first = next(rows, None)
    expected = ",".join(columns) + "".join(f" (or {','.join(a)})" for a in also)
    if first is None:
        raise DataError(path, 1, f"empty file; expected the header {expected}")
    header = first[1]
    if header not in [list(columns), *map(list, also)]:
        raise DataError(path, first[0], f"header is {','.join(header)!r}; expected {expected}")
    lines, cells = [], []
    for line, row in rows:
        if len(row) != len(header):
            raise DataError(path, line, f"{len(row)} fields; expected {len(header)}")
        lines.append(line)
        cells.append(row)
    frame = pd.DataFrame(cells, columns=header, dtype=str)
    frame.index = pd.Index(lines, name="line", dtype="int64")
    return frame


def header(path: str | Path, limit: int = MAX_BYTES) -> list[str]:
    """The first line of a CSV as fields (undecodable bytes replaced; [] if it does not parse):
    enough to tell its kind, and the reader of that kind names what is wrong."""
    path = Path(path)
    text = read_bytes(path, limit).decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        first = next(records(path, text.split("\n", 1)[0]), None)
    except DataError:
        return []
    return first[1] if first else []


def write_atomic(path: str | Path, text: str) -> Path:
    """UTF-8 text written to a temporary file beside `path`, then moved over it: never half
    written, never clobbered."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~umask())  # mkstemp makes it 0600
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path


def umask() -> int:
    """The process's file-creation mask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_frame(path: str | Path, frame: pd.DataFrame, text_columns: Sequence[str] = ()
                ) -> Path:
    """A frame as CSV (no index, LF), atomically; `text_columns` pass through `neutral`."""
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(lambda v: neutral(v) if isinstance(v, str) else v)
    return write_atomic(path, safe.to_csv(index=False, lineterminator="\n"))


def neutral(text: str) -> str:
    """Text for a CSV cell that no spreadsheet runs as a formula: a leading = + - @ is quoted."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_markdown(text: object) -> str:
    """Data text as inert Markdown/HTML: one line, HTML escaped, Markdown punctuation escaped."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def safe_url(url: object) -> str | None:
    """An http(s) address with a host, percent-quoted so that it cannot end a Markdown link;
    None for anything else (javascript:, file:, data:, unparseable)."""
    text = str(url).strip()
    if not text or _URL_UNSAFE.search(text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if not re.fullmatch(r"[a-z0-9.\-\[\]:]+", host) or host.startswith((".", "-")):
        return None
    return quote(text, safe="/:?&=#%+,;@!$*~.-_")
