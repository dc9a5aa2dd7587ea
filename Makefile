# Convenience entry points; the build itself is CMake (CMakeLists.txt).
#   make demo     install the missing packages sou needs, build it, index corpus/, run queries
#   make test     also install the test tools, build (plain, ASan+UBSan, libFuzzer), ctest
#   make install  build and install sou-index, sou-query, sou-serve and man pages (PREFIX)
PREFIX ?= /usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 15
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DB ?= demo-db

# Debian packages (README: "Dependencies"): what sou needs to build and
# run, which is all `make demo` installs, and what only the tests need.
RUN_PACKAGES = cmake make pkg-config gcc g++ libxapian-dev libicu-dev libyaml-dev \
	libcmark-dev libgumbo-dev libjansson-dev libxxhash-dev libzstd-dev libmicrohttpd-dev \
	rime-data-luna-pinyin
TEST_PACKAGES = libcmocka-dev jq valgrind clang libclang-rt-14-dev python3 \
	curl chromium chromium-driver python3-selenium fonts-wqy-microhei xapian-tools groff-base

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps demo-deps build demo-build asan fuzz test demo install clean

all: build

# install-missing LOG PACKAGES...: apt-get only what is not installed,
# its chatter to LOG (shown if it fails), one line on the terminal.
define install_missing
	@missing=$$(for p in $(2); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing "(log: $(1))"; \
		mkdir -p $$(dirname $(1)); \
		{ $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		} >$(1) 2>&1 || { tail -20 $(1); echo "apt-get failed: see $(1)"; exit 1; }; \
	fi
endef

deps:
	$(call install_missing,$(BUILD)/apt.log,$(RUN_PACKAGES) $(TEST_PACKAGES))

demo-deps:
	$(call install_missing,$(BUILD)/apt.log,$(RUN_PACKAGES))

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOU_UNIT_TESTS=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The demo's build: the programs only (no unit tests, so no cmocka), its
# output in a log that is shown only when something fails.
demo-build: demo-deps
	@echo "building sou in $(BUILD)/ (log: $(BUILD)/demo-build.log)"
	@mkdir -p $(BUILD)
	@{ cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOU_UNIT_TESTS=OFF && \
	   cmake --build $(BUILD) -j $(JOBS) --target sou-index sou-query sou-serve; \
	} >$(BUILD)/demo-build.log 2>&1 || { tail -30 $(BUILD)/demo-build.log; \
		echo "the build failed: see $(BUILD)/demo-build.log"; exit 1; }

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSOU_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# libFuzzer targets, built with clang, ASan and UBSan (tests/fuzz/).
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DSOU_FUZZ=ON -DSOU_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Every test in the optimised build; the tests that use only the project's
# own files again under AddressSanitizer + UndefinedBehaviorSanitizer (the
# ../shared tests exercise the same code paths on more data, and ASan's
# leak checker overlaps valgrind, which runs on the plain build); then a
# short fuzzing run of every libFuzzer target (FUZZ_SECONDS each).
test: build asan fuzz
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -LE "heavy|shared"
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) -L fuzz

# The demo tells its story in a few lines: what it builds, what it
# indexes, and each query with its answer (t0080 checks it stays short).
# snippets of 70 columns: each hit fits an 80-column terminal (results
# wrap at the terminal's width, README "sou-query")
DEMO_Q = $(BUILD)/query/sou-query --db $(DEMO_DB) --snippet 70
demo: demo-build
	@rm -rf $(DEMO_DB)
	@echo
	@echo "Indexing the 52 sample posts of corpus/posts (one has broken YAML on purpose:"
	@echo "sou-index names it and exits 1, and indexes the others):"
	@echo '$$ sou-index --db $(DEMO_DB) corpus/posts'
	@$(BUILD)/indexer/sou-index --db $(DEMO_DB) corpus/posts 2>&1 || true
	@echo
	@echo "A Chinese word, found inside longer words (中国农业发展银行) too:"
	@echo '$$ sou-query --db $(DEMO_DB) --snippet 70 --limit 3 农业'
	@$(DEMO_Q) --limit 3 农业
	@echo
	@echo "A tag filter, newest first:"
	@echo '$$ sou-query --db $(DEMO_DB) --snippet 70 --limit 3 tag:半导体 --sort -date'
	@$(DEMO_Q) --limit 3 tag:半导体 --sort -date
	@echo
	@echo "A phrase OR a word, within a date range:"
	@echo '$$ sou-query --db $(DEMO_DB) --snippet 70 --limit 3 '"'"'"离岸人民币" OR 汇率'"'"' date:2020..2024'
	@$(DEMO_Q) --limit 3 '"离岸人民币" OR 汇率' date:2020..2024
	@echo
	@echo "JSON, for scripts:"
	@echo '$$ sou-query --db $(DEMO_DB) --snippet 70 --json --limit 1 A股 | head -c 300'
	@$(DEMO_Q) --json --limit 1 A股 | head -c 300; echo " ..."
	@echo
	@echo "Next: the search page and JSON API on this index (Ctrl-C stops it):"
	@echo '  $(BUILD)/query/sou-serve --db $(DEMO_DB)     then open http://127.0.0.1:8080/'
	@echo "and make test builds and runs every test (it installs the test tools too)."

install: demo-build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEMO_DB)

# bench/run: sou against Sphinx, SQLite FTS5 and Xapian on one corpus
# (bench/README.md).  make bench BENCH_ARGS="--size 10k --engines sou,sqlite"
.PHONY: bench
bench:
	bench/run $(BENCH_ARGS)
