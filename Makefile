# Two commands do everything on a fresh Debian 12 machine:
#   make run    install missing packages, build, start the server on ./data
#   make test   install missing packages, build, run the whole suite
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps deps-test configure build run test bench clean format

deps:
	@bash scripts/deps.sh

deps-test:
	@bash scripts/deps.sh --test

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/waitroom serve --data $(DATA) --listen $(LISTEN)

test: build deps-test
	ctest --test-dir $(BUILD_DIR) -j $(JOBS) --output-on-failure --timeout 600

bench: build
	bash bench/run_all.sh

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
