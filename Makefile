# irsa-guard. `make help` lists the targets.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN     ?= $(CURDIR)/bin
GO      ?= go

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/webhook.
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN)/webhook ./cmd/webhook

.PHONY: envtest
envtest: ## Build (first run, ~6 min) or reuse the cached kube-apiserver, etcd and kubectl.
	@hack/envtest.sh >/dev/null

.PHONY: tools
tools: ## Install (first run) or reuse the pinned helm and kustomize.
	@hack/tools.sh >/dev/null

.PHONY: unit
unit: ## Unit tests only (no control plane, no tools).
	$(GO) test ./...

.PHONY: test
test: ## All tests: unit, packaging and end-to-end on a real kube-apiserver with real kubectl.
	@assets="$$(hack/envtest.sh)"; tools="$$(hack/tools.sh)"; \
	  export KUBEBUILDER_ASSETS="$$assets" KUBECTL="$$assets/kubectl" HELM="$$tools/helm" KUSTOMIZE="$$tools/kustomize"; \
	  echo "KUBEBUILDER_ASSETS=$$KUBEBUILDER_ASSETS"; \
	  $(GO) vet -tags e2e ./...; \
	  $(GO) test -tags e2e -count=1 -timeout 30m ./...

.PHONY: demo
demo: build ## Start a local control plane and the webhook, apply the examples with kubectl, show what users see.
	@hack/demo.sh

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 10m) each.
	@hack/fuzz.sh $${FUZZTIME:-10m}

.PHONY: bench
bench: ## Benchmarks of the engine and the IAM cache.
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

.PHONY: fmt
fmt: ## gofmt the tree.
	gofmt -w $$(git ls-files '*.go')
