"""`python -m helpers fetch comtrade`: monthly trade by partner from UN Comtrade, saved as
dated snapshots (`helpers.snapshots`). The only module of the package that uses the network,
always through UN Comtrade's own client `comtradeapicall`.

A query is split into one call per month and HS code (a call the API accepts, well under its
row cap), with a progress bar and a pause between calls. Every call is checked: the client
prints the body of an HTTP error and returns None, so the printed text is captured and
classified (invalid key, rate limit, quota, other HTTP error). Any failed call, a call that
reaches the row cap, or an empty result aborts the fetch with one line and writes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from helpers import paths

DEFAULT_OUT = paths.DATA / "downloads" / "comtrade"
PAUSE_S = 1.0
ROW_CAP = {"preview": 500, "key": 100_000}  # rows one call may return, without and with a key
KEY_VARIABLE = "COMTRADE_KEY"
#: Columns a snapshot needs to be read (`helpers.customs.read_comtrade`).
RESPONSE_COLUMNS = ("period", "reporterCode", "flowCode", "partnerCode", "partnerDesc",
                    "cmdCode", "netWgt", "primaryValue")

#: UN M49 area codes of the reporters and partners this project follows.
AREAS = {"World": "0", "China": "156", "Japan": "392", "United States": "842",
         "Germany": "276", "South Korea": "410", "India": "699", "Vietnam": "704",
         "Italy": "380", "Thailand": "764", "Hong Kong": "344", "Netherlands": "528",
         "Myanmar": "104", "Malaysia": "458"}
FLOWS = {"X": "exports", "M": "imports"}

_BASE = {"preview": "https://comtradeapi.un.org/public/v1/preview/C/M/HS",
         "key": "https://comtradeapi.un.org/data/v1/get/C/M/HS"}
_PERIOD = re.compile(r"(\d{4})-(\d{2})")


class FetchError(Exception):
    """A query the API refused or could not answer; the message names the query."""


@dataclass(frozen=True)
class Query:
    """One request: reporter and partner (M49 codes; partner None = all), flow, HS codes, months."""

    reporter: str
    partner: str | None
    flow: str
    cmd: tuple[str, ...]
    start: str  # YYYY-MM
    end: str

    def months(self) -> list[str]:
        """YYYYMM of every month from start to end."""
        (y0, m0), (y1, m1) = (map(int, p.split("-")) for p in (self.start, self.end))
        return [f"{n // 12:04d}{n % 12 + 1:02d}" for n in range(y0 * 12 + m0 - 1, y1 * 12 + m1)]

    def calls(self) -> list[tuple[str, str]]:
        """(period, HS code) of each call the query is split into."""
        return [(month, code) for month in self.months() for code in self.cmd]

    def url(self, mode: str) -> str:
        """The API address of the whole query, without any key."""
        fields = {"reporterCode": self.reporter, "period": ",".join(self.months()),
                  "cmdCode": ",".join(self.cmd), "flowCode": self.flow,
                  "partnerCode": self.partner, "includeDesc": "true",
                  "breakdownMode": "classic"}
        return f"{_BASE[mode]}?" + urlencode({k: v for k, v in fields.items() if v is not None},
                                            safe=",")

    def record(self) -> dict[str, object]:
        """The query as stored in a manifest (no key)."""
        return {"reporter": self.reporter, "reporter_name": _name(self.reporter),
                "partner": self.partner or "all", "partner_name": _name(self.partner),
                "flow": self.flow, "cmd": list(self.cmd), "start": self.start, "end": self.end,
                "frequency": "M", "classification": "HS"}

    def stem(self) -> str:
        """The snapshot name before the date: reporter, flow, partner, codes, months."""
        return (f"r{self.reporter}_{self.flow}_p{self.partner or 'all'}_hs{'-'.join(self.cmd)}"
                f"_{self.months()[0]}-{self.months()[-1]}")

    def __str__(self) -> str:
        partner = f"partner {self.partner} ({_name(self.partner)})" if self.partner \
            else "all partners"
        return (f"UN Comtrade query reporter {self.reporter} ({_name(self.reporter)}), "
                f"{FLOWS[self.flow]}, {partner}, HS {','.join(self.cmd)}, "
                f"{self.start}..{self.end}")


def _name(code: str | None) -> str:
    names = {v: k for k, v in AREAS.items()}
    return "all" if code is None else names.get(code, f"area {code}")


def area(text: str, option: str) -> str:
    """An M49 code from a code or a name (`156`, `China`); ValueError naming the option."""
    text = text.strip()
    if re.fullmatch(r"\d{1,3}", text):
        return str(int(text))
    for name, code in AREAS.items():
        if text.casefold() == name.casefold():
            return code
    raise ValueError(f"{option} {text!r}: expected an M49 code (e.g. 156) or one of "
                     f"{', '.join(AREAS)}")


def query(reporter: str, partner: str | None, flow: str, cmd: str, period: str,
          today: date | None = None) -> Query:
    """A checked query from the command line's text; ValueError saying what was expected."""
    flow = flow.strip().upper()
    if flow not in FLOWS:
        raise ValueError(f"--flow {flow!r}: expected X (exports) or M (imports)")
    codes = tuple(c.strip() for c in cmd.split(","))
    for code in codes:
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", code):
            raise ValueError(f"--cmd {code!r}: expected HS codes of 2, 4 or 6 digits, "
                             "comma-separated (e.g. 850511,280530,2846)")
    if len(set(codes)) != len(codes):
        raise ValueError(f"--cmd {cmd!r}: a code is repeated")
    start, _, end = period.strip().partition(":")
    end = end or start
    today = today or date.today()
    for text in (start, end):
        match = _PERIOD.fullmatch(text)
        if not match or not 1 <= int(match[2]) <= 12 or not 1990 <= int(match[1]):
            raise ValueError(f"--period {period!r}: expected YYYY-MM:YYYY-MM (e.g. "
                             "2025-01:2025-12), months 01-12, from 1990")
    if start > end:
        raise ValueError(f"--period {period!r}: the first month is after the last")
    if end > f"{today.year:04d}-{today.month:02d}":
        raise ValueError(f"--period {period!r}: {end} is in the future")
    every = partner is None or partner.strip().casefold() in ("", "all")
    partner_code = None if every else area(partner, "--partner")
    return Query(area(reporter, "--reporter"), partner_code, flow, codes, start, end)


