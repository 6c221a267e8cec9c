# Two entry points for a newcomer: `make brief` and `make test`. Both bootstrap .venv from the
# pinned versions in constraints.txt the first time, and are quick once it exists.
PY := python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MONTH ?=
FROM ?=
TO ?=

.PHONY: venv brief briefs test lab notebooks coverage bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "error: $(PY) not found; install Python 3.11"; exit 2; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $(STAMP)

brief: $(STAMP)
	$(BIN)/python -m helpers brief $(if $(MONTH),--month $(MONTH),)

briefs: $(STAMP)
	$(BIN)/python -m helpers briefs --from $(FROM) --to $(TO)

test: $(STAMP)
	$(BIN)/ruff check helpers tests benchmarks
	$(BIN)/python -m pytest -q tests
	$(BIN)/python -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/0*.ipynb

lab: $(STAMP)
	$(BIN)/jupyter lab --allow-root --notebook-dir=notebooks

notebooks: $(STAMP)
	$(BIN)/python -m helpers notebooks

coverage: $(STAMP)
	$(BIN)/python -m helpers coverage

bench: $(STAMP)
	$(MAKE) -C benchmarks

clean:
	rm -rf $(VENV)
