# gokeystone: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else is a step of those.

SHELL := /bin/bash
GO ?= go
KEYSTONE_SCRIPT := scripts/keystone-local.sh
# The env file scripts/keystone-local.sh writes (see its header).
KEYSTONE_ENV := $(or $(KEYSTONE_DIR),$(or $(TMPDIR),/tmp)/gokeystone-keystone)/env
# The federation lab (docs/FEDLAB.md) and its env file.
FEDLAB_SCRIPT := scripts/federation-lab.sh
FEDLAB_ENV := $(or $(FEDLAB_DIR),$(or $(TMPDIR),/tmp)/gokeystone-fedlab)/env
# memcached and Redis on loopback, for the shared token stores and auth_token.
CACHE_SCRIPT := scripts/cache-servers.sh
CACHE_ENV := $(or $(CACHE_DIR),$(or $(TMPDIR),/tmp)/gokeystone-cache)/env

.PHONY: all test demo generate lint check-generated vet unit contract-fake integration bench keystone-start keystone-stop fedlab-start fedlab-stop fuzz

all: test

## test: everything CI runs: spec lint, generated-code freshness, vet, unit tests
## with -race, then a local Keystone and the contract tests against it.
test: lint check-generated vet unit contract-fake integration

## demo: a scripted tour of the keystone command line (token issue, catalog
## list, project create/list, user create, role add, role assignment list
## --names) against the in-memory Keystone of pkg/keystonetest, with a
## throw-away clouds.yaml (nothing to install); `make demo KEYSTONE=local`
## starts the local real Keystone and tours it. The SDK's own demo is
## `go run ./examples/demo`.
demo:
ifeq ($(KEYSTONE),local)
	@set -e; trap '$(KEYSTONE_SCRIPT) stop' EXIT; \
	$(KEYSTONE_SCRIPT) start >/dev/null; . $(KEYSTONE_ENV); \
	$(GO) run ./examples/clitour
else
	@env -u KEYSTONE_URL $(GO) run ./examples/clitour
endif

## generate: regenerate gen/ and the managers (pkg/keystone/identityv{2,3}/managers.gen.go) from the specs in api/.
generate:
	$(GO) generate ./...

## lint: validate the specs with kin-openapi and the project's spec rules.
lint:
	$(GO) run ./internal/cmd/speclint api/identity-v3.yaml
	$(GO) run ./internal/cmd/speclint api/identity-v2.yaml

## check-generated: fail if `go generate` would change gen/ or the managers.
check-generated:
	scripts/check-generated.sh

vet:
	$(GO) vet ./...
	$(GO) vet -tags integration ./...

## unit: unit tests with the race detector (no Keystone needed).
unit:
	$(GO) test -race -count=1 ./...

## contract-fake: the contract suite against the in-memory Keystone of
## pkg/keystonetest (tests of what it does not serve skip).
contract-fake:
	KEYSTONE_BACKEND=fake $(GO) test -tags integration -count=1 ./test/contract/

## integration: start a local Keystone, the federation lab (Keystone
## behind Apache with mod_auth_openidc and mod_shib, an OpenID provider, a
## second Keystone as SAML2 identity provider) and memcached and Redis
## (scripts/cache-servers.sh), run the contract tests, the
## contract suite on the in-memory Keystone again, to check that the same
## tests pass on both (internal/cmd/passset), the
## facade's and the plugins' integration tests and the CLI's parity with the
## openstack CLI against them (one package at a time: the local Keystone
## answers one request at a time, and the fault suite bounds times),
## and the benchmarks once each as a smoke test (numbers are never asserted),
## stop them.
integration:
	@set -eo pipefail; trap '$(KEYSTONE_SCRIPT) stop; $(FEDLAB_SCRIPT) stop; $(CACHE_SCRIPT) stop' EXIT; \
	$(KEYSTONE_SCRIPT) start >/dev/null; . $(KEYSTONE_ENV); \
	FEDLAB_SAML=1 $(FEDLAB_SCRIPT) start >/dev/null; . $(FEDLAB_ENV); \
	$(CACHE_SCRIPT) start >/dev/null; . $(CACHE_ENV); \
	out=$$(mktemp -d); \
	$(GO) test -tags integration -count=1 -v ./test/contract/ 2>&1 | tee $$out/real.txt; \
	KEYSTONE_BACKEND=fake $(GO) test -tags integration -count=1 -v ./test/contract/ >$$out/fake.txt 2>&1 || { cat $$out/fake.txt; exit 1; }; \
	$(GO) run ./internal/cmd/passset $$out/fake.txt $$out/real.txt; \
	$(GO) test -tags integration -count=1 -p 1 -v ./pkg/... ./internal/cli/ ./internal/fakeserver/; \
	$(GO) test -tags integration -run xxx -bench . -benchtime=1x ./pkg/tokenstore/... ./pkg/authtoken/ ./internal/fakeserver/; \
	(cd bench && $(GO) test -run xxx -bench . -benchtime=1x ./...)

## bench: the benchmarks side by side with gophercloud and plain net/http
## (docs/BENCHMARKS.md); with a local Keystone running, the CLI path too.
bench:
	cd bench && $(GO) test -run xxx -bench . -count=10 -timeout 60m ./... | tee bench.txt

## fuzz: run each fuzz target of pkg/keystone and internal/rest in turn
## (listed by `go test -list`) for FUZZTIME (default 30s). Their seed corpora
## (f.Add and <package>/testdata/fuzz/) run with every `go test`; a failing
## input is written to <package>/testdata/fuzz/<FuzzName>/.
FUZZTIME ?= 30s
FUZZPKGS := ./pkg/keystone/ ./internal/rest/
fuzz:
	@set -eo pipefail; \
	for p in $(FUZZPKGS); do \
		for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "== $$p $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$p; \
		done; \
	done

keystone-start:
	$(KEYSTONE_SCRIPT) start

keystone-stop:
	$(KEYSTONE_SCRIPT) stop

## fedlab-start / fedlab-stop: the federation lab alone (docs/FEDLAB.md);
## then `. $(FEDLAB_ENV)` and `go test -tags integration -run TestLab ./pkg/authplugin/`.
fedlab-start:
	FEDLAB_SAML=1 $(FEDLAB_SCRIPT) start

fedlab-stop:
	$(FEDLAB_SCRIPT) stop
