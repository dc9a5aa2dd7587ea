# Convenience entry points; the build itself is CMake (CMakeLists.txt).
#   make demo     install missing packages, build, index corpus/, run queries
#   make test     install missing packages, build (plain, ASan+UBSan, libFuzzer), ctest
#   make install  build and install sou-index, sou-query, sou-serve and man pages (PREFIX)
PREFIX ?= /usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 15
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DB ?= demo-db

# Debian packages sou builds and tests with (README: "Dependencies").
PACKAGES = cmake make pkg-config gcc g++ libxapian-dev libicu-dev libyaml-dev \
	libcmark-dev libgumbo-dev libjansson-dev libxxhash-dev libzstd-dev libcmocka-dev jq valgrind \
	clang libclang-rt-14-dev python3 \
	libmicrohttpd-dev curl chromium chromium-driver python3-selenium fonts-wqy-microhei \
	xapian-tools

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build asan fuzz test demo install clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

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

demo: build
	rm -rf $(DEMO_DB)
	@echo '$$ sou-index --db $(DEMO_DB) corpus/posts    # one post has broken YAML on purpose'
	-$(BUILD)/indexer/sou-index --db $(DEMO_DB) corpus/posts
	@echo; echo '$$ sou-query --db $(DEMO_DB) 农业'
	@$(BUILD)/query/sou-query --db $(DEMO_DB) 农业
	@echo; echo '$$ sou-query --db $(DEMO_DB) tag:半导体 --sort -date'
	@$(BUILD)/query/sou-query --db $(DEMO_DB) tag:半导体 --sort -date
	@echo; echo '$$ sou-query --db $(DEMO_DB) '"'"'"离岸人民币" OR 汇率'"'"' date:2020..2024'
	@$(BUILD)/query/sou-query --db $(DEMO_DB) '"离岸人民币" OR 汇率' date:2020..2024
	@echo; echo '$$ sou-query --db $(DEMO_DB) --json --limit 2 A股'
	@$(BUILD)/query/sou-query --db $(DEMO_DB) --json --limit 2 A股
	@echo; echo 'The search page and JSON API on this index (Ctrl-C stops it):'
	@echo '  $(BUILD)/query/sou-serve --db $(DEMO_DB)'
	@echo '  then open http://127.0.0.1:8080/  or  curl "http://127.0.0.1:8080/search?q=%E5%86%9C%E4%B8%9A"'

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEMO_DB)

# bench/run: sou against Sphinx, SQLite FTS5 and Xapian on one corpus
# (bench/README.md).  make bench BENCH_ARGS="--size 10k --engines sou,sqlite"
.PHONY: bench
bench:
	bench/run $(BENCH_ARGS)
