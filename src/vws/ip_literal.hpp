// Is this text an IP address literal? For addresses a trusted proxy reports
// (X-Forwarded-For, X-Real-IP), which become REMOTE_ADDR and the logged
// address: anything else there is a client's forgery or a proxy's mistake.
// Pure: no inet_pton, no locale.
#pragma once

#include <string_view>

namespace vws {

// Dotted decimal, four parts of 0-255 without leading zeros ("1.2.3.4";
// not "01.2.3.4", "1.2.3", "1.2.3.4:80").
bool ipv4_literal(std::string_view s);

// RFC 4291 §2.2 text forms: eight groups of 1-4 hex digits, or fewer around
// one "::", the last 32 bits optionally dotted decimal ("::ffff:1.2.3.4").
// No brackets, port or zone ("[::1]", "fe80::1%eth0").
bool ipv6_literal(std::string_view s);

bool ip_literal(std::string_view s);

} // namespace vws
