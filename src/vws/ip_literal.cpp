#include "vws/ip_literal.hpp"

namespace vws {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The number of 16-bit groups in a run of ':'-separated groups (0 for an
// empty run), the last one dotted IPv4 (two groups) when `ipv4_tail`; -1 if
// the run is malformed.
int ipv6_groups(std::string_view s, bool ipv4_tail)
{
    if (s.empty()) return 0;
    int groups = 0;
    for (;;) {
        const size_t colon = s.find(':');
        const std::string_view group = s.substr(0, colon);
        if (colon == std::string_view::npos && ipv4_tail && group.find('.') != std::string_view::npos)
            return ipv4_literal(group) ? groups + 2 : -1;
        if (group.empty() || group.size() > 4) return -1;
        for (char c : group)
            if (!is_hex(c)) return -1;
        ++groups;
        if (colon == std::string_view::npos) return groups;
        s.remove_prefix(colon + 1);
    }
}

} // namespace

bool ipv4_literal(std::string_view s)
{
    for (int part = 1;; ++part) {
        size_t digits = 0;
        unsigned value = 0;
        while (digits < s.size() && digits < 4 && is_digit(s[digits]))
            value = value * 10 + static_cast<unsigned>(s[digits++] - '0');
        // Leading zeros read as octal to some parsers (inet_aton): refuse them.
        if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s[0] == '0')) return false;
        s.remove_prefix(digits);
        if (part == 4) return s.empty();
        if (s.empty() || s[0] != '.') return false;
        s.remove_prefix(1);
    }
}

bool ipv6_literal(std::string_view s)
{
    const size_t gap = s.find("::");
    if (gap == std::string_view::npos) return ipv6_groups(s, true) == 8;
    if (s.find("::", gap + 1) != std::string_view::npos) return false;  // one "::" at most
    const int head = ipv6_groups(s.substr(0, gap), false);
    const int tail = ipv6_groups(s.substr(gap + 2), true);
    // "::" stands for one group or more.
    return head >= 0 && tail >= 0 && head + tail <= 7;
}

bool ip_literal(std::string_view s) { return ipv4_literal(s) || ipv6_literal(s); }

} // namespace vws
