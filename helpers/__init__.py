"""Rare-earth customs monitor: China's rare-earth trade figures, validated, modelled and briefed.

Stages, one module each: `comtrade` and `snapshots` (the only network use: UN Comtrade into
dated snapshots), `figures` (load and validate data/figures.csv), `customs` (raw GACC and
UN Comtrade files), `series` (gap-aware monthly series with provenance), `mirror` (China's
exports against partners' imports), `events` (policy timeline), `models` and `evaluate`
(forecasts, surprises, backtests), `interventions` (event studies and intervention
regressions), `plots`, `brief` (papermill rendering of the monthly brief).
"""

from helpers.errors import DataError

__all__ = ["DataError"]
