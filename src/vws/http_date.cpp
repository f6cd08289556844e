#include "vws/http_date.hpp"

#include <algorithm>
#include <array>

namespace vws {

namespace {

constexpr std::array<std::string_view, 7> day_names = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 for a proleptic Gregorian date, and back
// (H. Hinnant's days_from_civil / civil_from_days).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void two_digits(std::string& out, unsigned v)
{
    out += static_cast<char>('0' + v / 10 % 10);
    out += static_cast<char>('0' + v % 10);
}

// A cursor over the date text: each take_* consumes what it matched or fails.
struct Scan {
    std::string_view s;
    bool ok = true;

    bool literal(std::string_view lit)
    {
        if (!ok || s.substr(0, lit.size()) != lit) return ok = false;
        s.remove_prefix(lit.size());
        return true;
    }
    // Exactly n digits (n == 0: one or more, at most 4).
    unsigned number(size_t n)
    {
        size_t i = 0;
        unsigned v = 0;
        while (ok && i < s.size() && i < (n ? n : 4) && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
        if (i == 0 || (n && i != n)) ok = false;
        s.remove_prefix(i);
        return v;
    }
    unsigned month()
    {
        for (unsigned i = 0; i < month_names.size(); ++i)
            if (s.substr(0, 3) == month_names[i]) {
                s.remove_prefix(3);
                return i + 1;
            }
        ok = false;
        return 0;
    }
    // hh:mm:ss
    int64_t time_of_day()
    {
        const unsigned h = number(2);
        literal(":");
        const unsigned m = number(2);
        literal(":");
        const unsigned sec = number(2);
        if (h > 23 || m > 59 || sec > 60) ok = false;  // 60: a leap second, §5.6.7
        return h * 3600 + m * 60 + std::min(sec, 59u);
    }
    // The day name and what follows it: "Sun, ", "Sunday, " or "Sun ".
    void day_name(std::string_view after)
    {
        for (std::string_view d : day_names)
            if (s.substr(0, 3) == d) {
                s.remove_prefix(3);
                return (void)literal(after);
            }
        ok = false;
    }
};

std::optional<int64_t> make_time(int64_t y, unsigned m, unsigned d, int64_t secs)
{
    static constexpr unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1]) return std::nullopt;
    return days_from_civil(y, m, d) * 86400 + secs;
}

} // namespace

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}


std::string format_http_date(int64_t t)
{
    const int64_t days = (t >= 0 ? t : t - 86399) / 86400;
    const int64_t secs = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    std::string out;
    out.reserve(29);
    out += day_names[static_cast<size_t>(((days % 7) + 11) % 7)];  // 1970-01-01 was a Thursday
    out += ", ";
    two_digits(out, d);
    out += ' ';
    out += month_names[m - 1];
    out += ' ';
    out += std::to_string(y);
    out += ' ';
    two_digits(out, static_cast<unsigned>(secs / 3600));
    out += ':';
    two_digits(out, static_cast<unsigned>(secs / 60 % 60));
    out += ':';
    two_digits(out, static_cast<unsigned>(secs % 60));
    out += " GMT";
    return out;
}

std::optional<int64_t> parse_http_date(std::string_view text)
{
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    Scan a{text};
    a.day_name(", ");
    unsigned d = a.number(2);
    a.literal(" ");
    unsigned m = a.month();
    a.literal(" ");
    int64_t y = a.number(4);
    a.literal(" ");
    int64_t secs = a.time_of_day();
    a.literal(" GMT");
    if (a.ok && a.s.empty()) return make_time(y, m, d, secs);

    // rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT"; §5.6.7: a two-digit year
    // more than 50 years ahead is the most recent past year with those digits,
    // which without a clock we read as 19xx for 50..99 and 20xx below.
    Scan b{text};
    const size_t comma = text.find(", ");
    if (comma != std::string_view::npos && comma >= 6) {
        b.s.remove_prefix(comma + 2);
        d = b.number(2);
        b.literal("-");
        m = b.month();
        b.literal("-");
        y = b.number(2);
        b.literal(" ");
        secs = b.time_of_day();
        b.literal(" GMT");
        if (b.ok && b.s.empty()) return make_time(y + (y < 50 ? 2000 : 1900), m, d, secs);
    }

    // asctime-date: "Sun Nov  6 08:49:37 1994"
    Scan c{text};
    c.day_name(" ");
    m = c.month();
    c.literal(" ");
    if (!c.s.empty() && c.s[0] == ' ') c.s.remove_prefix(1);  // day padded with a space
    d = c.number(0);
    c.literal(" ");
    secs = c.time_of_day();
    c.literal(" ");
    y = c.number(4);
    if (c.ok && c.s.empty() && d <= 31) return make_time(y, m, d, secs);
    return std::nullopt;
}

} // namespace vws
