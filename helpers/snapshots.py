"""Raw, immutable snapshots of UN Comtrade responses: one CSV of the API's own columns and a
JSON manifest beside it (query without the key, retrieval time, rows, sha256, dataset version).

A snapshot is never overwritten: the same query on the same day either matches an existing file
byte for byte (same sha256) or gets a new name. Files are written through a temporary file and
a no-clobber link, so an interrupted run leaves no partial snapshot. Everything else (figures,
mirror tables) is derived from snapshots; nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from helpers import csvfile
from helpers.errors import DataError

FORMAT = "helpers.snapshots/1"

#: Columns of a response that say which release of the data it is (kept in the manifest).
VERSION_COLUMNS = ("classificationCode", "classificationSearchCode", "isOriginalClassification",
                   "datasetCode", "releaseDate", "lastReleased", "publicationDate")


@dataclass(frozen=True)
class Saved:
    """Where a snapshot is, and whether this run wrote it or found an identical one."""

    path: Path
    written: bool
    rows: int
    sha256: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(csv_bytes: bytes, rows: int, manifest: Mapping[str, object], out: Path, stem: str,
         day: str) -> Saved:
    """Store `csv_bytes` as `out/<stem>_<day>[_n].csv` with its manifest, unless a snapshot of
    the same name stem and day already holds the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    digest = sha256(csv_bytes)
    record = {"format": FORMAT, **manifest, "rows": rows, "sha256": digest}
    number = 1
    while True:
        path = out / f"{stem}_{day}{'' if number == 1 else f'_{number}'}.csv"
        if not path.exists():
            _write_new(path, csv_bytes)
            try:
                _write_new(path.with_suffix(".json"), _json(record, path.name))
            except BaseException:
                path.unlink()  # a snapshot is the pair, or nothing
                raise
            return Saved(path, True, rows, digest)
        if sha256(path.read_bytes()) == digest:
            if not path.with_suffix(".json").exists():  # a run killed between the two files
                _write_new(path.with_suffix(".json"), _json(record, path.name))
            return Saved(path, False, rows, digest)
        number += 1


def _json(record: Mapping[str, object], name: str) -> bytes:
    return (json.dumps({**record, "file": name}, indent=2, ensure_ascii=False) + "\n").encode()


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: temporary file, fsync, then a no-clobber link."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~csvfile.umask())  # mkstemp makes it 0600
        os.link(temporary, path)  # FileExistsError rather than overwrite
    finally:
        os.unlink(temporary)


def manifest(csv_path: Path) -> dict[str, object] | None:
    """The manifest beside a snapshot CSV, or None if the CSV is not a snapshot."""
    path = Path(csv_path).with_suffix(".json")
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(path, None, f"unreadable snapshot manifest ({exc}); expected the JSON "
                        "written by `python -m helpers fetch comtrade`") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    return record


def is_folder(folder: Path) -> bool:
    """Whether a folder holds snapshots (at least one CSV with its manifest)."""
    return Path(folder).is_dir() and any(manifest(p) for p in Path(folder).glob("*.csv"))


def latest(folder: Path, reporter: str | None = None) -> list[Path]:
    """The newest snapshot of each query in a folder (of one reporter code, if given), by name.

    Older retrievals of a query stay on disk as the record; only the newest is read, so a
    re-fetched query replaces its earlier figures instead of doubling them.
    """
    newest: dict[str, tuple[str, int, str]] = {}
    for path in Path(folder).glob("*.csv"):
        record = manifest(path)
        if record is None:
            continue
        query = record["query"]
        if reporter is not None and str(query["reporter"]) != reporter:
            continue
        key = json.dumps(query, sort_keys=True)
        order = (str(record["retrieved"]), len(path.name), path.name)  # `_2` after the first
        newest[key] = max(newest.get(key, order), order)
    return sorted(Path(folder) / name for _, _, name in newest.values())


def expand(items: Iterable[Path], reporter: str) -> list[Path]:
    """Paths with every snapshot folder replaced by its newest snapshots of `reporter`.

    DataError when snapshot folders were given and none holds that reporter (e.g. only
    partners' imports).
    """
    out: list[Path] = []
    folders = []
    for item in map(Path, items):
        if is_folder(item):
            folders.append(item)
            out += latest(item, reporter)
        else:
            out.append(item)
    if folders and not out:
        raise DataError(folders[0], None, f"no snapshot with reporter code {reporter} in this "
                        "folder; expected one fetched with --reporter " + reporter)
    return out
