"""A fake UN Comtrade for tests: `previewFinalData` and `getFinalData` with the client's
signatures, answering from made-up rows in the API's column layout (never the network).

Made-up numbers (kg, US dollars), chosen so that ratios are easy to compute by hand:
China's exports of HS 850511 in 2025-01 and 2025-02 to several partners, and Japan's and the
United States' imports from China of 2025-01 to 2025-03.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd

API_COLUMNS = [
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO",
    "partnerDesc", "partner2Code", "partner2ISO", "partner2Desc", "classificationCode",
    "classificationSearchCode", "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel",
    "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc", "qtyUnitCode",
    "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty",
    "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated",
    "cifvalue", "fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate"]

AREAS = {0: ("W00", "World"), 156: ("CHN", "China"), 392: ("JPN", "Japan"),
         842: ("USA", "USA"), 276: ("DEU", "Germany"), 344: ("HKG", "China, Hong Kong SAR"),
         899: ("_X ", "Areas, nes")}
DESCRIPTIONS = {"850511": "Permanent magnets and articles intended to become permanent magnets "
                          "after magnetisation; of metal",
                "280530": "Rare-earth metals, scandium and yttrium, whether or not intermixed "
                          "or interalloyed",
                "850519": "Permanent magnets and articles intended to become permanent magnets "
                          "after magnetisation; other than of metal"}

# (reporter, flow, period, partner, cmd, net weight kg or None, primary value USD)
CHINA_EXPORTS = [
    (156, "X", "202501", 0, "850511", 5_000_000, 250_000_000),
    (156, "X", "202501", 392, "850511", 1_200_000, 60_000_000),
    (156, "X", "202501", 842, "850511", 800_000, 36_000_000),
    (156, "X", "202501", 276, "850511", 900_000, 45_000_000),
    (156, "X", "202501", 344, "850511", 300_000, 12_000_000),
    (156, "X", "202501", 899, "850511", 50_000, 2_000_000),
    (156, "X", "202502", 0, "850511", 4_000_000, 200_000_000),
    (156, "X", "202502", 392, "850511", 1_000_000, 50_000_000),
    (156, "X", "202502", 842, "850511", 600_000, 27_000_000),
    (156, "X", "202502", 344, "850511", 250_000, 10_000_000),
    (156, "X", "202501", 0, "280530", 400_000, 20_000_000),
    (156, "X", "202501", 392, "280530", 100_000, 5_000_000),
]
PARTNER_IMPORTS = [
    (392, "M", "202501", 156, "850511", 1_150_000, 61_000_000),
    (392, "M", "202502", 156, "850511", 1_100_000, 54_000_000),
    (392, "M", "202503", 156, "850511", 1_300_000, 66_000_000),
    (842, "M", "202501", 156, "850511", 820_000, 38_000_000),
    (842, "M", "202502", 156, "850511", None, 28_500_000),  # weight withheld
]
RETRIEVED = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


def api_row(reporter: int, flow: str, period: str, partner: int, cmd: str, kg: float | None,
            usd: float) -> dict[str, object]:
    """One record as `json_normalize` gives it from the API's JSON (classic breakdown)."""
    row = dict.fromkeys(API_COLUMNS)
    row.update({
        "typeCode": "C", "freqCode": "M", "refPeriodId": int(period + "01"),
        "refYear": int(period[:4]), "refMonth": int(period[4:]), "period": period,
        "reporterCode": reporter, "reporterISO": AREAS[reporter][0],
        "reporterDesc": AREAS[reporter][1], "flowCode": flow,
        "flowDesc": {"X": "Export", "M": "Import"}[flow], "partnerCode": partner,
        "partnerISO": AREAS[partner][0], "partnerDesc": AREAS[partner][1], "partner2Code": 0,
        "partner2ISO": "W00", "partner2Desc": "World", "classificationCode": "H6",
        "classificationSearchCode": "HS", "isOriginalClassification": True, "cmdCode": cmd,
        "cmdDesc": DESCRIPTIONS[cmd], "aggrLevel": len(cmd), "isLeaf": True,
        "customsCode": "C00", "customsDesc": "TOTAL CPC", "mosCode": "0", "motCode": 0,
        "motDesc": "TOTAL MOT", "qtyUnitCode": 8, "qtyUnitAbbr": "kg", "qty": kg,
        "isQtyEstimated": False, "altQtyUnitCode": 8, "altQtyUnitAbbr": "kg", "altQty": kg,
        "isAltQtyEstimated": False, "netWgt": kg, "isNetWgtEstimated": False,
        "grossWgt": None, "isGrossWgtEstimated": False,
        "cifvalue": usd if flow == "M" else None, "fobvalue": usd if flow == "X" else None,
        "primaryValue": usd, "legacyEstimationFlag": 0, "isReported": True,
        "isAggregate": partner == 0})
    return row


