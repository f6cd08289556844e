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
    // --same-origin: the Origin's host and port must be the Host header's.
    bool same_origin = false;
    // A request that does not ask for a WebSocket is handed to the program
    // (EventType::http_request: --static, --devconsole) instead of 426.
    bool plain_http = false;
    // Extra header lines ("Name: value\r\n"...): for the 101 (--header-ws),
    // and for every other answer (--header-http); --header goes in both.
    std::string headers_101;
    std::string headers_http;
};

struct Decision {
    Fault fault = Fault::none;
    std::string protocol;  // chosen, may be empty
};

Decision decide(const Request& req, const Policy& policy);

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed);

// RFC 6454 §5: "https://a.example:8443" is the origin of Host "a.example:8443";
// a port left out is the scheme's default (80, 443) on both sides. Only
// http and https origins match ("null" never does).
bool same_origin_as_host(std::string_view origin, std::string_view host);

// The Host is one of --host (always true without that list).
bool host_allowed(const Request& req, const Policy& policy);

struct ForwardedClient {
    std::string addr;  // an IP literal, or empty
    std::string bad;   // what the proxy said instead of an IP literal, or empty
};

// The client's address as a trusted proxy reports it: walking
// X-Forwarded-For from the right, the first entry that is not one of our
// trusted proxies; else X-Real-IP. Only an IP literal counts as an address.
ForwardedClient forwarded_client(const Request& req, const std::vector<std::string>& trusted);

} // namespace vws
