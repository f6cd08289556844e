// The environment a vws-handler child sees: what we were given (the ucspi
// variables among it), then CGI-style variables as websocketd sets them
// (RFC 3875 names), one HTTP_* per request header, then the operator's --env.
// Pure string work; the OS side supplies addresses and the inherited environ.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vws/handshake.hpp"

namespace vws {

struct CgiContext {
    std::string remote_addr, remote_port, remote_host;
    std::string server_name, server_port;
    std::string script_name;   // "" for a single program, "/chat" under --dir
    std::string path_info;     // the rest of the path
    std::string protocol;      // the negotiated subprotocol
    std::string server_software = "vws";
};

// "NAME=VALUE" entries for the CGI variables and the HTTP_* headers.
std::vector<std::string> cgi_variables(const Request& req, const CgiContext& ctx);

// "X-Forwarded-For" -> "HTTP_X_FORWARDED_FOR": upper case, '-' -> '_'.
// Empty for a header that is not passed: a name holding '_' or anything else
// outside [A-Za-z0-9-] (nginx and Apache drop these too: "X_Forwarded_For"
// or "X-Forwarded.For" would land on the proxy's HTTP_X_FORWARDED_FOR), and
// a name that must never be set from a request (HTTP_PROXY: "httpoxy").
std::string http_variable_name(std::string_view header);

// How many of the request's headers cgi_variables leaves out.
size_t dropped_headers(const Request& req);

// --pass-env: the inherited entries whose name is in `names`, or PATH, or
// one of the ucspi connection variables (PROTO, TCP*, TCP6*: tcp-environ(5)),
// which describe this connection, not the supervisor's secrets.
std::vector<std::string> pass_environment(const std::vector<std::string>& inherited,
                                          const std::vector<std::string>& names);

// inherited, then each later list, a later NAME replacing an earlier one in
// place; names in `drop` are removed (LISTEN_FDS and friends).
std::vector<std::string> merge_environment(const std::vector<std::string>& inherited,
                                           const std::vector<std::vector<std::string>>& layers,
                                           const std::vector<std::string_view>& drop);

} // namespace vws
