// vws-handler: one WebSocket connection bridged to a child program's stdin and
// stdout, message by message (websocketd's job, done the ucspi way):
//   tcpserver -HRl0 -D 127.0.0.1 8181 vws-handler ./chat
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sys/bridge.hpp"
#include "sys/child.hpp"
#include "sys/endpoint.hpp"
#include "sys/http_pages.hpp"
#include "sys/log.hpp"
#include "sys/options.hpp"
#include "sys/report.hpp"
#include "sys/route.hpp"
#include "vws/cgi_env.hpp"

extern char** environ;

using namespace vws;
using namespace vws::sys;

namespace {

const char usage_text[] =
    "usage: vws-handler [OPTIONS] PROGRAM [ARGS...]\n"
    "       vws-handler [OPTIONS] --dir DIR\n"
    "Serves one WebSocket connection (RFC 6455) by running PROGRAM and bridging\n"
    "messages to its stdin and from its stdout. Under tcpserver, inetd or systemd:\n"
    "  tcpserver -HRl0 -D 127.0.0.1 8181 vws-handler ./chat\n"
    "Options:\n"
    "  --framing MODE          line (default): a text message is a line; raw: bytes,\n"
    "                          sent as binary; netstring: LEN:PAYLOAD, both ways\n"
    "  --netstring-type TYPE   binary (default) or text: type of outgoing messages\n"
    "  --kill-grace S          after the client leaves: stdin closed, SIGTERM after S,\n"
    "                          SIGKILL after 2S, to the process group (default 1)\n"
    "  --env NAME=VALUE        add to the program's environment (repeatable)\n"
    "  --no-cgi-env            no CGI or HTTP_* variables (only what we got, and --env)\n"
    "  --pass-env LIST         pass on only these of our variables (and PATH, PROTO,\n"
    "                          TCP*); default: all of them, as ucspi programs do\n"
    "  --dir DIR               run DIR/NAME for the path /NAME (404 otherwise)\n";

enum : int {
    opt_framing = opt_first_program_specific,
    opt_netstring_type,
    opt_kill_grace,
    opt_env,
    opt_no_cgi_env,
    opt_pass_env,
    opt_dir,
};

struct Settings {
    CommonOptions common;
    BridgeOptions bridge;
    std::vector<std::string> extra_env;
    bool cgi_env = true;
    bool limit_env = false;              // --pass-env given
    std::vector<std::string> pass_env;   // its names
    std::string dir;
    std::vector<std::string> argv;
};

Settings parse_args(int argc, char** argv)
{
    Settings s;
    static const option long_options[] = {
        VWS_COMMON_LONG_OPTIONS,
        {"framing", required_argument, nullptr, opt_framing},
        {"netstring-type", required_argument, nullptr, opt_netstring_type},
        {"kill-grace", required_argument, nullptr, opt_kill_grace},
        {"env", required_argument, nullptr, opt_env},
        {"no-cgi-env", no_argument, nullptr, opt_no_cgi_env},
        {"pass-env", required_argument, nullptr, opt_pass_env},
        {"dir", required_argument, nullptr, opt_dir},
        {nullptr, 0, nullptr, 0},
    };
    int c;
    // "+": stop at PROGRAM, so its own options stay its own.
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        switch (c) {
        case opt_help:
            std::printf("%s%s", usage_text, common_options_help);
            std::printf("Exit codes: 0 clean close, 98 the peer broke the protocol or vanished,\n"
                        "100 usage, 111 system failure (out of memory too).\n");
            std::exit(exit_code::ok);
        case opt_version: std::printf("vws-handler %s\n", VWS_VERSION); std::exit(exit_code::ok);
        case opt_framing:
            if (!parse_framing(optarg, s.bridge.framing))
                fatal(exit_code::usage, "--framing %s: expected line, raw or netstring", optarg);
            break;
        case opt_netstring_type:
            if (std::strcmp(optarg, "text") != 0 && std::strcmp(optarg, "binary") != 0)
                fatal(exit_code::usage, "--netstring-type %s: expected text or binary", optarg);
            s.bridge.netstring_text = std::strcmp(optarg, "text") == 0;
            break;
        case opt_kill_grace:
            if (!parse_duration_ms(optarg, s.bridge.kill_grace_ms))
                fatal(exit_code::usage, "--kill-grace %s: expected seconds", optarg);
            break;
        case opt_env:
            if (!std::strchr(optarg, '=') || optarg[0] == '=')
                fatal(exit_code::usage, "--env %s: expected NAME=VALUE", optarg);
            s.extra_env.emplace_back(optarg);
            break;
        case opt_no_cgi_env: s.cgi_env = false; break;
        case opt_pass_env:
            s.limit_env = true;
            for (std::string& name : split_comma_list(optarg)) {
                if (name.find('=') != std::string::npos)
                    fatal(exit_code::usage, "--pass-env %s: expected names, not NAME=VALUE (that is --env)", optarg);
                s.pass_env.push_back(std::move(name));
            }
            break;
        case opt_dir: s.dir = optarg; break;
        default:
            if (!parse_common_option(c, optarg, s.common))
                fatal(exit_code::usage, "usage: vws-handler [OPTIONS] PROGRAM [ARGS...] (see --help)");
        }
    }
    for (int i = optind; i < argc; ++i) s.argv.emplace_back(argv[i]);
    if (s.argv.empty() == s.dir.empty())
        fatal(exit_code::usage, "give either PROGRAM or --dir DIR (see --help)");
    if (!s.dir.empty() && access(s.dir.c_str(), X_OK) != 0)
        fatal(exit_code::usage, "--dir %s: %s", s.dir.c_str(), std::strerror(errno));
    s.bridge.timeouts = s.common.timeouts;
    s.bridge.max_message = s.common.limits.max_message;
    return s;
}

