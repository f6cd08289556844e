// The unit-test runner: doctest's main. Test cases live in one file per core
// source file (fault, utf8, mask, frame, handshake, connection, loopback).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