class FakeAPI:
    """Stands in for `comtradeapicall`: answers each call from `rows`, or with a failure.

    `failures` maps (period, cmd) to what the real client does on a failed call: the text it
    prints (an HTTP error body) before returning None, or an exception it raises.
    """

    def __init__(self, rows=CHINA_EXPORTS + PARTNER_IMPORTS, failures=None):
        self.rows = [api_row(*r) for r in rows]
        self.failures = failures or {}
        self.calls: list[dict[str, object]] = []

    def previewFinalData(self, typeCode, freqCode, clCode, period, reporterCode, cmdCode,
                         flowCode, partnerCode, partner2Code, customsCode, motCode,
                         maxRecords=None, format_output=None, aggregateBy=None,
                         breakdownMode=None, countOnly=None, includeDesc=None, proxy_url=None):
        return self._answer(None, locals())

    def getFinalData(self, subscription_key, typeCode, freqCode, clCode, period, reporterCode,
                     cmdCode, flowCode, partnerCode, partner2Code, customsCode, motCode,
                     maxRecords=None, format_output=None, aggregateBy=None, breakdownMode=None,
                     countOnly=None, includeDesc=None, proxy_url=None):
        return self._answer(subscription_key, locals())

    def _answer(self, key, options):
        options = {k: v for k, v in options.items() if k not in ("self", "subscription_key")}
        self.calls.append({"key": key, **options})
        failure = self.failures.get((options["period"], options["cmdCode"]))
        if isinstance(failure, Exception):
            raise failure
        if failure is not None:
            print(failure)
            return None
        partner = options["partnerCode"]
        found = [r for r in self.rows
                 if str(r["reporterCode"]) == str(options["reporterCode"])
                 and r["flowCode"] == options["flowCode"] and r["period"] == options["period"]
                 and r["cmdCode"] == options["cmdCode"]
                 and (partner is None or str(r["partnerCode"]) == str(partner))]
        return pd.json_normalize(found)


def http_body(status: int, message: str) -> str:
    """The body the API returns on an error, as the client prints it."""
    return json.dumps({"statusCode": status, "message": message})


def install(monkeypatch, fake: FakeAPI) -> FakeAPI:
    """Replace the client's two functions with the fake's."""
    import comtradeapicall

    monkeypatch.setattr(comtradeapicall, "previewFinalData", fake.previewFinalData)
    monkeypatch.setattr(comtradeapicall, "getFinalData", fake.getFinalData)
    return fake


def snapshot_folder(folder, fake: FakeAPI | None = None):
    """A snapshot folder as three fetches would leave it: China's exports (all partners),
    Japan's and the United States' imports from China."""
    from helpers import comtrade

    fake = fake or FakeAPI()
    for reporter, partner, flow, period in [("China", "all", "X", "2025-01:2025-02"),
                                            ("Japan", "156", "M", "2025-01:2025-03"),
                                            ("United States", "China", "M", "2025-01:2025-02")]:
        q = comtrade.query(reporter, partner, flow, "850511", period)
        comtrade.fetch(q, None, folder, client=fake, sleep=lambda s: None, now=RETRIEVED)
    return folder
