// HTTP-date (RFC 9110 §5.6.7): Last-Modified, Date and If-Modified-Since.
// Pure calendar arithmetic on seconds since the epoch (UTC): no time zone,
// no libc clock, so the core stays free of I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vws {

// The civil date (year, month 1-12, day 1-31) of a day count since 1970-01-01,
// proleptic Gregorian (H. Hinnant's civil_from_days); the log's timestamps too.
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, the only form we send).
std::string format_http_date(int64_t unix_seconds);

// Any of the three forms a recipient must accept (§5.6.7): IMF-fixdate,
// obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994"). Empty for anything else: a malformed
// If-Modified-Since is ignored (§13.1.3), not an error.
std::optional<int64_t> parse_http_date(std::string_view s);

} // namespace vws
