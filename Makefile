# PTQKit make targets. Every target installs what it needs first (Debian, as root).
SWIFT ?= swift
PTQ_RELEASE := .build/release/ptq

.PHONY: deps test-deps test-venv build test test-scale-out demo bench fuzz clean check-sanitizers format lint

# libhdf5, libxxhash (XXH3-128 input fingerprints) and pkg-config from Debian (SwiftPM needs the
# pkg-config program to find hdf5.pc and libxxhash.pc).
deps:
	@if ! pkg-config --exists hdf5 libxxhash 2>/dev/null; then \
	  echo "installing libhdf5-dev libxxhash-dev pkg-config"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libhdf5-dev libxxhash-dev \
	    pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product ptq

# The main job on the bundled calibration data: W8A8 package of the digits network, its per-layer
# table, verification against the original weights, and the held-out accuracy next to float (the
# accuracy needs a python3 with numpy and h5py: apt-get install python3-h5py python3-numpy).
DEMO_DIR := .build/demo
DEMO_CONFIG ?= Configs/w8a8-per-channel.yaml
DEMO_PYTHON ?= $(shell for p in python3 /usr/bin/python3; do $$p -c "import h5py, numpy" 2>/dev/null && echo $$p && break; done)
demo: build
	@mkdir -p $(DEMO_DIR)
	$(PTQ_RELEASE) calibrate --weights Calibration/weights.h5 --activations Calibration/activations.h5 \
	  --config $(DEMO_CONFIG) --output $(DEMO_DIR)/w8a8 --force
	$(PTQ_RELEASE) verify $(DEMO_DIR)/w8a8 --against Calibration/weights.h5
	$(PTQ_RELEASE) dequantize $(DEMO_DIR)/w8a8 -o $(DEMO_DIR)/restored.h5 --force
	@if [ -n "$(DEMO_PYTHON)" ]; then $(DEMO_PYTHON) Calibration/evaluate_package.py $(DEMO_DIR)/w8a8 $(DEMO_DIR)/restored.h5; \
	else echo "(no python3 with numpy and h5py: accuracy not evaluated)"; fi

# The benchmark tables (generates bench-data/ once: a 1 GiB activation file and a 2 GiB weights file):
# observers, raw read floors, whole `ptq calibrate` jobs and h5py's read of the same files. h5py and numpy
# come from $(PYTHON): the test venv of `make test-venv` when it exists, else Debian's python3 (test-deps
# installs python3-h5py and python3-numpy); the h5py rows are skipped when neither has them.
PYTHON ?= $(shell test -x $(TEST_VENV)/bin/python && echo $(TEST_VENV)/bin/python || echo /usr/bin/python3)
bench: deps
	$(SWIFT) build -c release --product ptq-bench
	$(SWIFT) build -c release --product ptq
	PTQ_BENCH_PYTHON=$(PYTHON) .build/release/ptq-bench suite $(BENCH_ARGS)

# What the tests use besides libhdf5: h5py + numpy (interop and fixture checks), gdb (MutationTests and
# CrashIsolationTests attribute a probe's crash to libhdf5 from gdb's backtrace). Debian, as root.
test-deps: deps
	@if ! command -v gdb >/dev/null || ! /usr/bin/python3 -c "import h5py, numpy" 2>/dev/null; then \
	  echo "installing gdb python3-h5py python3-numpy"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb python3-h5py python3-numpy >/dev/null; \
	fi

