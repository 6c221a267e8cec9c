"""Render the monthly brief: papermill → executed notebook → HTML without code (→ PDF).

Each render happens in a temporary folder beside `reports/YYYY-MM/` and replaces it only when
every step succeeded; a failed run keeps its executed notebook in `reports/YYYY-MM.failed/`
for inspection and leaves the last good brief untouched. Runs on one month take a lock, and
each run first repairs what a killed run left (a half-done swap, stale work folders).
The PDF is printed from a page that can reach neither the network nor local files, and is
checked before it joins the brief; a PDF that fails leaves the HTML brief and says why.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from helpers import brief, csvfile, figures, notebooks, paths, releases, series
from helpers.errors import DataError, shown

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 600
PDF_TIMEOUT_S = 120

#: Headless Chromium offline: every host resolves to nothing and every connection (loopback
#: too) goes to a closed local port. Local files are kept out by the page's own
#: Content-Security-Policy (templates/brief), which Chromium has no flag for.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--disable-extensions",
                  "--disable-default-apps", "--disable-domain-reliability",
                  "--disable-client-side-phishing-detection", "--no-default-browser-check",
                  "--dns-prefetch-disable", "--proxy-server=127.0.0.1:9",
                  "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
                  "--no-pdf-header-footer")

#: Text columns of converted downloads that pass through `csvfile.neutral` on the way out.
_TEXT_COLUMNS = ("as_published", "source", "note")


class RenderError(Exception):
    """A fault outside the data (disk, output folder, printer): one line for the user."""


@dataclass
class Result:
    """What one render produced, or why it failed."""

    month: str
    ok: bool
    folder: Path
    message: str


def _is_figures_file(path: Path) -> bool:
    return csvfile.header(path) in (figures.COLUMNS, figures.CONTENT)


def split_inputs(files: list[str | Path]) -> tuple[list[Path], list[Path]]:
    """`--data` files as (figures files, downloads): each checked, nothing written.

    A folder stands for the downloads in it, and a UN Comtrade snapshot folder (see
    `helpers.snapshots`) stays a figures source of its own; a file that is neither the figures
    schema nor a download is an error naming it.
    """
    from helpers import customs, snapshots

    tables, downloads = [], []
    for name in files:
        path = Path(os.path.abspath(name))
        if snapshots.is_folder(path):
            customs.snapshot_figures(path)
            tables.append(path)
        elif path.is_dir():
            downloads.append(path)
        elif _is_figures_file(path):
            figures.load(path)
            tables.append(path)
        elif customs.layout_of(path) is None:
            raise DataError(path, 1, "header is neither the figures schema "
                            f"({','.join(figures.COLUMNS)}), a GACC database download nor a "
                            "UN Comtrade CSV")
        else:
            downloads.append(path)
    return tables, downloads


def prepare_data(files: list[str | Path], folder: Path) -> list[Path]:
    """Figures files as given; all GACC or Comtrade downloads of the call read together (one
    query: a query split over files is summed, a row given twice is an error) and converted to
    figures (HS 85051110 magnets, exports) into `folder/inputs/`, so the brief records what it
    read."""
    from helpers import customs

    tables, downloads = split_inputs(files)
    if not downloads:
        return tables
    frame = customs.read_download(downloads, flow="export")
    rows = customs.to_figures(frame, product="magnets", published=date.today().isoformat())
    (folder / "inputs").mkdir(exist_ok=True)
    converted = folder / "inputs" / "downloads.figures.csv"
    csvfile.write_frame(converted, rows, _TEXT_COLUMNS)
    return [*tables, converted]


def find_chromium() -> str | None:
    """Debian's chromium (or another Chrome) on PATH, if any."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_html(notebook: Path, html: Path, title: str | None = None) -> None:
    """Self-contained HTML without code cells or prompts, images embedded, nothing fetched;
    `title` is the page's (and so the PDF's) title."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="brief",
                            extra_template_basedirs=[str(Path(__file__).parent / "templates")],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    nb = nbformat.read(notebook, as_version=4)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    html.write_text(body, encoding="utf-8")


def to_pdf(html: Path, pdf: Path, chromium: str) -> None:
    """Print the HTML to PDF with headless Chromium, offline and blind to other files, and
    check the result; RenderError saying why if there is no good PDF."""
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf}", html.as_uri()]
        try:
            chrome = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True, start_new_session=True)
        except OSError as exc:
            raise RenderError(f"chromium could not start ({exc.strerror})") from None
        try:
            _, stderr = chrome.communicate(timeout=PDF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(chrome.pid, signal.SIGKILL)  # chromium and the helpers it started
            chrome.communicate()
            raise RenderError(f"chromium did not finish within {PDF_TIMEOUT_S} s") from None
    if chrome.returncode != 0:
        tail = stderr.strip().splitlines()[-1:] or ["no message"]
        raise RenderError(f"chromium exited with status {chrome.returncode} ({tail[0][:200]})")
    check_pdf(pdf)


def check_pdf(pdf: Path) -> int:
    """Pages of a complete PDF: magic bytes, end-of-file marker, at least one page; else
    RenderError (Chromium exits 0 after writing half a file to a full disk)."""
    try:
        size = pdf.stat().st_size
        with open(pdf, "rb") as handle:
            head = handle.read(8)
            handle.seek(max(0, size - 2048))
            tail = handle.read()
    except FileNotFoundError:
        raise RenderError("chromium wrote no PDF") from None
    if not head.startswith(b"%PDF-"):
        raise RenderError(f"brief.pdf ({size:,} bytes) does not start as a PDF")
    if b"%%EOF" not in tail:
        raise RenderError(f"brief.pdf ({size:,} bytes) is truncated (no end-of-file marker)")
    pages = _pdf_pages(pdf)
    if pages < 1:
        raise RenderError(f"brief.pdf ({size:,} bytes) has no page")
    return pages


def _pdf_pages(pdf: Path) -> int:
    """Page count from poppler's pdfinfo, or from the page objects when it is not installed."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        done = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, timeout=60)
        found = re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)
        return int(found[1]) if done.returncode == 0 and found else 0
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


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
    """Render one month's brief into out/YYYY-MM/, atomically. MonthError if the month is bad,
    DataError for a bad `--data` file, RenderError for a fault of the disk or output folder."""
    tables, _ = split_inputs(data_files or [])
    period = releases.check_month(month, *_available(brief.load_data(tables)[0]))
    out = _output_folder(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with _month_lock(out, str(period)):
            _recover(out, str(period))
            return _render_locked(str(period), out, pdf, data_files or [], progress, template)
    except OSError as exc:
        where = f": {shown(exc.filename)}" if exc.filename else ""
        raise RenderError(f"could not write the brief for {period} to {shown(out)} "
                          f"({exc.strerror or exc}{where}); the last good brief is untouched"
                          ) from None


def _output_folder(out: str | Path) -> Path:
    """`--out` as an absolute path; RenderError if it exists and is not a folder."""
    out = Path(os.path.abspath(out))
    try:
        if not stat.S_ISDIR(out.stat().st_mode):
            raise RenderError(f"--out {shown(out)} is not a folder; expected a reports folder")
    except FileNotFoundError:
        pass  # made by render
    except OSError as exc:
        reason = ("a symbolic link loop" if exc.errno == errno.ELOOP
                  else f"unreadable ({exc.strerror})")
        raise RenderError(f"--out {shown(out)} is {reason}; expected a reports folder") from None
    return out


def _render_locked(period: str, out: Path, pdf: bool, data_files: list[str | Path],
                   progress: bool | None, template: Path) -> Result:
    import nbclient.exceptions
    import papermill

    final, failed = out / period, out / f"{period}.failed"
    work = Path(tempfile.mkdtemp(prefix=f".{period}-", dir=out))
    work.chmod(0o777 & ~csvfile.umask())  # mkdtemp makes it 0700: the brief is for reading
    notebook = work / "brief.ipynb"
    try:
        inputs = [str(p) for p in prepare_data(data_files, work)]
        try:
            papermill.execute_notebook(
                str(template), str(notebook), kernel_name="python3", cwd=str(work),
                parameters={"month": period, "data_files": inputs, "out_dir": str(work)},
                progress_bar=sys.stderr.isatty() if progress is None else progress,
                execution_timeout=TIMEOUT_S, log_output=False,
                # the kernel's own log (a warning about TCP at each start) is not the brief's
                extra_arguments=notebooks.KERNEL_ARGS)
        except (papermill.PapermillExecutionError, nbclient.exceptions.DeadKernelError,
                nbclient.exceptions.CellTimeoutError) as exc:
            shutil.rmtree(failed, ignore_errors=True)
            failed.mkdir()
            if notebook.exists():
                shutil.copy2(notebook, failed / "brief.ipynb")
            where = (_failed_cell(notebook) if isinstance(exc, papermill.PapermillExecutionError)
                     else f"a dead or stuck kernel ({type(exc).__name__})")
            return Result(period, False, failed,
                          f"brief for {period} failed at {where}; the executed notebook is in "
                          f"{failed}; the last good brief is untouched")
        to_html(notebook, work / "brief.html",
                title=f"China rare-earth exports — {pd.Period(period, 'M'):%B %Y}")
        note = ""
        chromium = find_chromium() if pdf else None
        if chromium:
            try:
                to_pdf(work / "brief.html", work / "brief.pdf", chromium)
            except RenderError as exc:
                (work / "brief.pdf").unlink(missing_ok=True)
                note = f" (no PDF: {exc})"
        elif pdf:
            note = (" (no PDF: install Debian's chromium, `apt-get install chromium`, or print "
                    "brief.html from a browser)")
        _replace(work, final)
        shutil.rmtree(failed, ignore_errors=True)
        return Result(period, True, final, f"wrote {final}{note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def _month_lock(out: Path, period: str) -> Iterator[None]:
    """Serialise runs on one month: an exclusive lock on out/.YYYY-MM.lock, removed after."""
    lock = out / f".{period}.lock"
    while True:
        handle = open(lock, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            same = os.stat(lock).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()  # the holder removed it as we waited: lock the new one
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        handle.close()


def _recover(out: Path, period: str) -> None:
    """Repair what a killed run on this month left: a swap cut between its two renames (the
    old brief waits in .YYYY-MM.old-PID) and work folders .YYYY-MM-*. Called under the lock."""
    final = out / period
    for old in sorted(out.glob(f".{period}.old-*")):
        if not final.exists():
            old.rename(final)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for work in out.glob(f".{period}-*"):
        if work.is_dir():
            shutil.rmtree(work, ignore_errors=True)


def headline(folder: Path) -> str:
    """One line from a rendered brief's metrics.json: the figure, its changes, the surprise."""
    from helpers.wording import tonnes

    m = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    if m["quantity_t"] is None:
        return (f"{m['period']}: {m['stage']}; magnets (HS 85051110) "
                f"{tonnes(m['magnets']['total_t'])}"
                + (" (unconfirmed)" if m["magnets"].get("unconfirmed") else ""))

    def pct(key: str, what: str) -> str:
        return f"{m[key]:+.1f}% {what}" if m[key] is not None else f"{what} not comparable"

    forecast = m["forecast"]["mean"]
    expected = ""
    if forecast is not None:
        rank = ("too few past forecasts to judge" if m["surprise_pct"] is None
                else f"percentile {m['surprise_pct']:.0f}")
        expected = f"; forecast {forecast:,.0f} t, {rank}" + (
            f", flagged: {_flagged(m)}" if m["flag"] else "")
    return (f"{m['period']}: {tonnes(m['quantity_t'])}"
            + (" (unconfirmed)" if m.get("unconfirmed") else "")
            + f" ({pct('mom_pct', 'm/m')}, {pct('yoy_pct', 'y/y')}){expected}")


def _flagged(m: dict) -> str:
    """Why a release was flagged, in the flag's own terms (``helpers.models.surprise``)."""
    if m["surprise_pct"] is None:
        return "outside the 95% interval (too few past forecasts to rank)"
    return "beyond the central 95% of the model's past misses"


def flag_cell(m: dict) -> str:
    """The archive's flag column: yes (and why), no, or – where there was no forecast."""
    if m["forecast"]["mean"] is None:
        return "–"
    return f"yes: {_flagged(m)}" if m["flag"] else "no"


def write_index(out: Path = paths.REPORTS) -> Path:
    """reports/index.html: one line per rendered month (headline, surprise flag, links) and
    what the flag means; a static page with no script that opens offline."""
    import html

    rows = []
    for folder in sorted((p for p in Path(out).iterdir() if p.is_dir()
                          and re.fullmatch(r"\d{4}-\d{2}", p.name)
                          and (p / "metrics.json").is_file()), reverse=True):
        m = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        links = " · ".join(f'<a href="{folder.name}/{name}">{name.split(".")[1].upper()}</a>'
                           for name in ("brief.html", "brief.pdf") if (folder / name).exists())
        line = headline(folder).removeprefix(f"{folder.name}: ")  # the month has its column
        rows.append(f"<tr><td>{folder.name}</td><td>{html.escape(line)}</td>"
                    f"<td>{html.escape(flag_cell(m))}</td><td>{links}</td></tr>")
    page = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\"><title>China rare-earth exports: briefs</title>"
            "<style>body{font-family:'Noto Sans','Noto Sans CJK SC',Arial,sans-serif;margin:2em}td,th{padding:2px 10px}"
            "th{text-align:left}td:first-child,td:last-child{white-space:nowrap}"
            "tr:nth-child(even){background:#f3f3f6}</style></head><body>"
            "<h1>China rare-earth exports: monthly briefs</h1><table>"
            "<tr><th>month</th><th>headline</th><th>flagged as a surprise</th>"
            "<th>brief</th></tr>"
            + "".join(rows) + "</table><p>A release is flagged when its forecast error falls "
            "below the 2.5th or above the 97.5th percentile of the model's past errors of the "
            "same kind (about one month in twenty if the model's misses are like its past "
            "ones), or, with too few past errors to rank, outside its 95% interval. "
            "Each brief says how often its intervals have held.</p></body></html>\n")
    return csvfile.write_atomic(Path(out) / "index.html", page)


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
    try:
        return render(month, Path(out), pdf=pdf, progress=False)
    except RenderError as exc:
        return Result(month, False, Path(out), str(exc))


def _available(data: pd.DataFrame
               ) -> tuple[list[pd.Period], set[int], set[pd.Period]]:
    """Months a brief can be made for (a headline or a detailed-release figure known by the
    month's own release), the years whose January comes with February, and the months known
    only from later figures (`releases.known_later`)."""
    headline = series.build(figures=data)
    magnets = brief.build_or_none("magnets", data)
    return (releases.available_months(headline, magnets, data["end"]),
            set(headline.janfeb.index), releases.known_later(headline, magnets, data["end"]))


def render_range(start: str, end: str, out: Path = paths.REPORTS, pdf: bool = True,
                 workers: int = 2) -> tuple[list[Result], list[pd.Period]]:
    """Backfill: every available month from start to end, on `workers` processes, one bar.
    Returns the results and the months of the range without a figure (skipped)."""
    from tqdm import tqdm

    chosen, skipped = releases.in_range(start, end, _available(figures.load())[0])
    months = [str(m) for m in chosen]
    out = _output_folder(out)
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        jobs = [pool.submit(_render_quiet, m, str(out), pdf) for m in months]
        for job in tqdm(as_completed(jobs), total=len(jobs), desc="briefs", unit="brief",
                        disable=not sys.stderr.isatty()):
            results.append(job.result())
    return sorted(results, key=lambda r: r.month), skipped