def _call(client: Any, key: str | None, q: Query, period: str, code: str):
    """One API call; returns the frame or raises FetchError saying what the API answered."""
    options = dict(typeCode="C", freqCode="M", clCode="HS", period=period,
                   reporterCode=q.reporter, cmdCode=code, flowCode=q.flow,
                   partnerCode=q.partner, partner2Code=None, customsCode=None, motCode=None,
                   maxRecords=ROW_CAP["key" if key else "preview"], format_output="JSON",
                   breakdownMode="classic", includeDesc=True)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            frame = (client.getFinalData(key, **options) if key
                     else client.previewFinalData(**options))
    except Exception as exc:  # the client parses the body itself; any failure is the API's
        raise FetchError(f"{period} HS {code}: unexpected response "
                         f"({type(exc).__name__}: {exc})") from None
    if frame is None:
        raise FetchError(f"{period} HS {code}: {_http_error(printed.getvalue())}")
    cap = options["maxRecords"]
    if len(frame) >= cap:
        raise FetchError(f"{period} HS {code}: {len(frame)} rows, the cap of one call; expected "
                         "fewer (ask for one partner, or use a key)")
    missing = [c for c in RESPONSE_COLUMNS if len(frame) and c not in frame.columns]
    if missing:
        raise FetchError(f"{period} HS {code}: unexpected response (no column "
                         f"{', '.join(missing)}); expected the API's final-data columns")
    return frame


def _http_error(printed: str) -> str:
    """What the client printed for a failed call, classified."""
    text = printed.strip()
    try:
        body = json.loads(text)
        status, message = int(body.get("statusCode", 0)), str(body.get("message", text))
    except (ValueError, AttributeError):
        found = re.search(r"\b(4\d\d|5\d\d)\b", text)
        status, message = (int(found[1]) if found else 0), text
    message = " ".join(message.split())[:200] or "no response body"
    if status == 401 or "subscription key" in message.lower():
        return f"invalid key (HTTP 401: {message}); check --key or {KEY_VARIABLE}"
    if status == 429 or "rate limit" in message.lower():
        return f"rate limit (HTTP 429: {message}); wait and re-run"
    if status == 403 or "quota" in message.lower():
        return f"quota used up (HTTP {status or 403}: {message}); re-run when it is replenished"
    if message.startswith("Request error"):
        return f"no connection ({message})"
    return f"HTTP error{f' {status}' if status else ''} ({message})"


