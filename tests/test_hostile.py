"""Hostile input and faults: a corpus the tests write, one case per class of issue 12.

Each case asserts its outcome class: a clear error naming the file and the line (or a one-line
exit 2 on the command line), or the right number. Nothing here may hang, print a traceback,
or leave a clobbered brief.
"""

from __future__ import annotations

import errno
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers import csvfile, customs, figures, paths, render
from helpers.errors import DataError
from test_customs import (
    EN_HEADER,
    PUBLISHED,
    ROWS,
    en_table,
    english,
    raises,
    write,
    write_comtrade,
    zh_table,
)

CHROMIUM = render.find_chromium()


def japan_january(frame: pd.DataFrame, **kwargs) -> float:
    fig = customs.to_figures(frame, "magnets", published=PUBLISHED, **kwargs)
    return fig[(fig["partner"] == "Japan") & (fig["start"] == "2025-01")]["value"].sum()


JAPAN_JANUARY_T = (1_200_500 + 300_250) / 1000  # ROWS: Japan, 85051110, 2025-01, two regimes


def en_with(tmp_path: Path, row: int, column: str, value: str, name: str = "bad.csv") -> Path:
    table = en_table()
    table[row][EN_HEADER.index(column)] = value
    return write(tmp_path / name, table)


# --- partner names: the right number whatever the spelling ---------------------------------

@pytest.mark.parametrize("spelling", ["JAPAN", "japan", "\ufeffJapan", "Ja\u200bpan",
                                      "Ｊａｐａｎ", " Japan\u00a0"])
def test_partner_spellings_count(tmp_path, spelling):
    path = en_with(tmp_path, 1, "Trading partner", spelling, "spelled.csv")
    assert japan_january(customs.read_gacc(path, "export")) == JAPAN_JANUARY_T


def test_partner_code_names_the_partner(tmp_path):
    # an unknown spelling whose code other rows give to Japan is Japan
    path = en_with(tmp_path, 2, "Trading partner", "Nippon-koku", "coded.csv")
    assert japan_january(customs.read_gacc(path, "export")) == JAPAN_JANUARY_T


def test_one_code_two_partners(tmp_path):
    path = en_with(tmp_path, 2, "Trading partner code", "502", "codes.csv")  # Japan as 502
    raises(lambda: customs.to_figures(customs.read_gacc(path, "export"), "magnets",
                                      published=PUBLISHED),
           "codes.csv", 4, "partner code '502'", "one partner per code")


def test_no_schema_partner_is_an_error(tmp_path):
    table = en_table(ROWS[:3])
    for row in table[1:]:
        row[1:3] = ["410", "Brazil"]
    frame = customs.read_gacc(write(tmp_path / "brazil.csv", table[:2]), "export")
    raises(lambda: customs.to_figures(frame, "magnets", published=PUBLISHED), "brazil.csv",
           None, "no partner of the figures schema", "Brazil")


# --- encodings: refused, not guessed -------------------------------------------------------

@pytest.mark.parametrize("encoding, line", [("shift_jis", 2), ("latin-1", 2), ("mixed", 3)])
def test_wrong_codec_is_refused(tmp_path, encoding, line):
    table = zh_table(ROWS[:2])
    if encoding in ("latin-1", "shift_jis"):  # an English download with one partner re-typed
        table = en_table(ROWS[:2])
        table[1][2] = "Japón" if encoding == "latin-1" else "日本"
        data = "\n".join(",".join(r) for r in table).encode(encoding)
    else:  # header and first row GBK, second row UTF-8
        lines = [",".join(r) for r in table]
        data = "\n".join(lines[:2]).encode("gbk") + ("\n" + lines[2]).encode("utf-8")
    path = tmp_path / "codec.csv"
    path.write_bytes(data)
    raises(lambda: customs.read_gacc(path, "export"), "codec.csv", line,
           "expected one encoding for the whole file")


def test_gbk_still_reads(tmp_path):
    path = write(tmp_path / "zh.csv", zh_table(), encoding="gbk", quote=False, eol="\n")
    assert japan_january(customs.read_gacc(path, "export")) == JAPAN_JANUARY_T


# --- duplicates are duplicates, not votes --------------------------------------------------

def test_english_and_chinese_download_of_one_query(tmp_path):
    folder = tmp_path / "both"
    folder.mkdir()
    write(folder / "a_en.csv", en_table())
    write(folder / "b_zh.csv", zh_table(), encoding="gbk")
    raises(lambda: customs.read_gacc(folder, "export"), "b_zh.csv", 2, "duplicate of a_en.csv:2",
           "spelled differently")


