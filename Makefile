# MemberLens: build, test and serve. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PORT ?= 8000
# The CLI of the test build (cargo's `test` profile, target/debug): the e2e tests compare the page
# with it, and `make test` makes the site's data files with it.
TEST_CLI := $(or $(CARGO_TARGET_DIR),target)/debug/memberlens
# The wasm-bindgen tests: one test binary (tests/wasm/main.rs; tests/suite/layout.rs checks that
# every file there is one of its modules).
WASM_TESTS := --test wasm
# Resolves (and if needed downloads and verifies) MovieLens ml-latest-small; prints its directory.
# Called inside recipes, not with $(shell ...), so that a failure stops make.
FETCH := bash data/fetch.sh --print-dir | tail -n 1

.PHONY: help setup data build web web-test demo test test-fmt test-clippy clippy-native clippy-wasm test-native test-wasm test-e2e \
	bench bench-browser screenshot soak clean fuzz mutants

help:
	@echo "make setup          install what is missing (wasm target, wasm-bindgen CLI, npm packages, Chromium)"
	@echo "make data           verify / fetch MovieLens ml-latest-small (never committed; see data/README.md)"
	@echo "make build          native release build (target/release/memberlens)"
	@echo "make web            build the site: www/pkg (wasm) and www/data (bundled data set)"
	@echo "make web-test       the site from the test build (what make test runs: no release build, no wasm-opt)"
	@echo "make demo           setup (no browser), web, then serve www/ at http://127.0.0.1:$(PORT)/"
	@echo "make test           setup, then every test layer in order: fmt, clippy, native, wasm (Node), web build, end to end"
	@echo "make bench          cargo bench -p memberlens-benches --bench pipeline (criterion)"
	@echo "make bench-browser  node scripts/bench-browser.mjs (native vs wasm in Chromium)"
	@echo "make screenshot     docs/screenshot*.png from the built site (after make web)"
	@echo "make soak           node scripts/soak.mjs: $(SOAK_CYCLES) run/cancel/fault cycles on the built site, memory must stay flat (after make web)"
	@echo "make fuzz           cargo-fuzz (nightly) on the data and config parsers, FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "make mutants        cargo-mutants on the metric, split, feature, attack and sweep code (.cargo/mutants.toml), MUTANTS_JOBS=$(MUTANTS_JOBS)"
	@echo "make clean          remove build outputs (target/, www/pkg/, www/data/)"

setup:
	bash scripts/setup.sh

data:
	@dir="$$($(FETCH))"; echo "ratings: $$dir/ratings.csv"

build:
	cargo build --release

# MEMBERLENS_CLI (make test passes the test build's): the CLI the data files are made with; without
# it, build-web.sh builds the release CLI.
web:
	MEMBERLENS_CLI="$(MEMBERLENS_CLI)" bash scripts/build-web.sh

# The site as make test builds it: from the wasm library the wasm layer built (cargo's `test`
# profile; asking cargo for it with the same tests builds nothing) and the CLI the native layer
# built. No release build (fat LTO, ~80 s) and no wasm-opt (~50 s): the e2e tests check behaviour
# and page = CLI, which do not depend on them (docs/testing.md); size and speed are measured on the
# release site (make web, scripts/bench-browser.mjs).
# Then the e2e tests' small data set (scripts/e2e-data.sh: every user, a third of the films, in
# target/e2e-data, outside www/, never in the release site): the behaviour tests run on it (a
# default run's pipeline at a third of the CPU); the tests of the real data set's own numbers keep
# that one (docs/testing.md).
web-test:
	@wasm=$$($(WASM_CARGO) test --profile test --target wasm32-unknown-unknown --no-run $(WASM_TESTS) \
		--message-format=json-render-diagnostics | node scripts/artifact.mjs memberlens wasm); \
	MEMBERLENS_CLI="$(TEST_CLI)" MEMBERLENS_WASM="$$wasm" bash scripts/build-web.sh
	MEMBERLENS_CLI="$(TEST_CLI)" bash scripts/e2e-data.sh