# The real consumers the interop tests run (keras + jax, onnxruntime, onnx, gguf, safetensors, ml_dtypes,
# h5py, numpy; pinned in Tests/Interop/requirements.txt) in a virtual environment under .build/ (never in
# git), made once with the python3 on the PATH (its venv module and pip). The tests find it through
# $$PTQ_PYTHON (TestSupport/InteropPython.swift).
TEST_VENV := $(CURDIR)/.build/test-venv
TEST_REQUIREMENTS := Tests/Interop/requirements.txt
test-venv:
	@if ! cmp -s $(TEST_REQUIREMENTS) $(TEST_VENV)/requirements.txt 2>/dev/null; then \
	  echo "installing the interop consumers into $(TEST_VENV)"; \
	  python3 -c "import venv, ensurepip" 2>/dev/null || { apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip >/dev/null; }; \
	  rm -rf $(TEST_VENV) && python3 -m venv $(TEST_VENV) && \
	  $(TEST_VENV)/bin/pip install -q --disable-pip-version-check -r $(TEST_REQUIREMENTS) && \
	  cp $(TEST_REQUIREMENTS) $(TEST_VENV)/requirements.txt; \
	fi

test: test-deps test-venv
	PTQ_PYTHON=$(TEST_VENV)/bin/python $(SWIFT) test
	$(MAKE) --no-print-directory test-scale-out

# The scale-out recipes on real runners (Tests/ScaleOut/): the Kubernetes manifests validated against the
# Kubernetes schema (kubernetes-validate from PyPI, in a temporary venv), and the Slurm recipes run on a
# single-node Slurm on localhost (installs slurm-wlm and munge if missing; starts and stops its own
# munged, slurmctld and slurmd) with the debug `ptq` that `swift test` builds. As root.
test-scale-out: deps
	$(SWIFT) build --product ptq
	Tests/ScaleOut/k8s_validate.sh
	Tests/ScaleOut/slurm_test.sh .build/debug/ptq

# The test suite under AddressSanitizer (+ LeakSanitizer) and then ThreadSanitizer, each built in its own
# scratch directory. The `ptq` the CLI tests spawn is the instrumented one, and the options below reach
# it through the environment. Suppressions (each one explained) are in Tests/Sanitizers/. handle_segv=0:
# CrashIsolationTests needs a libhdf5 crash to end the child by SIGSEGV, as in a normal build, not with
# ASan's report and exit status 1 (instrumented accesses are still checked); SWIFT_BACKTRACE=enable=no:
# the Swift backtracer's memory reads trip ASan. PTQ_SANITIZER skips CrashIsolationTests (see there).
SANITIZER_SUPPRESSIONS := $(CURDIR)/Tests/Sanitizers
check-sanitizers: deps
	@start=$$(date +%s); \
	PTQ_SANITIZER=address SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=handle_segv=0 LSAN_OPTIONS=suppressions=$(SANITIZER_SUPPRESSIONS)/lsan.supp:print_suppressions=0 \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan; status=$$?; \
	echo "check-sanitizers: address: exit $$status after $$(( $$(date +%s) - start )) s"; exit $$status
	@start=$$(date +%s); \
	PTQ_SANITIZER=thread TSAN_OPTIONS=suppressions=$(SANITIZER_SUPPRESSIONS)/tsan.supp:print_suppressions=0 \
	  $(SWIFT) test --sanitize=thread --scratch-path .build-tsan; status=$$?; \
	echo "check-sanitizers: thread: exit $$status after $$(( $$(date +%s) - start )) s"; exit $$status

# libFuzzer targets (Fuzz/, a separate package: the config parser; the manifest and statistics-file
# readers), each run FUZZ_SECONDS from its seed corpus; crashers land in Fuzz/Crashers/TARGET/.
FUZZ_SECONDS ?= 600
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh $(FUZZ_TARGETS)

# Formatting and lint with the swift-format that ships with the toolchain (`swift format`), configured by
# .swift-format (4-space indentation, 120 columns, NeverForceUnwrap, NeverUseForceTry,
# ValidateDocumentationComments). `make format` rewrites the files in place; `make lint` changes nothing
# and fails on any finding (--strict), one line per finding: file:line:column: warning: [Rule] message.
FORMAT_PATHS := Package.swift Sources Tests Examples Fuzz
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

clean:
	rm -rf .build .build-example .build-asan .build-tsan