def test_two_total_rows_in_one_file(tmp_path):
    table = zh_table(ROWS[:1] * 2)
    table[1][1:3] = ["", "总值"]
    table[2][1:3] = ["", "世界"]
    path = write(tmp_path / "totals.csv", table, encoding="gbk")
    raises(lambda: customs.read_gacc(path, "export"), "totals.csv", 3, "duplicate of totals.csv:2",
           "two total rows")


# --- numbers and dates ---------------------------------------------------------------------

@pytest.mark.parametrize("change, words", [
    ({"Quantity": "1e400"}, ["too large", "finite"]),
    ({"US dollar": "9" * 400}, ["too large", "finite"]),
    ({"Quantity": "1e303", "Unit": "10000T"}, ["too large in tonnes"]),
    ({"Date of data": "300012"}, ["impossible period '300012'", "1990"]),
    ({"Date of data": "198912"}, ["impossible period '198912'"]),
])
def test_absurd_values(tmp_path, change, words):
    table = en_table()
    for column, value in change.items():
        table[3][EN_HEADER.index(column)] = value
    path = write(tmp_path / "bad.csv", table)
    raises(lambda: customs.read_gacc(path, "export"), "bad.csv", 4, *words)


def test_sum_too_large(tmp_path):
    table = en_table()
    for row in (1, 2):  # Japan, January, two customs regimes: each finite, the sum is not
        table[row][EN_HEADER.index("US dollar")] = "1.7e308"
    frame = customs.read_gacc(write(tmp_path / "sum.csv", table), "export")
    raises(lambda: customs.to_figures(frame, "magnets", measure="value_usd", published=PUBLISHED),
           "sum.csv", 3, "value_usd sum for Japan 2025-01 is too large")


def test_future_period(tmp_path):
    next_month = pd.Period(pd.Timestamp.today(), "M") + 1
    path = en_with(tmp_path, 3, "Date of data", next_month.strftime("%Y%m"))
    error = raises(lambda: customs.read_gacc(path, "export"), "bad.csv", 4, "period")
    assert "in the future" in str(error) or "to this year" in str(error)


@pytest.mark.parametrize("published, words", [
    ("2099-01-14", "in the future"), ("2026-02-30", "a real date"),
    ("2025-01-14", "before the data's last month"),
])
def test_bad_published_date(tmp_path, published, words):
    frame = customs.read_gacc(english(tmp_path), "export")
    with pytest.raises(ValueError, match=words):
        customs.to_figures(frame, "magnets", published=published)


# --- Comtrade: the reporter must be China, whatever column names it ------------------------

@pytest.mark.parametrize("drop, change, words", [
    (["reporterCode"], {"reporterISO": "USA"}, "column 'reporterISO': 'USA'; expected China"),
    (["reporterCode", "reporterISO"], {"reporterDesc": "USA"}, "expected China as reporter"),
    (["reporterCode", "reporterISO", "reporterDesc"], {}, "required column missing"),
])
def test_comtrade_other_reporter(tmp_path, drop, change, words):
    path = write_comtrade(tmp_path / "ct.csv")
    frame = pd.read_csv(path, index_col=0).drop(columns=drop)
    for name, value in change.items():
        frame[name] = value
    frame.to_csv(path)
    raises(lambda: customs.read_comtrade(path), "ct.csv", 1 if not change else 2, words)


# --- files that are not files --------------------------------------------------------------

READ = ("import sys; from helpers import customs, errors\n"
        "try:\n    customs.read_gacc(sys.argv[1], 'export')\n"
        "except errors.DataError as exc:\n    print(exc)\n")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "loop"])
def test_special_files_refused_at_once(tmp_path, kind):
    path = tmp_path / "special.csv"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    else:
        path.symlink_to(tmp_path / "other.csv")
        (tmp_path / "other.csv").symlink_to(path)
    done = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(paths.ROOT)})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    expected = "symbolic link loop" if kind == "loop" else "not a regular file"
    assert done.stdout.startswith(f"{path}: ") and expected in done.stdout, done.stdout


def test_size_cap(tmp_path):
    path = write(tmp_path / "big.csv", en_table())
    with pytest.raises(DataError, match=r"big.csv: .* bytes; expected at most 100"):
        csvfile.read_bytes(path, limit=100)
    size = path.stat().st_size  # a file of exactly the limit is read whole
    assert csvfile.read_bytes(path, limit=size) == path.read_bytes()