demo:
	bash scripts/setup.sh --no-browser
	bash scripts/build-web.sh
	@echo
	@echo "MemberLens demo: http://127.0.0.1:$(PORT)/   (Ctrl-C to stop)"
	@echo
	@if command -v python3 >/dev/null 2>&1 && python3 -c 'import http.server' 2>/dev/null; then \
		exec python3 -m http.server $(PORT) --bind 127.0.0.1 --directory www; \
	else \
		exec node -e "$$SERVE_JS" $(PORT) www; \
	fi

# Static file server for `make demo` where python3 is missing (serves .wasm as application/wasm).
define SERVE_JS
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const [port, dir] = process.argv.slice(1), root = path.resolve(dir);
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream' };
http.createServer((req, res) => {
  let p = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!p.startsWith(root)) { res.writeHead(403).end(); return; }
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
  fs.readFile(p, (err, body) => {
    if (err) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'Content-Type': types[path.extname(p)] || 'application/octet-stream' }).end(body);
    console.log(req.method, req.url, 200);
  });
}).listen(+port, '127.0.0.1', () => console.log(`serving $${root} at http://127.0.0.1:$${port}/`));
endef
export SERVE_JS

# The README's test command: installs what is missing (scripts/setup.sh, a no-op when all is
# there), then every layer strictly in order (also under -j); the first failure stops it. Each
# artefact is built once (docs/testing.md): clippy, the native and wasm tests and the CLI share
# cargo's `test` profile, and the site (make web-test) is made from the wasm library the wasm layer
# built and the CLI the native tests built.
test:
	@tf=$$(mktemp); trap 'rm -f "$$tf"' EXIT; \
	cpu() { awk 'NR == 2 { split($$1, u, "m"); split($$2, k, "m"); printf "%.0f", u[1] * 60 + u[2] + k[1] * 60 + k[2] }' "$$tf"; }; \
	t0=$$SECONDS; for t in setup test-fmt test-clippy test-native test-wasm web-test test-e2e; do \
		s=$$SECONDS; times > "$$tf"; c=$$(cpu); echo "=== make $$t (load $$(cut -d' ' -f1-3 /proc/loadavg))"; \
		$(MAKE) $$t MEMBERLENS_CLI=$(TEST_CLI) || { echo "=== make $$t FAILED after $$((SECONDS - s)) s"; exit 1; }; \
		times > "$$tf"; echo "=== make $$t ok ($$((SECONDS - s)) s, CPU $$(( $$(cpu) - c )) s)"; \
	done; times > "$$tf"; \
	echo "=== make test: all layers passed ($$((SECONDS - t0)) s, CPU $$(cpu) s, load $$(cut -d' ' -f1-3 /proc/loadavg))"

test-fmt:
	cargo fmt --all --check

