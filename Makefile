# Everything runs from a virtual environment made from this repository's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv train test test-fast lint bench docs clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,onnx,bench,serve]'
	touch $(STAMP)

## Train the default model (mlp, 18 epochs) on the bundled MNIST.
train: venv
	$(BIN)/digitcli train

## Lint, then every test (the slow ones train on the real MNIST).
test: venv lint
	$(BIN)/pytest

## The tests without the slow ones.
test-fast: venv lint
	$(BIN)/pytest -m 'not slow'

lint: venv
	$(BIN)/ruff check digitcli tests bench docs
	$(BIN)/ruff format --check digitcli tests bench docs

## Side-by-side benchmarks; writes docs/performance.md's table and the README's summary of it.
bench: venv
	$(BIN)/python bench/run.py --readme

## The generated pages: docs/commands.md from the app (the tests check it is current).
docs: venv
	$(BIN)/python docs/make_commands.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
