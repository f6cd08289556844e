#include "vws/policy.hpp"

#include <algorithm>

#include "vws/ip_literal.hpp"

namespace vws {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "https://Host:8443" -> "host"; "[::1]:80" -> "[::1]".
std::string host_part(std::string_view s)
{
    if (const size_t scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
    s = s.substr(0, s.find('/'));
    if (!s.empty() && s.front() == '[') return lower(s.substr(0, s.find(']') + 1));
    return lower(s.substr(0, s.find(':')));
}

bool host_matches(const std::string& host, std::string_view pattern)
{
    const std::string p = lower(pattern);
    if (p.size() > 2 && p.compare(0, 2, "*.") == 0) {
        const std::string_view suffix = std::string_view(p).substr(1);  // ".example.com"
        return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    return host == p;
}

// "Host:8443" -> {"host", "8443"}; "[::1]" -> {"[::1]", ""}.
std::pair<std::string, std::string> split_host_port(std::string_view s)
{
    size_t colon = s.rfind(':');
    if (colon != std::string_view::npos && s.find(']', colon) != std::string_view::npos) colon = std::string_view::npos;
    if (colon == std::string_view::npos) return {lower(s), ""};
    return {lower(s.substr(0, colon)), std::string(s.substr(colon + 1))};
}

} // namespace

bool same_origin_as_host(std::string_view origin, std::string_view host)
{
    origin = trim(origin);
    std::string_view default_port;
    if (lower(origin.substr(0, 7)) == "http://") default_port = "80";
    else if (lower(origin.substr(0, 8)) == "https://") default_port = "443";
    else return false;
    origin.remove_prefix(origin.find("://") + 3);
    if (origin.find('/') != std::string_view::npos) return false;  // an origin has no path
    auto [o_host, o_port] = split_host_port(origin);
    auto [h_host, h_port] = split_host_port(trim(host));
    if (o_port.empty()) o_port = default_port;
    if (h_port.empty()) h_port = default_port;
    return !o_host.empty() && o_host == h_host && o_port == h_port;
}

bool host_allowed(const Request& req, const Policy& policy)
{
    if (policy.hosts.empty()) return true;
    const std::string* h = req.header("Host");
    const std::string host = host_part(h ? *h : std::string());
    return std::any_of(policy.hosts.begin(), policy.hosts.end(),
                       [&](const std::string& p) { return host_matches(host, p); });
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed)
{
    if (allowed.empty()) return true;
    const std::string o = lower(trim(origin));
    const std::string host = host_part(o);
    for (const std::string& a : allowed) {
        if (a.find("://") != std::string::npos ? o == lower(a) : host_matches(host, a)) return true;
    }
    return false;
}

Decision decide(const Request& req, const Policy& policy)
{
    Decision d;
    if (!host_allowed(req, policy)) return {Fault::host_not_allowed, {}};
    // RFC 6455 §10.2: Origin protects browser clients from other sites' pages.
    // Every Origin header is checked, not the first: a browser sends one
    // (RFC 6454 §7.3), so different ones are refused even with no allow-list,
    // lest the child take the other one for the page's.
    const std::string* first_origin = req.header("Origin");
    for (const Header& h : req.headers) {
        if (lower(h.name) != "origin") continue;
        if (h.value != *first_origin || !origin_allowed(h.value, policy.origins))
            return {Fault::origin_not_allowed, {}};
    }
    // websocketd --sameorigin: a page may open a WebSocket only to the
    // host and port it came from.
    if (policy.same_origin && first_origin && !same_origin_as_host(*first_origin, req.host))
        return {Fault::origin_not_allowed, {}};
    for (const std::string& offered : req.protocols) {
        if (std::find(policy.protocols.begin(), policy.protocols.end(), offered) != policy.protocols.end()) {
            d.protocol = offered;
            break;
        }
    }
    if (d.protocol.empty() && policy.require_protocol) d.fault = Fault::no_acceptable_protocol;
    return d;
}

ForwardedClient forwarded_client(const Request& req, const std::vector<std::string>& trusted)
{
    std::vector<std::string> chain;
    for (const Header& h : req.headers) {
        if (lower(h.name) != "x-forwarded-for") continue;
        for (std::string& a : split_comma_list(h.value)) chain.push_back(std::move(a));
    }
    std::string said;
    for (auto it = chain.rbegin(); it != chain.rend() && said.empty(); ++it)
        if (std::find(trusted.begin(), trusted.end(), *it) == trusted.end()) said = *it;
    if (said.empty() && !chain.empty()) said = chain.front();
    if (const std::string* real = req.header("X-Real-IP"); said.empty() && real) said = trim(*real);
    // It becomes REMOTE_ADDR and the logged address: "9.9.9.9 user=admin" must not.
    if (ip_literal(said)) return {std::move(said), {}};
    return {{}, std::move(said)};
}

} // namespace vws