def test_field_over_128_kib(tmp_path):
    path = en_with(tmp_path, 4, "Commodity", "x" * (csvfile.MAX_FIELD + 1), "wide.csv")
    raises(lambda: customs.read_gacc(path, "export"), "wide.csv", 5, "a field over 128 KiB")
    table = tmp_path / "wide_table.csv"
    table.write_text("a,b\n1,2\n3," + "y" * (csvfile.MAX_FIELD + 1) + "\n")
    with pytest.raises(DataError, match=r"wide_table.csv:3: a field over 128 KiB"):
        csvfile.read_table(table, ["a", "b"])


def test_read_table_lines_and_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\ufeffa,b\n1,2\n\n3,4\n")
    frame = csvfile.read_table(path, ["a", "b"])
    assert frame.to_dict("index") == {2: {"a": "1", "b": "2"}, 4: {"a": "3", "b": "4"}}
    path.write_text("a,b\n1,2,3\n")
    with pytest.raises(DataError, match=r"t.csv:2: 3 fields; expected 2"):
        csvfile.read_table(path, ["a", "b"])
    with pytest.raises(DataError, match=r"t.csv:1: header is 'a,b'; expected a,c \(or c\)"):
        csvfile.read_table(path, ["a", "c"], also=[["c"]])
    path.write_text('b,a\n"multi\nline",5\n6,7\n')
    assert csvfile.read_table(path, ["a", "b"], also=[["b", "a"]]).to_dict("index") == {
        2: {"b": "multi\nline", "a": "5"}, 4: {"b": "6", "a": "7"}}


def test_error_names_the_path_in_the_project():
    assert str(DataError(paths.DATA / "sources" / "x.csv", 3, "bad")) == "data/sources/x.csv:3: bad"
    assert str(DataError("/elsewhere/x.csv", None, "bad")) == "/elsewhere/x.csv: bad"


# --- data text kept inert: spreadsheets, Markdown, links -----------------------------------

def test_neutral_cells(tmp_path):
    assert [csvfile.neutral(t) for t in ("=1+1", "+1", "-2", "@SUM(A1)", "Reuters", "")] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "Reuters", ""]
    frame = pd.DataFrame({"source": ['=HYPERLINK("http://x")'], "value": [-1.5]})
    path = csvfile.write_frame(tmp_path / "f.csv", frame, ["source"])
    assert path.read_text() == "source,value\n\"'=HYPERLINK(\"\"http://x\"\")\",-1.5\n"


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_file_mode_follows_the_umask(tmp_path, mask, mode):
    """An atomic write leaves the mode an ordinary `open` would (not mkstemp's 0600), and
    no temporary file beside it."""
    old = os.umask(mask)
    try:
        path = csvfile.write_atomic(tmp_path / "f.csv", "a\n1\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_safe_markdown_and_url():
    text = csvfile.safe_markdown("<img src=x onerror=alert(1)>\n# Big\n```mermaid\n**fake**")
    assert "<" not in text and "\n" not in text and "`" not in text.replace("\\`", "")
    assert "\\*\\*fake\\*\\*" in text and "\\#" in text
    assert csvfile.safe_url("https://example.org/a b") is None
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "https://]]]", "data:text/html,x",
                "http://", "https://exa mple.org", "https://x.org:99999/",
                "https://.example.org/", "https://-x.org/", "https://exa_mple.org/"):
        assert csvfile.safe_url(bad) is None, bad
    assert csvfile.safe_url("https://example.org/a_(b)?q=1") == "https://example.org/a_%28b%29?q=1"


# --- the command line: all --data files of one call together -------------------------------

def test_split_query_summed_and_disagreeing_downloads_refused(tmp_path):
    folder = english(tmp_path)  # one query, two files
    converted = render.prepare_data([folder / "part1.csv", folder / "part2.csv"], tmp_path)
    assert len(converted) == 1
    rows = figures.load(converted[0])
    japan = rows[(rows["partner"] == "Japan")].set_index("start")["value"]
    assert japan.to_dict() == {"2025-01": JAPAN_JANUARY_T, "2025-02": 1100.0}
    again = tmp_path / "again"
    again.mkdir()
    from_folder = render.prepare_data([folder], again)  # a folder stands for its downloads
    assert figures.load(from_folder[0])["value"].tolist() == rows["value"].tolist()
    other = en_with(tmp_path, 1, "Quantity", "1,200,000", "other.csv")  # disagrees on a row
    raises(lambda: render.prepare_data([folder / "part1.csv", other], tmp_path), "other.csv", 2,
           "duplicate of part1.csv:2")


