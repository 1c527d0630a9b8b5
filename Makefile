# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# reinstall whenever pyproject.toml changes
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test serve bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

run: venv
	$(BIN)/smeproc db upgrade
	$(BIN)/smeproc demo --links http://$(HOST):$(PORT)
	@echo "smeproc: http://$(HOST):$(PORT)/v1/health"
	@# the worker runs background jobs beside the server and stops with it
	$(BIN)/smeproc worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	$(BIN)/smeproc serve --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/tox

clean:
	rm -rf .tox var
