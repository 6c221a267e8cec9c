"""Where the project's files live, resolved from the package so the working directory never matters."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIGURES = DATA / "figures.csv"
PERIOD_CORRECTIONS = DATA / "period_corrections.csv"
ANNOTATIONS = DATA / "annotations.csv"
EVENTS = DATA / "events.csv"
REFERENCE = DATA / "reference"
RELEASE_CALENDAR = REFERENCE / "release_calendar.csv"
OUTLETS = REFERENCE / "outlets.csv"
MANIFEST = DATA / "datapackage.json"
COVERAGE = DATA / "COVERAGE.md"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
BRIEF_TEMPLATE = NOTEBOOKS / "monthly_brief.ipynb"
