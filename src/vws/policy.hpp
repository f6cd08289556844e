// Who may open a WebSocket here, and in which subprotocol: the server's
// checks on a valid upgrade request, before it is answered. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vws/fault.hpp"
#include "vws/handshake.hpp"

namespace vws {

struct Policy {
    // Origin allow-list: "https://app.example.com" (exact), "app.example.com"
    // (that host, any scheme and port) or "*.example.com" (its subdomains).
    // Empty: any origin. A request without Origin (not a browser) passes.
    std::vector<std::string> origins;
    // Subprotocols we speak. The first the client offered that is in this list
    // is chosen (RFC 6455 §4.2.2: the server picks one of the client's).
    std::vector<std::string> protocols;
    bool require_protocol = false;   // refuse clients that offer none of ours
    std::vector<std::string> hosts;  // Host names served (no port); empty: any
    std::string health_path = "/healthz";  // a plain GET here answers 200 "ok"
};

struct Decision {
    Fault fault = Fault::none;
    std::string protocol;  // chosen, may be empty
};

Decision decide(const Request& req, const Policy& policy);

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed);

struct ForwardedClient {
    std::string addr;  // an IP literal, or empty
    std::string bad;   // what the proxy said instead of an IP literal, or empty
};

// The client's address as a trusted proxy reports it: walking
// X-Forwarded-For from the right, the first entry that is not one of our
// trusted proxies; else X-Real-IP. Only an IP literal counts as an address.
ForwardedClient forwarded_client(const Request& req, const std::vector<std::string>& trusted);

} // namespace vws