@pytest.mark.parametrize("build, words", [
    (lambda t: write(t, [EN_HEADER + ["Quantity"]] + [r + ["1"] for r in en_table()[1:]]),
     ["two columns for one field"]),
    (lambda t: write(t, en_table(), drop=("US dollar",)), ["required column missing",
                                                            "'US dollar'"]),
    (lambda t: t.write_bytes('"Date of data","Commodity code"\n'.encode("utf-16-le")),
     ["UTF-16 needs its byte-order mark"]),
])
def test_precise_header_errors_reach_the_command_line(tmp_path, build, words):
    path = tmp_path / "download.csv"
    build(path)
    done = subprocess.run([sys.executable, "-m", "helpers", "brief", "--month", "2025-12",
                           "--out", str(tmp_path / "reports"), "--data", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "header is neither" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.mark.parametrize("args, words", [
    (["briefs", "--from", "2025-12", "--to", "2025-01"], "is after --to"),
    (["brief", "--month", "2025-12", "--out", "/dev/null"], "is not a folder"),
    (["brief", "--month", "2025-12", "--out", "FILE"], "is not a folder"),
    (["brief", "--month", "2025-12", "--out", "LOOP"], "is a symbolic link loop"),
    (["brief", "--month", "2025-12", "--data", "LOOP"], "symbolic link loop"),
])
def test_command_line_faults_one_line_exit_2(tmp_path, args, words):
    (tmp_path / "file").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop")
    args = [{"FILE": str(tmp_path / "file"), "LOOP": str(tmp_path / "loop")}.get(a, a)
            for a in args]
    done = subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True,
                          text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert words in done.stderr, done.stderr


# --- faults while rendering: the last good brief survives ----------------------------------

@pytest.fixture
def quick_render(monkeypatch):
    """render() with papermill replaced by a notebook written at once (faults come later)."""
    import papermill

    def execute(template, output, **kwargs):
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Brief {kwargs['parameters']['month']}"))
        nbformat.write(nb, output)
        (Path(output).parent / "metrics.json").write_text("{}")

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    return monkeypatch


def brief_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_report_folder_permissions(tmp_path, quick_render):
    result = render.render("2025-06", tmp_path, pdf=False)
    assert result.ok
    assert result.folder.stat().st_mode & 0o777 == 0o777 & ~csvfile.umask()
    assert [p.name for p in tmp_path.iterdir()] == ["2025-06"]


@pytest.mark.parametrize("fault", ["full disk", "read-only", "dead kernel"])
def test_fault_keeps_the_last_good_brief(tmp_path, quick_render, fault):
    import nbclient.exceptions
    import papermill

    good = render.render("2025-06", tmp_path, pdf=False)
    before = brief_files(good.folder)
    if fault == "full disk":
        def to_html(notebook, html, **kwargs):
            html.write_bytes(b"<html>")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(html))
        quick_render.setattr(render, "to_html", to_html)
    elif fault == "read-only":
        def mkdtemp(**kwargs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), kwargs["dir"])
        quick_render.setattr(render.tempfile, "mkdtemp", mkdtemp)
    else:
        def execute(*args, **kwargs):
            raise nbclient.exceptions.DeadKernelError("Kernel died")
        quick_render.setattr(papermill, "execute_notebook", execute)
    if fault == "dead kernel":
        result = render.render("2025-06", tmp_path, pdf=False)
        assert not result.ok and "dead or stuck kernel" in result.message
    else:
        with pytest.raises(render.RenderError, match="the last good brief is untouched"):
            render.render("2025-06", tmp_path, pdf=False)
    assert brief_files(tmp_path / "2025-06") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_kernel_killed_for_real(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell("import os, signal\n"
                                              "os.kill(os.getpid(), signal.SIGKILL)"))
    template = tmp_path / "killer.ipynb"
    nbformat.write(nb, template)
    out = tmp_path / "reports"
    result = render.render("2025-06", out, pdf=False, template=template)
    assert not result.ok and "dead or stuck kernel" in result.message
    assert sorted(p.name for p in out.iterdir()) == ["2025-06.failed"]


def test_killed_swap_is_repaired_by_the_next_run(tmp_path, quick_render):
    old = tmp_path / ".2025-06.old-4242"  # killed between the two renames
    old.mkdir()
    (old / "brief.html").write_text("last good")
    stale = tmp_path / ".2025-06-abc123"  # a killed run's work folder
    stale.mkdir()
    render._recover(tmp_path, "2025-06")
    assert (tmp_path / "2025-06" / "brief.html").read_text() == "last good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-06"]
    old.mkdir()  # killed after the second rename: the old copy goes
    assert render.render("2025-06", tmp_path, pdf=False).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-06"]


