# tickcast: `make run` starts the whole system, `make test` runs everything CI checks.
# Both install what they need on a fresh Debian machine.

SHELL := /bin/bash
GO ?= go
STATICCHECK_VERSION := v0.8.2
GOBIN := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
BIN := bin
ADDR ?= 127.0.0.1:8080
# make run keeps the venue's state here (git-ignored): accounts, orders and
# the feed survive a restart. DATA_DIR= runs in memory.
DATA_DIR ?= data

.PHONY: all run run-cluster build test vet lint fmt staticcheck gotest bench deps sysdeps web web-test tools

# Debian packages the tests need: nginx (SSE behind a buffering proxy, the
# cluster's balancer), redis-server (the cluster tests start one when none
# answers at 127.0.0.1:6379), chromium (UI tests), node and npm (the UI
# build). Installed when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
define need_deb
	@command -v $(1) >/dev/null 2>&1 || [ -x /usr/sbin/$(1) ] || { echo "installing $(2)"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; }
endef

all: build

deps:
	$(GO) mod download

sysdeps:
	$(call need_deb,node,nodejs npm)
	$(call need_deb,nginx,nginx-light)
	$(call need_deb,redis-server,redis-server)
	$(call need_deb,chromium,chromium)

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

tools: $(STATICCHECK)

build: deps web
	$(GO) build -o $(BIN)/tickcast ./cmd/tickcast
	$(GO) build -o $(BIN)/tickbench ./cmd/tickbench

run: build
	./$(BIN)/tickcast serve --addr $(ADDR) $(if $(DATA_DIR),--data-dir $(DATA_DIR)) $(ARGS)

# One engine, two edges and nginx round-robin in front, on this machine,
# over the Redis at 127.0.0.1:6379 (or one of its own): scripts/run-cluster.
run-cluster: build sysdeps
	BIN=$(BIN) ADDR=$(ADDR) ARGS="$(ARGS)" ./scripts/run-cluster

fmt:
	gofmt -w $$(git ls-files -co --exclude-standard '*.go')

vet: deps
	$(GO) vet ./...

staticcheck: $(STATICCHECK) deps
	$(STATICCHECK) ./...

# gofmt, go vet, staticcheck, go.mod/go.sum tidy, and no non-test Go file
# over 500 lines (one concern per file).
lint: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if git grep -nE '^(<<<<<<<|>>>>>>>) ' -- . ':!*.png' >/dev/null; then echo "merge conflict markers:"; git grep -nE '^(<<<<<<<|>>>>>>>) ' -- . ':!*.png'; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }
	@long=$$(for f in $$(git ls-files -co --exclude-standard '*.go' | grep -v '_test.go$$'); do n=$$(wc -l < $$f); [ $$n -gt 500 ] && echo "$$f: $$n lines"; done); \
		if [ -n "$$long" ]; then echo "non-test Go files over 500 lines (split them):"; echo "$$long"; exit 1; fi

# The suite under the race detector, then the heavy tests (TestHeavy*, in
# files built without it: the detector makes them far too slow) once more
# without it.
gotest: deps sysdeps web
	$(GO) test -race -shuffle=on -timeout 20m ./...
	$(GO) test -shuffle=on -timeout 10m -run '^TestHeavy' ./...

test: lint gotest web-test web-e2e

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The churn test of `make test` (feed/e2e_churn_test.go) for longer: waves of
# clients that come and go every way a client can, and after each wave no
# goroutine, file, session, viewer or account left and no heap growth.
# SOAK_WAVES waves of about 6.5 s each; the default is about 10 minutes.
SOAK_WAVES ?= 90
.PHONY: soak
soak: deps
	TICKCAST_CHURN_WAVES=$(SOAK_WAVES) $(GO) test -count 1 -timeout 0 -v \
		-run '^TestE2EChurnLeavesNothingBehind$$' ./feed/

# The web UI (web/): TypeScript built by esbuild into web/dist/, embedded by go:embed.
# npm ci runs only when node_modules is missing or the lockfile changed; the bundle is
# rebuilt only when a source is newer than it, so `make run` stays fast.
WEB_NPM_STAMP := web/node_modules/.npm-ci.stamp
WEB_SOURCES := $(shell find web/src web/static web/scripts -type f 2>/dev/null) \
	web/package.json web/tsconfig.json

.PHONY: web-e2e

