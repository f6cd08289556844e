# vws: build, test, install. Read top to bottom; pattern rules do the work.
#   make            programs and libvws.a in bin/
#   make test       unit and integration tests, about 4-5 minutes (tests/run prints
#                   "N passed, N failed"; tests/run NAME runs one script)
#   make asan       unit and protocol-level tests built with ASan + UBSan in bin/asan/
#   make tsan       the threaded fallback's tests built with ThreadSanitizer in bin/tsan/
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (clang; bin/fuzz/)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        vws_VERSION_ARCH.deb (dpkg-deb; scripts/deb/build), checked with lintian

CXX      ?= g++
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := 0.1.0
BIN      ?= bin

OPT      ?= -O2 -g
CXXFLAGS := $(OPT) -std=c++20 -Wall -Wextra -Werror -Isrc -MMD -MP \
            -DOPENSSL_SUPPRESS_DEPRECATED -DVWS_VERSION='"$(VERSION)"'
# The per-connection servers are linked fully static: every connection is a
# fork+exec, so start-up and memory per connection dominate, and a static
# binary starts faster and shares more than one on libstdc++.so (measured in
# the README's Performance section); only libcrypto's SHA-1 and base64 objects
# come in.
LDFLAGS  ?= -static
# vws-client and vws-bench resolve host names with getaddrinfo, which loads
# glibc's NSS modules at run time: static, it warns and needs the very glibc it
# was built with. They start once per run, so they are linked dynamically.
DYNAMIC  := $(BIN)/vws-client $(BIN)/vws-bench
$(DYNAMIC): LDFLAGS := $(filter-out -static,$(LDFLAGS))
LDLIBS   := -lcrypto -lpthread

BUILD    := $(BIN)/.build
# One program per src/vws-*.cpp main.
PROGRAMS := $(patsubst src/%.cpp,$(BIN)/%,$(wildcard src/vws-*.cpp))
LIB_SRC  := $(wildcard src/vws/*.cpp src/sys/*.cpp)
LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/*.cpp tests/sys/*.cpp)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/%.o)

MAN_SRC  := $(wildcard src/man/*.1)
MANPAGES := $(MAN_SRC:src/man/%=$(BIN)/man/%)

all: $(PROGRAMS) $(BIN)/libvws.a $(MANPAGES)

# Man pages share their option text (src/man/common-options.inc), inlined here.
$(BIN)/man/%.1: src/man/%.1 src/man/common-options.inc
	@mkdir -p $(@D)
	sed -e '/^\.so common-options.inc/{r src/man/common-options.inc' -e 'd;}' $< > $@

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BIN)/libvws.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN)/vws-%: $(BUILD)/src/vws-%.o $(BIN)/libvws.a
	$(CXX) $(LDFLAGS) -o $@ $< $(BIN)/libvws.a $(LDLIBS)

$(BIN)/vws-unit: $(TEST_OBJ) $(BIN)/libvws.a
	$(CXX) $(LDFLAGS) -o $@ $(TEST_OBJ) $(BIN)/libvws.a $(LDLIBS)

test: all $(BIN)/vws-unit
	VWS_BIN=$(abspath $(BIN)) tests/run

# Sanitizers cannot link statically: the same sources, dynamically, in bin/asan/.
# They run the unit tests and the integration tests of the programs' own
# behaviour; the deployment tests check shipped configs (and ASan's shadow
# memory does not fit under their softlimit -m).
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_TESTS := unit cli session protocol handshake limits echo-tcpserver echo-blocking \
              echo-socket-activate echo-inetd handler handler-endings handler-dir hardening client
asan:
	$(MAKE) BIN=bin/asan OPT="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" all bin/asan/vws-unit
	# A small quarantine: the memory-bound tests measure RSS, and ASan's default
	# keeps 256 MB of freed blocks resident.
	ASAN_OPTIONS=quarantine_size_mb=8 VWS_BIN=$(abspath bin/asan) tests/run $(ASAN_TESTS)

# ThreadSanitizer over the blocking fallback (one reader and one writer thread
# beside the loop): the unit tests (ConnIo on pipes) and the programs on pipes,
# SIGTERM mid-transfer included. Any report fails the run (exit 66).
TSAN_FLAGS := -O1 -g -fsanitize=thread
TSAN_TESTS := unit pipes echo-blocking
tsan:
	$(MAKE) BIN=bin/tsan OPT="$(TSAN_FLAGS)" LDFLAGS="$(TSAN_FLAGS)" all bin/tsan/vws-unit
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" VWS_BIN=$(abspath bin/tsan) tests/run $(TSAN_TESTS)

# libFuzzer targets (tests/fuzz/*.cpp), built with clang against the sources.
FUZZ_SECONDS ?= 60
FUZZ_CXX     := clang++
FUZZ_FLAGS   := -O1 -g -std=c++20 -Isrc -DOPENSSL_SUPPRESS_DEPRECATED -fsanitize=fuzzer,address,undefined
FUZZERS      := $(patsubst tests/fuzz/%.cpp,bin/fuzz/%,$(wildcard tests/fuzz/*.cpp))
bin/fuzz/%: tests/fuzz/%.cpp $(LIB_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ $< $(wildcard src/vws/*.cpp) -lcrypto
fuzz: $(FUZZERS)
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/lib \
	           $(DESTDIR)$(PREFIX)/include/vws/vws $(DESTDIR)$(PREFIX)/include/vws/sys
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(BIN)/libvws.a $(DESTDIR)$(PREFIX)/lib/
	# Your own handler: c++ -std=c++20 -I$(PREFIX)/include/vws ... -lvws -lcrypto
	install -m 644 src/vws/*.hpp $(DESTDIR)$(PREFIX)/include/vws/vws/
	install -m 644 src/sys/*.hpp $(DESTDIR)$(PREFIX)/include/vws/sys/

# The Debian package, in the top directory; lintian reports any error and fails the build.
deb: all
	scripts/deb/build $(VERSION) $(BIN) .
	lintian --fail-on error vws_$(VERSION)_$(shell dpkg --print-architecture).deb

clean:
	rm -rf bin/.build bin/asan bin/tsan bin/fuzz bin/man bin/deb bin/vws-* bin/libvws.a vws_*.deb

.PHONY: all test asan tsan fuzz install deb clean
.SECONDARY:

-include $(shell find bin -name '*.d' 2>/dev/null)
