# tickcast: `make run` starts the whole system, `make test` runs everything CI checks.
# Both install what they need on a fresh Debian machine.

SHELL := /bin/bash
GO ?= go
STATICCHECK_VERSION := v0.8.2
GOBIN := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
BIN := bin
ADDR ?= 127.0.0.1:8080

.PHONY: all run build test vet lint fmt staticcheck gotest bench deps web web-test tools

all: build

deps:
	$(GO) mod download

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

tools: $(STATICCHECK)

build: deps web
	$(GO) build -o $(BIN)/tickcast ./cmd/tickcast
	$(GO) build -o $(BIN)/tickbench ./cmd/tickbench

run: build
	./$(BIN)/tickcast serve --addr $(ADDR) $(ARGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

vet: deps
	$(GO) vet ./...

staticcheck: $(STATICCHECK) deps
	$(STATICCHECK) ./...

lint: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

gotest: deps web
	$(GO) test -race -shuffle=on -timeout 20m ./...

test: lint gotest web-test

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The web UI targets are filled in by the UI work (web/).
web:
	@true

web-test:
	@true