# Clippy's lints run while the tests are built: clippy-driver compiles this workspace's crates
# (cargo's RUSTC_WORKSPACE_WRAPPER; rustc compiles the dependencies) and fails on any warning. The
# three `cargo clippy` passes this replaced took 127 CPU s on a cold target dir, most of it checking
# every dependency again per target. With the lints in the builds, one wasm test binary and the
# unit tests at opt-level 0 (below), the clippy, native and wasm layers went from 508 to 409 CPU s
# (main ed7042c and this run side by side on cold target dirs, load 3-4, 2026-12-05). Every layer
# that asks cargo for a test build sets the same two variables: cargo keeps clippy-driver's builds
# apart from rustc's, and with other values it would build the tests again.
LINTED_LAYERS := test-clippy clippy-native clippy-wasm test-native test-wasm web-test test-e2e
$(LINTED_LAYERS): export RUSTC_WORKSPACE_WRAPPER = $(shell rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
$(LINTED_LAYERS): export CLIPPY_ARGS = -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
# The wasm32 builds have a target directory of their own, so that test-clippy can build them while
# the native ones build: cargo locks a target directory for a whole build, and the two chains, run
# one after the other, left a core idle through each one's last crates (the library, then the test
# binary that links it). Host crates (proc macros, build scripts) are built in both.
WASM_TARGET_DIR := $(TARGET_DIR)/wasm
WASM_CARGO := CARGO_TARGET_DIR=$(WASM_TARGET_DIR) cargo
# The library's unit tests without optimisation: compiled in 11 instead of 63 CPU s, they run in
# 3.8 instead of 0.6 s (cargo test --lib, idle, 2026-12-05); the library the integration tests
# link, the CLI and the wasm library, which run whole pipelines, stay at opt-level 3 (Cargo.toml).
# Overflow checks and debug assertions stay off, as in the rest of the test profile.
UNIT_TESTS := --lib --config profile.test.package.memberlens.opt-level=0
# The integration tests (tests/suite) through scripts/suite.sh: their own crate at opt-level 0 (25
# CPU s less to compile, no slower to run), the library and the CLI as above.
SUITE := bash scripts/suite.sh

# Builds (and lints) everything the native and wasm layers run, then lints what they do not build:
# the site's core wasm module (without the feature `full`: src/full.rs), and the benchmarks.
# - The library's file name has no hash (a cdylib), so cargo takes a library a plain `cargo test`
#   compiled here (without the lints) as up to date: it is compiled again (src/lib.rs touched).
# - The core module: cargo rustc compiles its unit tests (test mode, as `cargo clippy --profile
#   test` checked them) with the test build's dependencies and without optimisation (nothing runs
#   it; its own file name).
# - The native builds with the benches' check (clippy-native) and the wasm32 ones (clippy-wasm) run
#   at once, each in its own target directory (WASM_TARGET_DIR), through scripts/both.sh: their
#   lines are labelled [native] and [wasm], and the first to fail stops the other. The benches'
#   check is native: in target/ it reuses the suite build's proc macros (in target/wasm it
#   compiled syn, serde_derive, thiserror-impl and clap_derive a second time).
test-clippy:
	@[ -x "$$RUSTC_WORKSPACE_WRAPPER" ] || { echo "make test-clippy: clippy-driver not found (rustup component add clippy)"; exit 1; }
	@for d in $(TARGET_DIR)/debug/deps/memberlens.d $(WASM_TARGET_DIR)/wasm32-unknown-unknown/debug/deps/memberlens.d; do \
		if [ -f "$$d" ] && ! grep -qxF "# env-dep:CLIPPY_ARGS=$$CLIPPY_ARGS" "$$d"; then \
			echo "make test-clippy: $$d was built without clippy: touching src/lib.rs"; touch src/lib.rs; fi; \
	done
	@bash scripts/both.sh native "$(MAKE) clippy-native" wasm "$(MAKE) clippy-wasm"

clippy-native:
	cargo test --no-run $(UNIT_TESTS)
	$(SUITE) build
	cargo clippy --profile test -p memberlens-benches --benches -- -D warnings

clippy-wasm:
	$(WASM_CARGO) test --profile test --target wasm32-unknown-unknown --no-run $(WASM_TESTS)
	$(WASM_CARGO) rustc --profile test --lib --target wasm32-unknown-unknown --no-default-features -- -C opt-level=0

test-native:
	@dir="$$($(FETCH))"; export MEMBERLENS_RATINGS="$$dir/ratings.csv"; \
	echo "MEMBERLENS_RATINGS=$$MEMBERLENS_RATINGS"; \
	set -x; cargo test $(UNIT_TESTS); $(SUITE) run

# wasm-bindgen tests in Node (runner = wasm-bindgen-test-runner, from .cargo/config.toml), then the
# same tests inside a dedicated worker of headless Chromium, where the page runs the module (all of
# them: 1 s more than the two files that ran there before, at load 5).
test-wasm:
	$(WASM_CARGO) test --profile test --target wasm32-unknown-unknown $(WASM_TESTS)
	CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_DEDICATED_WORKER=1 \
		$(WASM_CARGO) test --profile test --target wasm32-unknown-unknown $(WASM_TESTS)

# The page-equals-CLI checks compare with the CLI of the test build (built here if it is missing:
# through the CLI's test, so that cargo resolves the same features as the native layer did and
# reuses its build; a plain `cargo build` leaves out the dev-dependencies' features and rebuilds).
# The two groups of the files (tests/e2e/groups.mjs) run at the same time in two Node processes,
# each with one server and one Chromium for all its files (most tests keep one core busy), and
# beside them a third with the files that mostly wait (lecture mode's slow motion). The
# long-task checks count a task's CPU time (tests/e2e/browser.mjs), so no file needs the machine to
# itself. E2E_GROUPS=1 runs every file in one process, one after another (tests/e2e/run-all.mjs).
# First, in well under a second and without a browser, tests/js/: the page-worker protocol
# (www/js/protocol.js) against worker.js, pool.js and main.js, and the run-mode registry.
# Most pages run on the small data set make web-test writes (tests/e2e/server.mjs serves it under
# /small/; each page-equals-CLI check gives the CLI the page's data): a default single run costs
# 1.2-1.6 CPU s in Chromium on it against 2.7-3.1. Without it the layer fails at once, saying to run
# make web-test.
E2E_GROUPS ?= 2
test-e2e:
	node --test tests/js/
	@[ -f target/e2e-data/ml-latest-small.bin ] && [ -f target/e2e-data/ratings.csv ] || \
		{ echo "make test-e2e: target/e2e-data lacks the e2e tests' small data set: run make web-test"; exit 1; }
	@dir="$$($(FETCH))"; export MEMBERLENS_RATINGS="$$dir/ratings.csv"; \
	echo "MEMBERLENS_RATINGS=$$MEMBERLENS_RATINGS"; \
	$(SUITE) build; \
	export MEMBERLENS_CLI="$(TEST_CLI)"; \
	if [ "$(E2E_GROUPS)" = 1 ]; then set -x; node --test tests/e2e/run-all.mjs; \
	else set -x; node --test --test-concurrency=3 tests/e2e/group-1.mjs tests/e2e/group-2.mjs tests/e2e/group-3.mjs; fi

bench:
	cargo bench -p memberlens-benches --bench pipeline

bench-browser:
	node scripts/bench-browser.mjs

screenshot:
	node scripts/screenshot.mjs

# The soak test (not part of `make test`; docs/testing.md "Soak test"): builds nothing, runs
# against the built www/. SOAK_CYCLES and SOAK_SEED choose its length and choice sequence.
SOAK_CYCLES ?= 200
SOAK_SEED ?= 1
soak:
	node scripts/soak.mjs --cycles $(SOAK_CYCLES) --seed $(SOAK_SEED)

# Fuzzing (nightly + cargo-fuzz; `make setup` does not install them: `rustup toolchain install
# nightly --profile minimal` and `cargo install cargo-fuzz`). Each target runs FUZZ_SECONDS from its
# corpus (fuzz/corpus, kept between runs), the committed seeds and every input that ever failed
# (tests/fuzz_regressions, replayed by `cargo test`). A new failing input is copied there: commit it
# with the fix.
FUZZ_SECONDS ?= 60
fuzz:
	@for t in parse config; do \
		mkdir -p fuzz/corpus/$$t fuzz/artifacts/$$t; \
		echo "=== make fuzz: $$t for $(FUZZ_SECONDS) s"; \
		cargo +nightly fuzz run $$t fuzz/corpus/$$t fuzz/seeds/$$t tests/fuzz_regressions/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -dict=fuzz/$$t.dict -print_final_stats=1 || { \
			cp fuzz/artifacts/$$t/* tests/fuzz_regressions/$$t/; \
			echo "=== make fuzz: $$t FAILED; the input is now in tests/fuzz_regressions/$$t/"; exit 1; }; \
	done

# Mutation testing (not part of `make test`: about 500 mutants, each a rebuild). Files in scope,
# test command, timeouts and the excluded equivalent mutants are in .cargo/mutants.toml; results go
# to mutants.out/ (missed.txt must stay empty). One job by default: each job is a full build.
# Extra arguments, e.g. one file: make mutants MUTANTS_ARGS='-F ^src/eval/roc.rs'.
MUTANTS_JOBS ?= 1
MUTANTS_ARGS ?=
mutants:
	@command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
	cargo mutants -j $(MUTANTS_JOBS) $(MUTANTS_ARGS)

clean:
	cargo clean
	rm -rf www/pkg www/data
