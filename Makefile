# vws: build, test, install. Read top to bottom; pattern rules do the work.
#   make            programs in bin/, libvws.a in bin/
#   make test       unit and integration tests (tests/run prints "N passed, N failed")
#   make asan       unit tests under AddressSanitizer + UBSan (objects in bin/asan/)
#   make install    PREFIX=/usr/local DESTDIR=

CXX      ?= g++
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := 0.1.0

CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -Isrc -MMD -MP \
            -DOPENSSL_SUPPRESS_DEPRECATED -DVWS_VERSION='"$(VERSION)"'
# Programs are linked fully static: per-connection fork+exec start-up and memory
# dominate (DESIGN.md), and only libcrypto's SHA-1 and base64 objects come in.
LDFLAGS  ?= -static
LDLIBS   := -lcrypto -lpthread

BUILD    := bin/.build
# One program per src/vws-*.cpp main.
PROGRAMS := $(patsubst src/%.cpp,bin/%,$(wildcard src/vws-*.cpp))

LIB_SRC  := $(wildcard src/vws/*.cpp src/sys/*.cpp)
LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/*.cpp tests/sys/*.cpp)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/%.o)

all: $(PROGRAMS) bin/libvws.a

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

bin/libvws.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

bin/vws-%: $(BUILD)/src/vws-%.o bin/libvws.a
	$(CXX) $(LDFLAGS) -o $@ $< bin/libvws.a $(LDLIBS)

bin/vws-unit: $(TEST_OBJ) bin/libvws.a
	$(CXX) $(LDFLAGS) -o $@ $(TEST_OBJ) bin/libvws.a $(LDLIBS)

test: all bin/vws-unit
	tests/run

# Sanitizers cannot link statically; the same sources build dynamically in bin/asan/.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD=bin/asan/.build LDFLAGS="$(ASAN_FLAGS)" CXXFLAGS="$(ASAN_FLAGS)" \
	        BIN=bin/asan bin/asan/vws-unit $(PROGRAMS:bin/%=bin/asan/%)
	bin/asan/vws-unit

bin/asan/libvws.a: $(LIB_SRC:%.cpp=bin/asan/.build/%.o)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

bin/asan/vws-%: bin/asan/.build/src/vws-%.o bin/asan/libvws.a
	$(CXX) $(LDFLAGS) -o $@ $< bin/asan/libvws.a $(LDLIBS)

bin/asan/vws-unit: $(TEST_SRC:%.cpp=bin/asan/.build/%.o) bin/asan/libvws.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/vws
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard src/man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 bin/libvws.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 src/vws/*.hpp $(DESTDIR)$(PREFIX)/include/vws/

clean:
	rm -rf bin/.build bin/asan bin/vws-* bin/libvws.a

.PHONY: all test asan install clean
.SECONDARY:

-include $(shell find bin -name '*.d' 2>/dev/null)
