#include "vws/cgi_env.hpp"

#include <algorithm>

#include <unordered_map>

namespace vws {

namespace {

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

std::string fold_line_breaks(std::string_view v)
{
    std::string s(v);
    for (char& c : s)
        if (c == '\r' || c == '\n') c = ' ';
    return s;
}

} // namespace

std::string http_variable_name(std::string_view header)
{
    std::string name = "HTTP_";
    for (char c : header) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == '-') c = '_';
        else if ((c < 'A' || c > 'Z') && (c < '0' || c > '9')) return {};
        name += c;
    }
    // A "Proxy:" header must not become the proxy setting of HTTP clients in
    // the child (CVE-2016-5385 and friends).
    if (name == "HTTP_" || name == "HTTP_PROXY") return {};
    return name;
}

size_t dropped_headers(const Request& req)
{
    size_t n = 0;
    for (const Header& h : req.headers) n += http_variable_name(h.name).empty();
    return n;
}

std::vector<std::string> cgi_variables(const Request& req, const CgiContext& ctx)
{
    std::vector<std::string> env = {
        "GATEWAY_INTERFACE=CGI/1.1",
        "SERVER_SOFTWARE=" + ctx.server_software,
        "SERVER_PROTOCOL=HTTP/1.1",
        "SERVER_NAME=" + ctx.server_name,
        "SERVER_PORT=" + ctx.server_port,
        "REQUEST_METHOD=" + req.method,
        "REQUEST_URI=" + req.target,
        "SCRIPT_NAME=" + ctx.script_name,
        "PATH_INFO=" + ctx.path_info,
        "QUERY_STRING=" + req.query,
        "REMOTE_ADDR=" + ctx.remote_addr,
        "REMOTE_PORT=" + ctx.remote_port,
        "REMOTE_HOST=" + (ctx.remote_host.empty() ? ctx.remote_addr : ctx.remote_host),
        "WEBSOCKET_PROTOCOL=" + ctx.protocol,
        // Set empty, so values from our own environment never pass for the
        // client's (websocketd does the same).
        "AUTH_TYPE=", "CONTENT_LENGTH=", "CONTENT_TYPE=", "REMOTE_IDENT=", "REMOTE_USER=",
    };
    // One variable per header name; repeated headers joined with ", ".
    std::unordered_map<std::string, size_t> seen;
    for (const Header& h : req.headers) {
        const std::string name = http_variable_name(h.name);
        if (name.empty()) continue;
        const std::string value = fold_line_breaks(h.value);
        if (auto it = seen.find(name); it != seen.end()) {
            env[it->second] += ", " + value;
        } else {
            seen.emplace(name, env.size());
            env.push_back(name + "=" + value);
        }
    }
    return env;
}

std::vector<std::string> pass_environment(const std::vector<std::string>& inherited,
                                          const std::vector<std::string>& names)
{
    std::vector<std::string> out;
    for (const std::string& entry : inherited) {
        const std::string_view name = name_of(entry);
        const bool ucspi = name == "PROTO" || name.substr(0, 3) == "TCP";
        if (ucspi || name == "PATH" || std::find(names.begin(), names.end(), name) != names.end())
            out.push_back(entry);
    }
    return out;
}

std::vector<std::string> merge_environment(const std::vector<std::string>& inherited,
                                           const std::vector<std::vector<std::string>>& layers,
                                           const std::vector<std::string_view>& drop)
{
    std::vector<std::string> out;
    std::unordered_map<std::string, size_t> index;
    auto put = [&](const std::string& entry) {
        const std::string name(name_of(entry));
        if (name.empty() || name.size() == entry.size()) return;  // not NAME=VALUE
        for (std::string_view d : drop)
            if (name == d) return;
        if (auto it = index.find(name); it != index.end()) {
            out[it->second] = entry;
        } else {
            index.emplace(name, out.size());
            out.push_back(entry);
        }
    };
    for (const std::string& e : inherited) put(e);
    for (const auto& layer : layers)
        for (const std::string& e : layer) put(e);
    return out;
}

} // namespace vws
