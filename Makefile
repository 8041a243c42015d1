# articled: `make` builds ./articled; `make test` runs every test, plain and under
# ASan/UBSan; `make run` serves data/articles/. Long runs, not part of `make test`:
# `make valgrind` (the suite under memcheck), `make soak` (10 minutes of mixed load,
# memory judged), `make bench-reload` (60 s of SIGHUP under load), `make fuzz`,
# `make bench*`. See README.md and docs/robustness.md.
CC      ?= cc
PKGS    := libmicrohttpd libcjson libcurl zlib libxml-2.0
B       ?= build
# Where the installed articled looks for articled-web.so (models/web.h); a
# checkout's build finds it in its build directory.
WEBDIR  ?= $(abspath $(B))
SAN     ?= 0
OPT     ?= -O2

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Werror -Wno-format-truncation
CFLAGS  := -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) -I. $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lpthread -lm
# articled itself: libcurl and libxml2 are the plugin's (models/web.h).
SRV_LIBS := $(shell pkg-config --libs libmicrohttpd libcjson zlib) -lpthread -lm
WEB_LIBS := $(shell pkg-config --libs libcurl libxml-2.0 libcjson) -lpthread -lm
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

# The page importer: in articled-web.so for the server, linked directly into
# tests, tools and fuzzers (libweb.a). The plugin carries its own position-
# independent copies of the pure modules those two use.
WEB_SRCS    := models/fetch.c models/extract.c
PLUGIN_SRCS := models/webplugin.c $(WEB_SRCS) models/article.c models/strbuf.c models/utf8.c \
               models/hash.c models/fetchguard.c
LIB_SRCS := $(filter-out server/main.c models/webplugin.c $(WEB_SRCS), \
            $(wildcard server/*.c handlers/*.c models/*.c models/annotate/*.c config/*.c))
WEB_OBJS := $(WEB_SRCS:%.c=$(B)/%.o)
PLUGIN   := $(B)/articled-web.so
GAZ      := $(sort $(wildcard models/annotate/gazetteers/*.tsv))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/gen/gazetteers.o $(B)/gen/openapi.o
SUPPORT  := $(patsubst %.c,$(B)/%.o,$(wildcard tests/support/*.c))
TESTS    := $(patsubst %.c,$(B)/%,$(sort $(wildcard tests/unit/test_*.c tests/http/test_*.c \
                                                   tests/crash/test_*.c)))
CRASH    := $(B)/tests/crash/crashtest
EVALS    := $(patsubst %.c,$(B)/%,$(sort $(wildcard eval/*.c)))

.SECONDARY:
.PHONY: all run test check test-plain test-san eval eval-extract fuzz bench bench-instructions bench-connections bench-crash bench-search \
        valgrind soak bench-reload abuse-slow clean format
all: articled

articled: $(B)/articled $(PLUGIN)
	cp $< $@.tmp && mv -f $@.tmp $@

$(B)/articled: $(B)/server/main.o $(B)/libarticled.a
	$(CC) $(LDFLAGS) -o $@ $^ $(SRV_LIBS)

$(B)/libarticled.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(B)/libweb.a: $(WEB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(B)/models/web.o: CFLAGS += -DWEB_PLUGIN_DIR='"$(WEBDIR)"'

# -z defs: every symbol the plugin needs is in it or in a library it names.
$(PLUGIN): $(PLUGIN_SRCS:%.c=$(B)/pic/%.o) models/webplugin.map
	$(CC) $(LDFLAGS) -shared -Wl,-z,defs -Wl,--version-script=models/webplugin.map \
	    -o $@ $(filter %.o,$^) $(WEB_LIBS)

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/gen/gazetteers.c: tools/embed.sh $(GAZ)
	@mkdir -p $(dir $@)
	sh tools/embed.sh embedded_gazetteers $(GAZ) > $@

$(B)/gen/openapi.c: tools/embed.sh docs/openapi.json
	@mkdir -p $(dir $@)
	sh tools/embed.sh embedded_openapi docs/openapi.json > $@

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/%.c $(SUPPORT) $(B)/libweb.a $(B)/libarticled.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

$(B)/eval/%: eval/%.c $(B)/libweb.a $(B)/libarticled.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The crash tester: a program, not a Criterion suite (tests/crash/test_crash.c runs it).
$(CRASH): tests/crash/crashtest.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# The test binaries of one build directory, run by tools/run-tests.sh.
check: $(TESTS) $(B)/articled $(PLUGIN) $(CRASH)
	sh tools/run-tests.sh $(B) $(TESTS)

test-plain:
	$(MAKE) check
test-san:
	$(MAKE) B=build/san SAN=1 OPT=-O1 check

# The README's test command: installs what is missing, then both runs.
test: deps-test
	$(MAKE) test-plain
	$(MAKE) test-san

.PHONY: deps deps-test
deps:
	sh tools/deps.sh run
deps-test:
	sh tools/deps.sh test

run: deps articled
	./articled --data data/articles

eval: $(EVALS)
	sh eval/run.sh $(B)

# Every fuzz target for 10 minutes (docs/fuzzing.md).
fuzz:
	sh fuzz/run.sh all 600

# articled against nginx serving the identical bytes (docs/benchmarks.md).
bench: articled
	sh bench/nginx.sh

# Instructions a request under callgrind, against ARTICLED_REF when set (docs/benchmarks.md).
bench-instructions: articled
	sh bench/instructions.sh

# wrk at 128-512 keep-alive connections on the shipped mode (docs/operations.md).
bench-connections: articled
	sh bench/connections.sh 5

# slowloris and slow-body attacks with slowhttptest against articled (docs/abuse.md).
abuse-slow: articled
	ARTICLED_BIN=./articled sh tests/abuse/slow.sh

# The crash test's long form: 50 SIGKILL cycles, 8 writers (docs/durability.md).
bench-crash: articled $(CRASH)
	$(CRASH) --bin ./articled --cycles 50 --clients 8

# Full-text search against SQLite FTS5 on the BBC corpus (docs/search.md).
bench-search: $(B)/libarticled.a
	B=$(B) sh bench/search.sh

# Every test binary of the plain build under valgrind memcheck, with the articled
# processes they start; fails on any error or leak. test_fuzz is left out: it runs
# libFuzzer binaries built with ASan, which cannot run under valgrind
# (docs/robustness.md).
valgrind: $(TESTS) $(B)/articled $(PLUGIN) $(CRASH)
	sh tools/valgrind.sh $(B) $(filter-out %/test_fuzz,$(TESTS))

# Reads, writes and SIGHUP reloads for SOAK_SECONDS; VmRSS sampled every 10 s and
# judged flat (docs/robustness.md).
SOAK_SECONDS ?= 600
soak: articled
	sh bench/soak.sh $(SOAK_SECONDS)

# wrk on an article, the list and searches for 60 s while SIGHUP comes every 200 ms.
bench-reload: articled
	sh bench/reload.sh 60 200

# The HTML extractor on ../shared/gold/extraction-dev (docs/extract.md).
eval-extract: $(B)/eval/extract
	sh eval/extract.sh $(B)

clean:
	rm -rf build articled

format:
	clang-format -i $(wildcard */*.c */*.h models/annotate/*.c models/annotate/*.h)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