def test_run_killed_midway_then_next_run_clean(tmp_path):
    out = tmp_path / "reports"
    run = subprocess.Popen([sys.executable, "-m", "helpers", "brief", "--month", "2025-06",
                            "--out", str(out), "--no-pdf"], start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until the work folder has the executing notebook
            if list(out.glob(".2025-06-*/brief.ipynb")) or run.poll() is not None:
                break
            threading.Event().wait(0.05)
    finally:
        os.killpg(run.pid, 9)  # the run and its kernel, by their group id
        run.wait()
    assert list(out.glob(".2025-06-*")), "the kill came too late to leave a work folder"
    assert render.render("2025-06", out, pdf=False).ok
    assert sorted(p.name for p in out.iterdir()) == ["2025-06"]


def test_runs_on_one_month_take_turns(tmp_path):
    order = []
    inside = threading.Event()

    def hold():
        with render._month_lock(tmp_path, "2025-06"):
            inside.set()
            order.append("first in")
            threading.Event().wait(0.5)
            order.append("first out")

    first = threading.Thread(target=hold)
    first.start()
    inside.wait(10)
    with render._month_lock(tmp_path, "2025-06"):
        order.append("second in")
    first.join()
    assert order == ["first in", "first out", "second in"]
    assert list(tmp_path.iterdir()) == []


def fake_chromium(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\nfor a; do case $a in --print-to-pdf=*) out=${a#*=};; esac; "
                      f"done\n{body}\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("body, why", [
    ("printf '%%PDF-' > \"$out\"", "truncated"),  # 5 bytes, exit 0
    ("echo 'crashed' >&2; exit 3", "exited with status 3 (crashed)"),
    ("exit 0", "wrote no PDF"),
    ("sleep 30 & wait", "did not finish within 1 s"),
])
def test_failed_pdf_keeps_the_html_brief(tmp_path, quick_render, body, why):
    quick_render.setattr(render, "find_chromium", lambda: fake_chromium(tmp_path, body))
    quick_render.setattr(render, "PDF_TIMEOUT_S", 1)
    out = tmp_path / "reports"
    result = render.render("2025-06", out, pdf=True)
    assert result.ok and "(no PDF: " in result.message and why in result.message, result.message
    assert {p.name for p in result.folder.iterdir()} == {"brief.ipynb", "brief.html",
                                                         "metrics.json"}


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
def test_real_pdf_checked_and_truncated_refused(tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<html><body><p>checked</p></body></html>")
    render.to_pdf(html, tmp_path / "page.pdf", CHROMIUM)
    assert render.check_pdf(tmp_path / "page.pdf") == 1
    data = (tmp_path / "page.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[:len(data) // 2])
    with pytest.raises(render.RenderError, match="truncated"):
        render.check_pdf(tmp_path / "cut.pdf")


@pytest.mark.skipif(CHROMIUM is None or not shutil.which("pdftotext"),
                    reason="needs chromium and poppler-utils")
def test_pdf_printer_reaches_no_file_and_no_network(tmp_path):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TEXT-12")
    url = f"http://127.0.0.1:{server.server_address[1]}/leak.png"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f'Visible text <iframe src="{secret.as_uri()}"></iframe> <img src="{url}"> '
        f'<img src="{secret.as_uri()}"> <script>document.write("SCRIPT-" + "RAN")</script>'))
    notebook = tmp_path / "nb.ipynb"
    nbformat.write(nb, notebook)
    page = tmp_path / "brief.html"
    try:
        render.to_html(notebook, page)
        text = page.read_text()
        assert "Content-Security-Policy" in text and "mermaid" not in text
        assert not re.search(r"<script[^>]+src=", text)
        render.to_pdf(page, tmp_path / "brief.pdf", CHROMIUM)
        printed = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"],
                                 capture_output=True, text=True).stdout
        assert "Visible text" in printed
        assert "SECRET-TEXT-12" not in printed and "SCRIPT-RAN" not in printed
        # without the page's policy, the printer's own flags still keep it offline
        page.write_text(text.replace('http-equiv="Content-Security-Policy"', ""))
        render.to_pdf(page, tmp_path / "bare.pdf", CHROMIUM)
        assert hits == []
    finally:
        server.shutdown()