$(WEB_NPM_STAMP): web/package-lock.json web/package.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: $(WEB_NPM_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build

web: web/dist/index.html

# Type check (sources and tests) and unit tests.
web-test: $(WEB_NPM_STAMP)
	cd web && npm test --silent

# Browser tests against the real server (bin/tickcast on a free port, or TICKCAST_URL),
# driven by playwright-core with Debian's Chromium (never a downloaded browser).
# Only the server binary is needed (not tickbench).
web-e2e: deps web
	$(GO) build -o $(BIN)/tickcast ./cmd/tickcast
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	cd web && npm run --silent e2e

# What the benchmarks against a server process share: both binaries, the
# open-files limit raised to the hard one (each process holds a socket per
# connection), and a wait of up to 300 s for the server at $(1) to be ready.
.PHONY: bench-bins
bench-bins: deps
	$(GO) build -o $(BIN)/tickcast ./cmd/tickcast
	$(GO) build -o $(BIN)/tickbench ./cmd/tickbench

RAISE_NOFILE = ulimit -n $$(ulimit -Hn); echo "open files limit: $$(ulimit -n)"
# await_ready waits for the server started as $$srv to say ready (its warm
# start done), at most 300 s; else it stops that server and fails: a run
# against a server that is not live measures nothing.
await_ready = for j in $$(seq 3000); do curl -sf http://$(1)/readyz >/dev/null && break; \
	if [ $$j = 3000 ]; then echo "server at $(1) not ready after 300 s" >&2; kill $$srv 2>/dev/null; exit 1; fi; sleep 0.1; done

# Fan-out benchmark (bench/, cmd/tickbench): starts a fresh server, runs the
# standard sweep of WebSocket client counts against it, and updates the
# fan-out table of BENCHMARKS.md (between its tickbench markers) and the
# chart docs/fanout-sweep.svg. 18,000 is the most connections one server
# process can hold here: both processes are capped at 20,000 open files.
# Override e.g. FANOUT_SWEEP=ws=1000,5000 FANOUT_SIM_RATE=2 FANOUT_DURATION=30s.
FANOUT_ADDR ?= 127.0.0.1:28080
FANOUT_SWEEP ?= ws=1000,5000,10000,18000
FANOUT_SIM_RATE ?= 1
FANOUT_DURATION ?= 20s
FANOUT_ARGS ?=

.PHONY: bench-fanout
bench-fanout: bench-bins
	@$(RAISE_NOFILE); \
	./$(BIN)/tickcast serve --addr $(FANOUT_ADDR) --sim-rate $(FANOUT_SIM_RATE) --seed 1 --log-level warn \
		--max-conns-per-ip 20000 --max-viewers-per-ip 20000 & srv=$$!; \
	trap 'kill $$srv 2>/dev/null; wait $$srv 2>/dev/null' EXIT; \
	$(call await_ready,$(FANOUT_ADDR)); \
	./$(BIN)/tickbench --target http://$(FANOUT_ADDR) --sweep $(FANOUT_SWEEP) --duration $(FANOUT_DURATION) \
		--source-ips 127.0.0.2-127.0.0.9 --out docs/fanout-sweep.json --plot docs/fanout-sweep.svg \
		--label "tickcast serve --sim-rate $(FANOUT_SIM_RATE) --seed 1 at $$(git rev-parse --short HEAD 2>/dev/null)" \
		--update-md BENCHMARKS.md $(FANOUT_ARGS)

# SSE viewers (BENCHMARKS.md, "SSE viewers"): SSE_RUNS runs, each against a
# fresh server (SSE_TICKCAST, built from this tree unless given): SSE_VIEWERS
# viewers of the default stream (the ticker of every symbol) from
# 127.0.0.2-127.0.0.9, a 5 s warm-up and an SSE_DURATION window, then SIGTERM
# to the server with every viewer connected (tickbench --stop-pid measures how
# the streams end). The server takes up to 20,000 viewers per address (the
# load generator is one host). The run reports go to SSE_OUT; their summary
# (medians) replaces the tickbench:SSE_SECTION table of BENCHMARKS.md (none:
# SSE_SECTION=).
SSE_ADDR ?= 127.0.0.1:24080
SSE_VIEWERS ?= 10000
SSE_RUNS ?= 3
SSE_DURATION ?= 60s
SSE_SERVER_ARGS ?= --seed 7 --sim-rate 1
SSE_TICKCAST ?= $(BIN)/tickcast
SSE_LABEL ?= tickcast serve $(SSE_SERVER_ARGS) at $$(git rev-parse --short HEAD 2>/dev/null)
SSE_OUT ?= docs/sse-runs
SSE_SECTION ?= sse
SSE_ARGS ?=

.PHONY: bench-sse
bench-sse: bench-bins
	@$(RAISE_NOFILE); \
	mkdir -p $(SSE_OUT); rm -f $(SSE_OUT)/run-*.json; \
	for i in $$(seq $(SSE_RUNS)); do \
		$(SSE_TICKCAST) serve --addr $(SSE_ADDR) $(SSE_SERVER_ARGS) --max-viewers-per-ip 20000 --log-level warn & srv=$$!; \
		$(call await_ready,$(SSE_ADDR)); \
		./$(BIN)/tickbench --target http://$(SSE_ADDR) --sse $(SSE_VIEWERS) --duration $(SSE_DURATION) --warmup 5s \
			--ramp 10000 --source-ips 127.0.0.2-127.0.0.9 --stop-pid $$srv --quiet --out $(SSE_OUT)/run-$$i.json \
			--label "$(SSE_LABEL)" $(SSE_ARGS) || { kill $$srv 2>/dev/null; wait $$srv; exit 1; }; \
		wait $$srv; \
	done; \
	./$(BIN)/tickbench --summarize $(if $(SSE_SECTION),--update-md BENCHMARKS.md --md-section $(SSE_SECTION)) $(SSE_OUT)/run-*.json

# Clients that stop reading (BENCHMARKS.md, "Clients that stop reading"):
# STALLED_RUNS pairs of runs, each against a fresh server (STALLED_TICKCAST,
# built from this tree unless given): STALLED_FAST reading WebSocket
# clients with STALLED_N stalled ones (subscribed like them, never
# reading, read at the end to find how they were cut), and the same
# reading clients alone, the pair's order alternating from run to run. The
# reports go to STALLED_OUT (stalled-N.json, alone-N.json); their summary
# (medians, and each pair's ratio) replaces the tickbench:STALLED_SECTION
# table of BENCHMARKS.md (none: STALLED_SECTION=).
STALLED_ADDR ?= 127.0.0.1:26180
STALLED_N ?= 1000
STALLED_FAST ?= 100
STALLED_RUNS ?= 3
STALLED_DURATION ?= 50s
STALLED_SERVER_ARGS ?= --seed 7 --sim-rate 20 --warm-start 0
STALLED_TICKCAST ?= $(BIN)/tickcast
STALLED_LABEL ?= tickcast serve $(STALLED_SERVER_ARGS) at $$(git rev-parse --short HEAD 2>/dev/null)
STALLED_OUT ?= docs/stalled-runs
STALLED_SECTION ?= stalled
STALLED_ARGS ?=

.PHONY: bench-stalled
bench-stalled: bench-bins
	@$(RAISE_NOFILE); \
	mkdir -p $(STALLED_OUT); rm -f $(STALLED_OUT)/stalled-*.json $(STALLED_OUT)/alone-*.json; \
	for i in $$(seq $(STALLED_RUNS)); do \
		if [ $$((i % 2)) = 1 ]; then order="stalled alone"; else order="alone stalled"; fi; \
		for kind in $$order; do \
			n=$(STALLED_N); [ $$kind = alone ] && n=0; \
			$(STALLED_TICKCAST) serve --addr $(STALLED_ADDR) $(STALLED_SERVER_ARGS) --max-conns-per-ip 20000 --log-level warn & srv=$$!; \
			$(call await_ready,$(STALLED_ADDR)); \
			./$(BIN)/tickbench --target http://$(STALLED_ADDR) --ws $(STALLED_FAST) --stalled $$n --duration $(STALLED_DURATION) \
				--warmup 2s --source-ips 127.0.0.2-127.0.0.9 --quiet --out $(STALLED_OUT)/$$kind-$$i.json \
				--label "$(STALLED_LABEL)" $(STALLED_ARGS) || { kill $$srv 2>/dev/null; wait $$srv; exit 1; }; \
			kill $$srv; wait $$srv; \
		done; \
	done; \
	./$(BIN)/tickbench --summarize --baseline '$(STALLED_OUT)/alone-*.json' \
		$(if $(STALLED_SECTION),--update-md BENCHMARKS.md --md-section $(STALLED_SECTION)) $(STALLED_OUT)/stalled-*.json
