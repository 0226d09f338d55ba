# clawops.openclaw: the two everyday commands are `make lab` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

lab: ## converge a disposable local systemd container with playbooks/site.yml and show the gateway
	@scripts/lab.sh up

lab-destroy: ## remove the lab container
	@scripts/lab.sh down

test: ## the whole suite: unit tests, ansible-test sanity, ansible-lint, galaxy-importer, molecule (what CI runs)
	@scripts/test.sh

test-unit: ## unit tests of the modules only
	@scripts/test.sh unit

test-sanity: ## ansible-test sanity only
	@scripts/test.sh sanity

lint: ## ansible-lint (production profile) only
	@scripts/test.sh lint

gates: ## galaxy-importer on the built collection only
	@scripts/test.sh gates

molecule: ## molecule scenarios only (S=name for one)
	@scripts/test.sh molecule $(S)

bench: ## benchmarks: converge vs its floor, recovery per fault vs the restart floor (BENCH=converge|recovery|upgrade|watchdog)
	@scripts/bench.sh $(or $(BENCH),all)

.PHONY: help lab lab-destroy test test-unit test-sanity lint gates molecule bench
