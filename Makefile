# Thin wrapper over CMake. Each target installs what is missing, configures and builds.
#   make demo    the main job on the embedded default (builds only wvsim and wvdecode)
#   make test    the whole test suite through ctest
#   make test-sanitize   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench   builds the benchmark executables (tests/bench/*/README.md say how to run them)
BUILD ?= build
JOBS ?= $(shell nproc)
# The tests mostly wait (fleets running for their --duration, peers, retries): the whole suite
# used ~50 CPU-seconds in 250 s at -j2, so ctest runs 6 per core (README "Build times").
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 6 )))
CMAKE_FLAGS ?=
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: deps packages configure build demo test test-sanitize bench fuzz clean

deps:
	@./scripts/install-deps.sh

# What configuring and building need: the Debian packages. The npm test peers are for the tests
# only: `make test` installs them while it builds (a fresh clone's `npm ci` took 20-45 s).
packages:
	@./scripts/install-deps.sh --packages

configure: packages
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(GENERATOR) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The demo runs two executables: build those (and the libraries under them), not the tests.
demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target wvsim wvdecode
	./scripts/demo.sh $(BUILD)

# Configure and build while the npm test peers install (their output is printed after the build).
test: packages
	@mkdir -p $(BUILD); ./scripts/install-deps.sh --peers > $(BUILD)/install-peers.log 2>&1 & peers=$$!; \
	{ test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(GENERATOR) $(CMAKE_FLAGS); } && \
	cmake --build $(BUILD) -j $(JOBS); built=$$?; \
	wait $$peers; installed=$$?; cat $(BUILD)/install-peers.log; \
	if [ $$installed -ne 0 ]; then echo "make test: installing the npm test peers failed (above)" >&2; exit 1; fi; \
	if [ $$built -ne 0 ]; then exit $$built; fi; \
	ctest --test-dir $(BUILD) --output-on-failure -j $(TEST_JOBS)

test-sanitize:
	$(MAKE) test BUILD=build-sanitize CMAKE_FLAGS="-DWV_SANITIZE=ON -DWV_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug"

# Benchmarks are not in the default build (`make build`, `make test`); scripts/bench.sh, which
# this target used to call, never existed.
bench: configure
	cmake --build $(BUILD) -j $(JOBS) --target wv_benchmarks

fuzz: packages
	@test -f build-fuzz/CMakeCache.txt || CC=clang CXX=clang++ cmake -S . -B build-fuzz $(GENERATOR) -DWV_FUZZ=ON -DWV_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)

clean:
	rm -rf build build-sanitize build-fuzz