def _redact(text: str, key: str | None) -> str:
    """A message without the key (the client's errors quote the URL, key included)."""
    text = re.sub(r"(subscription-key=)[^&\s)'\"]+", r"\1***", text)
    return text.replace(key, "***") if key else text


def fetch(q: Query, key: str | None, out: Path, *, client: Any = None,
          sleep: Callable[[float], None] = time.sleep, now: datetime | None = None,
          progress: bool = False):
    """Run every call of `q`, then save one snapshot; FetchError (nothing written) on failure."""
    import pandas as pd
    from tqdm import tqdm

    from helpers import snapshots

    if client is None:
        import comtradeapicall as client
    mode = "key" if key else "preview"
    frames, empty = [], []
    calls = q.calls()
    for number, (period, code) in enumerate(tqdm(calls, desc="UN Comtrade", unit="call",
                                                 disable=not progress)):
        if number:
            sleep(PAUSE_S)
        try:
            frame = _call(client, key, q, period, code)
        except FetchError as exc:
            raise FetchError(f"{q}: {_redact(str(exc), key)}; nothing written") from None
        if len(frame):
            frames.append(frame)
        else:
            empty.append(f"{period} HS {code}")
    if not frames:
        raise FetchError(f"{q}: empty result ({len(calls)} calls, no rows); nothing written")
    data = pd.concat(frames, ignore_index=True)
    csv_bytes = data.to_csv(index=False, lineterminator="\n").encode("utf-8")
    retrieved = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    record = {"query": q.record(), "url": q.url(mode), "access": mode,
              "retrieved": retrieved.isoformat(timespec="seconds"),
              "calls": len(calls), "calls_without_rows": empty,
              "dataset_version": {c: sorted(map(str, data[c].dropna().unique()))
                                  for c in snapshots.VERSION_COLUMNS if c in data.columns}}
    return snapshots.save(csv_bytes, len(data), record, out, q.stem(),
                          retrieved.date().isoformat())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `fetch comtrade`."""
    parser.add_argument("--reporter", required=True,
                        help="reporter: M49 code or name (156/China, 392/Japan, ...)")
    parser.add_argument("--partner", default="all",
                        help="partner code or name; default all (156 for imports from China)")
    parser.add_argument("--flow", required=True, help="X (exports) or M (imports)")
    parser.add_argument("--cmd", required=True,
                        help="HS codes, comma-separated (850511 magnets of metal, 280530 "
                             "rare-earth metals, 2846 compounds)")
    parser.add_argument("--period", required=True, help="YYYY-MM:YYYY-MM (or one month)")
    parser.add_argument("--key", default=None,
                        help=f"subscription key (default: ${KEY_VARIABLE}; without one, the "
                             f"preview API, at most {ROW_CAP['preview']} rows a call)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="snapshot folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The command: one line per outcome; exit 2 (nothing written) on a bad query or failure."""
    try:
        q = query(args.reporter, args.partner, args.flow, args.cmd, args.period)
    except ValueError as exc:
        print(f"error: UN Comtrade query: {exc}; nothing fetched", file=sys.stderr)
        return 2
    key = args.key or os.environ.get(KEY_VARIABLE) or None
    calls = len(q.calls())
    print(f"{q}: {calls} call{'' if calls == 1 else 's'} "
          + ("with a key" if key else f"without a key (preview API, at most "
             f"{ROW_CAP['preview']} rows a call)"))
    try:
        saved = fetch(q, key, Path(args.out), progress=sys.stderr.isatty())
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {q}: cannot write the snapshot in {args.out} ({exc.strerror or exc}); "
              "nothing written", file=sys.stderr)
        return 2
    where = _shown(saved.path)
    if saved.written:
        print(f"wrote {where} ({saved.rows:,} rows, sha256 {saved.sha256[:12]}) and "
              f"{where.with_suffix('.json').name}")
    else:
        print(f"identical to {where} (same sha256 {saved.sha256[:12]}, {saved.rows:,} rows); "
              "nothing written")
    return 0


def _shown(path: Path) -> Path:
    """A path relative to the project when it is inside it."""
    try:
        return path.resolve().relative_to(paths.ROOT)
    except ValueError:
        return path
