# The only entry point people and CI use. `.ci/run` calls `make test`.
SHELL := bash
CARGO ?= cargo
ARGS ?=

.PHONY: install run build test test-rust interop interop-setup bench fuzz mutants lint fmt fmt-check ci coverage-doc clean-cache

## Start the emulator with embedded defaults (HTTP 47080, HTTPS 47443, data dir ~/.local/share/armemu).
run:
	@$(CARGO) run --release --locked -q -p armemu --bin armemu -- $(ARGS)

build:
	$(CARGO) build --locked --workspace --all-targets

## Install `armemu` and `armctl` into ~/.cargo/bin (cargo's install root).
install:
	$(CARGO) install --locked --path emulator
	$(CARGO) install --locked --path client

## Everything: Rust unit, API and conformance tests, then the real-client interop suite
## (installs the pinned Azure SDKs and the az CLI into .cache/ on first use).
test: test-rust interop

test-rust:
	$(CARGO) test --locked --workspace

interop-setup:
	bash conformance/interop/setup.sh

interop: interop-setup
	$(CARGO) build --locked -q -p armemu --bin armemu -p armctl --bin armctl -p conformance --bin armschema
	bash conformance/interop/run.sh $${CARGO_TARGET_DIR:-target}/debug/armemu

## Speed figures (release build): start-up, GET/PUT throughput and latency vs a bare hyper server;
## writes SVG plots of them into docs/bench/ (armbench --plots DIR / --no-plots).
bench:
	$(CARGO) build --release --locked -q -p armemu -p conformance --bins
	$${CARGO_TARGET_DIR:-target}/release/armbench

## Long runs: 1,000,000 fuzzed HTTP requests (plus 20,000 over a socket), a concurrent phase
## (FUZZ_THREADS threads x FUZZ_CONCURRENT_REQUESTS, then the state's invariants are checked),
## then the model-based property test with 1,000 random sequences (PROPTEST_CASES to change),
## then the SIGKILL crash harness of --state-dir with 200 rounds (CRASH_ROUNDS, CRASH_SEED);
## prints the counts.
fuzz:
	$(CARGO) build --release --locked -q -p conformance --bin armfuzz
	$${CARGO_TARGET_DIR:-target}/release/armfuzz $(FUZZ_REQUESTS)
	PROPTEST_CASES=$${PROPTEST_CASES:-1000} $(CARGO) test --release --locked -q -p conformance --test model
	ARMEMU_CRASH_ROUNDS=$${CRASH_ROUNDS:-200} ARMEMU_CRASH_SEED=$${CRASH_SEED:-$$(date +%s)} \
		$(CARGO) test --release --locked -q -p armemu --test crash -- --nocapture

## Mutation testing of the emulator's rule modules (cargo-mutants, installed into .cache/tools):
## every mutant of MUTANTS_FILES is built and run against the suites that test those rules;
## prints the score (caught / viable). Takes about half a minute per mutant.
## The tests live in two packages, and cargo-mutants runs its baseline on the mutated package
## alone, so the baseline is skipped (`make test` is the baseline) with a fixed timeout.
MUTANTS_FILES ?= \
	emulator/src/providers/machinelearning/workspaces/rules.rs \
	emulator/src/providers/common.rs \
	emulator/src/providers/lro.rs \
	emulator/src/providers/resources/groups.rs \
	emulator/src/protocol/preconditions.rs \
	emulator/src/protocol/paging.rs \
	emulator/src/protocol/body.rs \
	emulator/src/protocol/api_version.rs
## Functions of the store whose rules the suites pin (the invariants, what the clock makes due).
MUTANTS_STORE_RE ?= State::(check_group|check_resource|due|next_deadline)|Tx<[^>]*>::(complete|remove_group|remove_tree|remove_managed_groups|move_resources|rollback_to|apply_nested)
CARGO_MUTANTS := .cache/tools/bin/cargo-mutants
MUTANTS_TESTS := --profile mutants --baseline=skip --timeout 60 --test-workspace=true --cargo-test-arg=--lib \
	--cargo-test-arg=--test=workspaces --cargo-test-arg=--test=scenarios --cargo-test-arg=--test=regressions
mutants:
	@test -x $(CARGO_MUTANTS) || $(CARGO) install --locked --root .cache/tools cargo-mutants --version 27.1.0
	-$(CARGO_MUTANTS) mutants --no-shuffle -o .cache/mutants $(MUTANTS_TESTS) $(foreach f,$(MUTANTS_FILES),--file $(f))
	-$(CARGO_MUTANTS) mutants --no-shuffle -o .cache/mutants-store $(MUTANTS_TESTS) --file emulator/src/store/state.rs --re '$(MUTANTS_STORE_RE)'
	@python3 conformance/tools/mutation_score.py .cache/mutants/mutants.out .cache/mutants-store/mutants.out

lint:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

ci: fmt-check lint test

## Regenerate COVERAGE.md from the route table and the suites.
coverage-doc:
	UPDATE_COVERAGE=1 $(CARGO) test --locked -p conformance --test coverage

clean-cache:
	rm -rf .cache