// SERVER_NAME is the Host the client asked for, without the port.
std::string host_name(const std::string& host)
{
    if (!host.empty() && host[0] == '[') return host.substr(0, host.find(']') + 1);
    return host.substr(0, host.find(':'));
}

// `remote` is the client as the log names it (from a trusted proxy's headers).
std::vector<std::string> child_environment(const Settings& s, const Endpoint& ep, const Address& remote,
                                           const Request& req, const std::string& req_protocol,
                                           const Route& route)
{
    std::vector<std::string> inherited;
    for (char** e = environ; *e; ++e) inherited.emplace_back(*e);
    if (s.limit_env) inherited = pass_environment(inherited, s.pass_env);
    std::vector<std::vector<std::string>> layers;
    if (s.cgi_env) {
        const Address local = local_address(ep);
        CgiContext ctx;
        ctx.remote_addr = remote.ip;
        ctx.remote_port = remote.port;
        if (const char* h = std::getenv("TCPREMOTEHOST")) ctx.remote_host = h;
        ctx.server_name = host_name(req.host);
        if (ctx.server_name.empty()) ctx.server_name = local.ip;
        ctx.server_port = local.port;
        ctx.protocol = req_protocol;
        ctx.script_name = route.script_name;
        ctx.path_info = route.path_info;
        ctx.server_software = std::string("vws/") + VWS_VERSION;
        layers.push_back(cgi_variables(req, ctx));
    }
    layers.push_back(s.extra_env);
    return merge_environment(inherited, layers, {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"});
}

} // namespace

int main(int argc, char** argv)
{
    log_init("vws-handler");
    exit_on_out_of_memory();
    const Settings s = parse_args(argc, argv);
    const Endpoint ep = prepare_connection(s.common);

    Report report;
    report.remote = remote_address(ep);
    Connection conn(s.common.limits, s.common.policy);
    Child child;
    const auto io = open_conn_io(ep, s.common.blocking);
    Bridge bridge(*io, conn, s.bridge);
    HttpPages pages(s.common.pages, s.common.policy);

    // Starts the program for this request; 0 or an errno value. Everything it
    // builds for the child (argv, environment) is freed on return.
    auto spawn = [&](const Request& req, const Route& route) {
        ChildSpec spec;
        spec.argv = s.dir.empty() ? s.argv : std::vector<std::string>{route.program};
        spec.env = child_environment(s, ep, report.remote, req, report.protocol, route);
        spec.close_fds = {ep.in, ep.out};
        spec.stderr_to_null = !log_enabled();
        report.program = spec.argv[0];
        return child.spawn(spec);
    };
    bridge.on_request = [&](Connection& c, Bridge& b) {
        const Request& req = c.request();
        if (c.plain_request()) {
            // --static or --devconsole: no program runs for a plain request.
            note_request(report, c, s.common.trusted_proxies);
            pages.answer(c, s.dir.empty() || route_request(s.dir, req.path).has_value());
            report.http_head = pages.head_size();
            return;
        }
        Route route{"", "", req.path};
        if (!s.dir.empty()) {
            const auto found = route_request(s.dir, req.path);
            if (!found) return c.reject(Fault::not_found);
            route = *found;
        }
        note_request(report, c, s.common.trusted_proxies);
        if (s.cgi_env) report.headers_dropped = dropped_headers(req);
        const int err = spawn(req, route);
        // Give back the pages the child's environment took: memory per idle
        // connection is what limits how many a host holds.
        malloc_trim(0);
        if (err != 0) {
            // Our configuration, not the client's doing: the reject line says
            // why, and we exit 111 (system failure), not 98.
            report.error = "unable to run " + report.program + ": " + std::strerror(err);
            return c.reject(Fault::server_error);
        }
        c.accept();
        b.attach_child(child);
        report.child_pid = child.pid();
        log_open(report, c);
    };

    const Outcome outcome = bridge.run();
    if (report.error.empty()) report.error = pages.error();
    report.child_exit = child.exit_status();
    report.child_signal = child.term_signal();
    report.child_fault = bridge.stats().stream_fault;
    return log_end(report, conn, outcome);
}
