// vws-echo: one WebSocket connection on stdin/stdout (or fd 3 under systemd
// socket activation, or --fd N); echoes every message back as it came.
// The conformance target: everything but the echo is the library's.
#include <cstdio>

#include "sys/log.hpp"
#include "sys/options.hpp"
#include "sys/report.hpp"

using namespace vws;
using namespace vws::sys;

namespace {

const char usage_text[] =
    "usage: vws-echo [OPTIONS]\n"
    "Serves one WebSocket connection (RFC 6455) and echoes every message.\n"
    "Run it under tcpserver, inetd or systemd socket activation (Accept=yes):\n"
    "  tcpserver -HRl0 -D -c 100 -b 1024 127.0.0.1 8181 vws-echo\n"
    "Options:\n";

class Echo : public App {
public:
    void on_event(Connection& conn, const Event& e) override
    {
        if (e.type == EventType::request) conn.accept();
        if (e.type == EventType::text || e.type == EventType::binary)
            conn.send_message(e.type == EventType::text ? Opcode::text : Opcode::binary, e.data, e.size);
    }
};

} // namespace

int main(int argc, char** argv)
{
    log_init("vws-echo");
    exit_on_out_of_memory();
    CommonOptions opts;
    static const option long_options[] = {VWS_COMMON_LONG_OPTIONS, {nullptr, 0, nullptr, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, nullptr)) != -1) {
        if (c == opt_help) {
            std::printf("%s%s", usage_text, common_options_help);
            std::printf("Exit codes: 0 clean close, 98 the peer broke the protocol or vanished,\n"
                        "100 usage, 111 system failure (out of memory too).\n");
            return exit_code::ok;
        }
        if (c == opt_version) {
            std::printf("vws-echo %s\n", VWS_VERSION);
            return exit_code::ok;
        }
        if (!parse_common_option(c, optarg, opts)) fatal(exit_code::usage, "usage: vws-echo [OPTIONS] (see --help)");
    }
    if (optind < argc) fatal(exit_code::usage, "unexpected argument '%s' (see --help)", argv[optind]);

    // The log lines (open, close with the counts) and the exit code are the
    // library's: serve() is what a handler of your own calls too.
    Echo echo;
    return serve(opts, echo);
}
