# The two commands of the README:
#   make run   installs into .venv and starts the app on the bundled sample hospital
#   make test  installs into .venv and runs lint (ruff, import layers) and the whole test suite (unit, database, browser)
VENV ?= .venv
# The app listens on this machine only; set ADDRESS=0.0.0.0 behind a TLS reverse proxy to serve others.
ADDRESS ?= 127.0.0.1
PORT ?= 8501
PY := $(VENV)/bin/python

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

.PHONY: run test lint
run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider
