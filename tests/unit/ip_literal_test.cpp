// IP literals (ip_literal.hpp): what a trusted proxy may give as the client's
// address. Accepted vectors are checked against no other parser; they are
// the RFC 4291 §2.2 forms and dotted decimal as inet_pton(3) takes them.
#include <doctest/doctest.h>

#include "vws/ip_literal.hpp"

TEST_CASE("ip_literal: IPv4 dotted decimal, four parts of 0-255, no leading zeros") {
    for (const char* good : {"0.0.0.0", "1.2.3.4", "127.0.0.1", "255.255.255.255", "203.0.113.9", "10.0.0.10"}) {
        CAPTURE(good);
        CHECK(vws::ipv4_literal(good));
        CHECK(vws::ip_literal(good));
        CHECK_FALSE(vws::ipv6_literal(good));
    }
    for (const char* bad : {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.2.3.1000", "01.2.3.4",
                            "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4:80",
                            "1.2.3.-4", "+1.2.3.4", "0x1.2.3.4", "1.2.3.a", "9.9.9.9 remote_addr=1.1.1.1",
                            "1.2.3.4\n", "99999999999.1.1.1"}) {
        CAPTURE(bad);
        CHECK_FALSE(vws::ipv4_literal(bad));
        CHECK_FALSE(vws::ip_literal(bad));
    }
}

TEST_CASE("ip_literal: IPv6 text forms of RFC 4291 §2.2") {
    for (const char* good : {"::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A",
                             "2001:db8:0:0:8:800:200c:417a", "ff01::101", "1:2:3:4:5:6:7:8", "1::8",
                             "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6::8", "::ffff:1.2.3.4",
                             "::13.1.68.3", "0:0:0:0:0:0:13.1.68.3", "1:2:3:4:5::1.2.3.4", "fe80::1:2"}) {
        CAPTURE(good);
        CHECK(vws::ipv6_literal(good));
        CHECK(vws::ip_literal(good));
        CHECK_FALSE(vws::ipv4_literal(good));
    }
    for (const char* bad : {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
                            "::1:2:3:4:5:6:7:8", "1::2::3", "12345::", "::g", ":1::", "1::2:", ":1:2:3:4:5:6:7:8",
                            "1:2:3:4:5:6:7:8:", "[::1]", "[::1]:443", "fe80::1%eth0", "::1.2.3", "::1.2.3.4.5",
                            "::256.1.1.1", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4",
                            "1:2:3:4:5:6:1.2.3.4:8", " ::1", "::1 ", "2001:db8::1 x"}) {
        CAPTURE(bad);
        CHECK_FALSE(vws::ipv6_literal(bad));
        CHECK_FALSE(vws::ip_literal(bad));
    }
}
