# anjia — build, run and test. Plain make; see docs/architecture.md.
#
#   make run    install what is missing, build, create data/anjia.db with demo
#               data on first run, serve on http://127.0.0.1:8080
#   make test   install what is missing, build with ASan+UBSan, run every test
#   make bench  benchmarks (wrk against a release build)

SHELL := /bin/bash
CC ?= cc
PKGS := libmicrohttpd jansson libsodium sqlite3 xlsxwriter libzip expat pangocairo libcurl libpq
LISTEN ?= 127.0.0.1:8080
DB ?= data/anjia.db
ANJIA_DEMO_PASSWORD ?= anjia-demo-2026
ANJIA_ADMIN_PASSWORD ?= anjia-admin-2026
export ANJIA_DEMO_PASSWORD ANJIA_ADMIN_PASSWORD

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Werror
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -Isrc -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm

RELEASE_CFLAGS := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined -DAPP_TESTING

SRC := $(wildcard src/core/*.c src/store/*.c src/domain/*.c src/api/*.c)
MIGRATIONS := $(sort $(wildcard migrations/*.sql))
# ECharts comes from npm (package.json) and is served as /vendor/echarts.min.js.
WEB_VENDOR := web/vendor/echarts.min.js
WEB_FILES := $(sort $(shell find web -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.svg' -o -name '*.png' \) 2>/dev/null) $(WEB_VENDOR))
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

.PHONY: all run test bench setup setup-test setup-bench unit api-test api-pg-test browser-test browser-pg-test fmt fmt-check clean
all: build/release/anjia

# ---- generated sources -------------------------------------------------
build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

build/gen/migrations.c: $(MIGRATIONS) build/tools/embed
	@mkdir -p $(@D)
	@build/tools/embed migrations $@ $(MIGRATIONS)

build/gen/web_assets.c: $(WEB_FILES) build/tools/embed
	@mkdir -p $(@D)
	@build/tools/embed web $@ web $(WEB_FILES)

node_modules/echarts/dist/echarts.min.js: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

web/vendor/echarts.min.js: node_modules/echarts/dist/echarts.min.js
	@mkdir -p $(@D)
	cp $< $@

GEN := build/gen/migrations.c build/gen/web_assets.c

# ---- one rule set per variant -------------------------------------------
define variant
$(1)_OBJ := $$(patsubst %.c,build/$(1)/%.o,$$(SRC) src/main.c) \
            $$(patsubst build/gen/%.c,build/$(1)/gen/%.o,$$(GEN))
build/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	@echo "  CC($(1)) $$<"
	@$$(CC) $$(BASE_CFLAGS) $(2) $$(PKG_CFLAGS) -c -o $$@ $$<
build/$(1)/gen/%.o: build/gen/%.c
	@mkdir -p $$(@D)
	@echo "  CC($(1)) $$<"
	@$$(CC) $$(BASE_CFLAGS) $(2) -c -o $$@ $$<
build/$(1)/anjia: $$($(1)_OBJ)
	@echo "  LD($(1)) $$@"
	@$$(CC) $(2) -o $$@ $$^ $$(PKG_LIBS)
endef
$(eval $(call variant,release,$(RELEASE_CFLAGS)))
$(eval $(call variant,asan,$(ASAN_CFLAGS)))

LIB_OBJ_ASAN := $(filter-out build/asan/src/main.o,$(asan_OBJ))
build/asan/tests/%: tests/unit/%.c $(LIB_OBJ_ASAN)
	@mkdir -p $(@D)
	@echo "  LD(test) $@"
	@$(CC) $(BASE_CFLAGS) $(ASAN_CFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $(filter %.c %.o,$^) $(PKG_LIBS) -lcmocka

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- the two commands of the README --------------------------------------
setup:
	@scripts/setup.sh run

run: setup
	@$(MAKE) --no-print-directory build/release/anjia
	@mkdir -p $(dir $(DB))
	@if [ ! -f "$(DB)" ]; then build/release/anjia init --db $(DB) && build/release/anjia demo --db $(DB); fi
	@echo
	@echo "  anjia: http://$(LISTEN)/"
	@echo "  logins: admin / $(ANJIA_ADMIN_PASSWORD)"
	@echo "          agent contract mortgage manager engineer finance property director supervisor / $(ANJIA_DEMO_PASSWORD)"
	@echo
	exec build/release/anjia serve --db $(DB) --listen $(LISTEN)

setup-test:
	@scripts/setup.sh test

test: setup-test
	@$(MAKE) --no-print-directory build/asan/anjia $(addprefix build/asan/tests/,$(UNIT_TESTS))
	@scripts/run-tests.sh $(UNIT_TESTS)

unit: build/asan/anjia $(addprefix build/asan/tests/,$(UNIT_TESTS))
	@SUITES=unit scripts/run-tests.sh $(UNIT_TESTS)

api-test: build/asan/anjia
	@SUITES=api scripts/run-tests.sh

api-pg-test: build/asan/anjia
	@SUITES=api-pg scripts/run-tests.sh

browser-pg-test: build/asan/anjia
	@SUITES=browser-pg scripts/run-tests.sh

browser-test: build/asan/anjia
	@SUITES=browser scripts/run-tests.sh

setup-bench:
	@scripts/setup.sh bench

bench: setup-bench
	@$(MAKE) --no-print-directory build/release/anjia
	@scripts/bench.sh

fmt:
	clang-format -i $$(find src tests/unit tools -name '*.[ch]')

fmt-check:
	clang-format --dry-run --Werror $$(find src tests/unit tools -name '*.[ch]')

clean:
	rm -rf build
