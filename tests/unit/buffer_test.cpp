// ByteBuffer (buffer.hpp): growth that fails as a value and leaves the data
// whole, growth to exactly a large request, and the growth limit.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "vws/buffer.hpp"

namespace {

std::string contents(const vws::ByteBuffer& b)
{
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

} // namespace

TEST_CASE("buffer: a request no memory can hold fails and leaves the data whole")
{
    vws::ByteBuffer b;
    REQUIRE(b.append("hello", 5));
    CHECK(b.prepare(SIZE_MAX / 2) == nullptr);
    CHECK_FALSE(b.append("x", SIZE_MAX / 2));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // Past the size guard, so realloc itself fails (ASan and TSan would report it instead).
    CHECK(b.prepare(size_t(1) << 60) == nullptr);
#endif
    CHECK(contents(b) == "hello");
    REQUIRE(b.append(" world", 6));
    CHECK(contents(b) == "hello world");
}

TEST_CASE("buffer: a large request gets what it needs, not the next power of two")
{
    vws::ByteBuffer b;
    REQUIRE(b.prepare(10000) != nullptr);
    CHECK(b.capacity() == 10000);
    b.commit(10000);
    REQUIRE(b.prepare(1) != nullptr);  // small appends still double
    CHECK(b.capacity() == 20000);
}

TEST_CASE("buffer: growth doubles up to the limit, and past it only as far as asked")
{
    vws::ByteBuffer b;
    b.limit_growth(1000);
    REQUIRE(b.append(std::string(600, 'a').data(), 600));
    CHECK(b.capacity() == 600);
    REQUIRE(b.append(std::string(300, 'b').data(), 300));
    CHECK(b.capacity() == 1000);  // not 1200
    REQUIRE(b.append(std::string(200, 'c').data(), 200));
    CHECK(b.capacity() == 1100);  // beyond the limit: exactly what is needed
    CHECK(contents(b) == std::string(600, 'a') + std::string(300, 'b') + std::string(200, 'c'));
}

TEST_CASE("buffer: headroom survives growth, and the consumed front is reclaimed")
{
    vws::ByteBuffer b;
    REQUIRE(b.clear_with_headroom(14));
    REQUIRE(b.append(std::string(5000, 'm').data(), 5000));
    CHECK(b.headroom() == 14);
    b.prepend("HEAD", 4);
    CHECK(contents(b).substr(0, 5) == "HEADm");

    vws::ByteBuffer q;
    REQUIRE(q.append(std::string(1000, 'x').data(), 1000));
    const size_t cap = q.capacity();
    q.consume(900);
    REQUIRE(q.append(std::string(800, 'y').data(), 800));
    CHECK(q.capacity() == cap);  // moved to the front, not grown
    CHECK(contents(q) == std::string(100, 'x') + std::string(800, 'y'));
}
