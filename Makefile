# The README's two commands: `make demo` and `make test`. `make install` is their shared prerequisite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Test workers: most tests wait on real servers and browsers, so three share two cores well.
WORKERS ?= 3

.PHONY: install demo test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Field IMS needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[server,reports,dev]'
	@touch $@

demo: install
	$(BIN)/ims demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -n $(WORKERS)

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) ims-data tests/artifacts .pytest_cache
