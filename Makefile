# Everything runs from a virtual environment made from this repository's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv train test test-fast lint bench docs models models-mnist members-mnist cvl-sources judge rehearsal clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo "make venv: 1/3 creating $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "make venv: 2/3 upgrading pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "make venv: 3/3 installing digitcli and its dependencies (TensorFlow: a few minutes)"
	# setuptools warns of every editable install in a block of asterisks: not for us to act on
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --progress-bar off -e '.[dev,onnx,bench,serve,dask]'
	touch $(STAMP)
	@echo "make venv: done; run $(BIN)/digitcli --help"

## The MNIST training digits `train --init bundled` rehearses with (digitcli/training/
## rehearsal.npz: 500 of each digit, seed 0; its `about` records the data's sha256 and the command).
rehearsal: venv
	$(BIN)/python bench/build/make_rehearsal.py --data MNIST

## Train the default model (mlp, 18 epochs) on the bundled MNIST; it goes to the models folder
## in your user data folder (`digitcli models` shows where).
train: venv
	$(BIN)/digitcli train

## Lint, then every test (the slow ones train on the real MNIST).
test: venv lint
	$(BIN)/pytest -n auto --durations=25

## The tests without the slow ones (those that train models), on every core.
test-fast: venv lint
	$(BIN)/pytest -n auto -m 'not slow' --durations=25

lint: venv
	$(BIN)/ruff check digitcli tests bench docs
	$(BIN)/ruff format --check digitcli tests bench docs
	$(BIN)/lint-imports

## Side-by-side benchmarks; writes docs/performance.md's table and the README's summary of it.
bench: venv
	$(BIN)/python bench/perf/run.py --readme

## The generated pages: docs/commands.md from the app (the tests check it is current).
docs: venv
	$(BIN)/python docs/make_commands.py

## Rebuild every bundled artefact from scratch (hours on 2 cores): the bundled model's members
## and the model, then read's line reader, then the preparation's judge. Each records what it fits
## (digitcli/core/fits.py). Members are trained in build/models/. The bundled model also learns
## from two collections not in this repository (docs/measurements/other-writers.md says where
## each is from): CVL= the CVL Single Digit database's folder (train/, valid/, test/) and USPS=
## ElemStatLearn's zip.train.RData. `make models-mnist` needs neither: it makes the model of
## MNIST alone that the bundled one starts from (`make bundled-mnist`: that model alone).
MEMBERS := build/models
MIX := build/cvl/mnist-cvl3-usps.npz
TUNE := --data $(MIX) --flags long --validation-seed 0 --force
models: cvl-sources members-mnist judge
	$(BIN)/python bench/build/usps.py build --rdata $(USPS) --out build/usps
	$(BIN)/python bench/build/cvl.py mix --cvl $(CVL) --copies 3 --usps build/usps --out build/cvl
	for seed in 0 1; do \
		$(BIN)/digitcli train --arch cnn --init $(MEMBERS)/cnn$$seed --epochs 4 \
			--learning-rate 0.001 --seed $$seed $(TUNE) --output $(MEMBERS)/cvl-cnn$$seed && \
		$(BIN)/digitcli train --arch cnn --init $(MEMBERS)/cvl-cnn$$seed --epochs 1 \
			--learning-rate 0.0005 --seed $$seed $(TUNE) --output $(MEMBERS)/cvl-cnn$$seed-e5 \
		|| exit 1; done
	$(BIN)/digitcli train --data $(MIX) --validation-seed 0 --output $(MEMBERS)/cvl-mlp --force
	$(BIN)/python bench/build/make_bundled.py $(MEMBERS)/cvl-cnn0-e5 $(MEMBERS)/cvl-cnn1-e5 \
		$(MEMBERS)/cvl-mlp
	$(BIN)/python bench/build/make_line_reader.py

cvl-sources:
	@test -n "$(CVL)" -a -n "$(USPS)" || { echo "Error: make models needs CVL=DIR (the CVL \
	Single Digit database) and USPS=FILE (zip.train.RData); make models-mnist needs neither"; \
	exit 2; }

models-mnist: bundled-mnist judge
	$(BIN)/python bench/build/make_line_reader.py

## The bundled model of MNIST alone, in one command and from no outside data (about an hour on
## 2 cores): its members (two CNNs, 60 epochs with long flags, and the default mlp), read as one
## into BUNDLED. On a small slice, to try it: `make bundled-mnist DATA=DIR CNN_EPOCHS=1
## MLP_EPOCHS=1 MEMBERS=DIR BUNDLED=DIR` (tests/test_make_bundled_mnist.py runs that).
DATA ?= MNIST
CNN_EPOCHS ?= 60
MLP_EPOCHS ?= 18
BUNDLED ?= digitcli/models/pretrained
.PHONY: bundled-mnist
bundled-mnist: members-mnist
	$(BIN)/python bench/build/make_bundled.py $(MEMBERS)/cnn0 $(MEMBERS)/cnn1 $(MEMBERS)/mlp \
		--data $(DATA) --output $(BUNDLED)

members-mnist: venv
	mkdir -p $(MEMBERS)
	for seed in 0 1; do $(BIN)/digitcli train --arch cnn --epochs $(CNN_EPOCHS) --flags long \
		--seed $$seed --validation-seed 0 --data $(DATA) --output $(MEMBERS)/cnn$$seed --force \
		|| exit 1; done
	$(BIN)/digitcli train --epochs $(MLP_EPOCHS) --data $(DATA) --output $(MEMBERS)/mlp --force

## The preparation's judge of pictures on paper (digitcli/imaging/judge.tflite), from made
## pictures and the real set (REAL: a folder `python bench/checks/real_pictures.py build` wrote).
## This builds a judge from nothing; the shipped one is fine-tuned from such a judge with real
## register cells, photos and drawn folders (`make_judge.py --init`): its fits record holds the
## last step's command and folders, and names the judge it started from (docs/measurements/
## preparation.md, rounds 10, 13 and 14).
REAL ?= bench/results/real
# The made views are cached under the hash of the code that makes them: never a stale cache.
VIEWS = $(shell cat bench/*/*.py tests/generators/*.py digitcli/imaging/*.py | sha1sum | cut -c1-12)
judge: venv
	mkdir -p build
	$(BIN)/python bench/build/make_judge.py --real $(REAL) --cache build/judge-views-$(VIEWS).npz

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
