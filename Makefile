# PTQKit make targets. Every target installs what it needs first (Debian, as root).
SWIFT ?= swift
PTQ_RELEASE := .build/release/ptq

.PHONY: deps build test demo bench clean

# libhdf5 and pkg-config from Debian (SwiftPM needs the pkg-config program to find hdf5.pc).
deps:
	@if ! pkg-config --exists hdf5 2>/dev/null; then \
	  echo "installing libhdf5-dev pkg-config"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libhdf5-dev pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product ptq

# The main job on the bundled calibration data.
demo: build
	$(PTQ_RELEASE) inspect --stats Calibration/weights.h5 Calibration/activations.h5

# The issue-6 benchmark table (generates bench-data/ once, ~1 GiB). The numpy baseline runs with
# $(PYTHON) when it has numpy and h5py, and is skipped otherwise.
PYTHON ?= $(shell test -x /work/venv-ref/bin/python && echo /work/venv-ref/bin/python || echo python3)
bench: deps
	$(SWIFT) build -c release --product ptq-bench
	$(SWIFT) build -c release --product ptq
	PTQ_BENCH_PYTHON=$(PYTHON) .build/release/ptq-bench suite $(BENCH_ARGS)

test: deps
	$(SWIFT) test

clean:
	rm -rf .build .build-example
