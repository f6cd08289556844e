// vws-client: the client role. Connects to ws://HOST[:PORT]/PATH (or, with
// --ucspi, talks over fds 6 and 7 from tcpclient), handshakes, then bridges:
// lines on stdin become text messages, messages become lines on stdout.
//   vws-client ws://127.0.0.1:8181/chat
//   tcpclient -HRl0 127.0.0.1 8181 vws-client --ucspi ws://127.0.0.1:8181/chat
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sys/bridge.hpp"
#include "sys/connect.hpp"
#include "sys/endpoint.hpp"
#include "sys/log.hpp"
#include "sys/options.hpp"
#include "sys/random.hpp"
#include "vws/url.hpp"
#include "vws/utf8.hpp"

using namespace vws;
using namespace vws::sys;

namespace {

// Exit codes of our own, beside 0, 98, 100 and 111 (log.hpp).
namespace client_exit {
inline constexpr int server_close = 2;  // the server closed with an error code
inline constexpr int refused = 3;       // the server answered the upgrade with another status
inline constexpr int input = 4;         // our stdin could not be sent as messages
} // namespace client_exit

const char usage_text[] =
    "usage: vws-client [OPTIONS] ws://HOST[:PORT]/PATH\n"
    "Opens one WebSocket connection (RFC 6455) and bridges it to stdin and stdout:\n"
    "each line on stdin is sent as a text message, each message received is\n"
    "written as a line. At the end of stdin it closes (1000) and waits for the\n"
    "server's Close. wss:// is not spoken here: put TLS in a proxy (haproxy,\n"
    "stunnel), or let socat connect and run us with --ucspi on fds 6 and 7.\n"
    "  vws-client ws://127.0.0.1:8181/chat\n"
    "  tcpclient -HRl0 127.0.0.1 8181 vws-client --ucspi ws://127.0.0.1:8181/chat\n"
    "Options:\n"
    "  --framing MODE          line (default): a line is a text message; raw: bytes as\n"
    "                          they come, sent as binary; netstring: LEN:PAYLOAD, both\n"
    "                          ways, boundaries and binary payloads kept\n"
    "  --netstring-type TYPE   binary (default) or text: type of the messages sent;\n"
    "                          received ones of either type are written alike (-v\n"
    "                          logs each one's type)\n"
    "  -1, --one-message       send all of stdin as one message (text in line mode,\n"
    "                          one final newline dropped; else binary or\n"
    "                          --netstring-type), then close\n"
    "  --header 'NAME: VALUE'  an extra request header (repeatable; Host replaces ours)\n"
    "  --origin ORIGIN         send Origin: ORIGIN\n"
    "  --protocol LIST         offer these subprotocols (a,b); -v logs the chosen one\n"
    "  --timeout S             connect and handshake within S seconds (default 10)\n"
    "  --close-code N          Close code sent at the end of stdin (default 1000)\n"
    "  --linger S              after the end of stdin, wait up to S seconds for the\n"
    "                          server's answers (or its Close) before closing (default 0)\n"
    "  --close-timeout S       time for the server to answer our Close (default 5)\n"
    "  --ping-interval S       ping after S without input (default 0: off)\n"
    "  --pong-timeout S        then give up after S more without input (default 20)\n"
    "  --max-message BYTES     largest message either way (default 64M)\n"
    "  --max-frame BYTES       largest frame payload received (default 16M)\n"
    "  --ucspi                 the connection is on fds 6 (read) and 7 (write), as\n"
    "                          tcpclient gives it: connect nothing\n"
    "  -v, --verbose           log the connection, the subprotocol and each message\n"
    "  --log-format FORMAT     logfmt (default) or json, one line per event on stderr\n"
    "  --help                  this text\n"
    "  --version               the version\n"
    "Sizes take K, M or G (powers of 1024); times are seconds (0.5) or 250ms.\n"
    "Exit codes:\n"
    "  0    closed normally: our Close answered, or the server's 1000, 1001 or none\n"
    "  2    the server closed with any other code (1002-1014, 3000-4999)\n"
    "  3    the server refused the upgrade (not 101; status line on stderr)\n"
    "  4    stdin could not be sent (bad UTF-8 for text, over --max-message,\n"
    "       bad netstring): closed with 1011\n"
    "  98   the server broke the protocol, or sent what we cannot take\n"
    "       (over --max-message, binary in line mode: closed with 1002-1009)\n"
    "  100  usage (also wss://)\n"
    "  111  network or system failure: unresolved name, refused, reset, timeout,\n"
    "       connection lost without a Close\n";

enum : int {
    opt_framing = opt_first_program_specific,
    opt_netstring_type,
    opt_one_message,
    opt_header,
    opt_client_origin,
    opt_client_protocol,
    opt_timeout,
    opt_close_code,
    opt_linger,
    opt_ucspi,
};

struct Settings {
    std::string url_text;
    WsUrl url;
    Limits limits;
    BridgeOptions bridge;
    std::vector<Header> headers;
    std::vector<std::string> protocols;
    std::string host_override;  // --header 'Host: ...'
    int timeout_ms = 10'000;
    bool one_message = false;
    bool ucspi = false;
};

[[noreturn]] void usage_error(const char* what)
{
    fatal(exit_code::usage, "%s (see --help)", what);
}

// "Name: value" -> a header; refuses those the handshake itself sends.
void add_header(Settings& s, const char* arg)
{
    const char* colon = std::strchr(arg, ':');
    const std::string name(arg, colon ? static_cast<size_t>(colon - arg) : 0);
    if (!colon || name.empty() || name.find_first_of(" \t\r\n()<>@,;\\\"/[]?={}") != std::string::npos)
        fatal(exit_code::usage, "--header %s: expected 'NAME: VALUE'", arg);
    std::string value(colon + 1);
    if (value.find_first_of("\r\n") != std::string::npos) fatal(exit_code::usage, "--header %s: line break in the value", arg);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    for (const char* ours : {"Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
                             "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"})
        if (strcasecmp(name.c_str(), ours) == 0)
            fatal(exit_code::usage, "--header %s: the handshake sends %s itself%s", arg, ours,
                  strcasecmp(ours, "Sec-WebSocket-Protocol") == 0 ? " (use --protocol)" : "");
    if (strcasecmp(name.c_str(), "Host") == 0) {
        s.host_override = value;
        return;
    }
    s.headers.push_back({name, value});
}

Settings parse_args(int argc, char** argv)
{
    Settings s;
    CommonOptions common;  // for the limits and timeouts we share with the servers
    common.timeouts.ping_interval_ms = 0;
    static const option long_options[] = {
        {"framing", required_argument, nullptr, opt_framing},
        {"netstring-type", required_argument, nullptr, opt_netstring_type},
        {"one-message", no_argument, nullptr, opt_one_message},
        {"header", required_argument, nullptr, opt_header},
        {"origin", required_argument, nullptr, opt_client_origin},
        {"protocol", required_argument, nullptr, opt_client_protocol},
        {"timeout", required_argument, nullptr, opt_timeout},
        {"close-code", required_argument, nullptr, opt_close_code},
        {"linger", required_argument, nullptr, opt_linger},
        {"ucspi", no_argument, nullptr, opt_ucspi},
        {"close-timeout", required_argument, nullptr, opt_close_timeout},
        {"ping-interval", required_argument, nullptr, opt_ping_interval},
        {"pong-timeout", required_argument, nullptr, opt_pong_timeout},
        {"max-message", required_argument, nullptr, opt_max_message},
        {"max-frame", required_argument, nullptr, opt_max_frame},
        {"verbose", no_argument, nullptr, opt_verbose},
        {"log-format", required_argument, nullptr, opt_log_format},
        {"help", no_argument, nullptr, opt_help},
        {"version", no_argument, nullptr, opt_version},
        {nullptr, 0, nullptr, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "1v", long_options, nullptr)) != -1) {
        switch (c) {
        case opt_help: std::printf("%s", usage_text); std::exit(exit_code::ok);
        case opt_version: std::printf("vws-client %s\n", VWS_VERSION); std::exit(exit_code::ok);
        case opt_framing:
            if (!parse_framing(optarg, s.bridge.framing))
                fatal(exit_code::usage, "--framing %s: expected line, raw or netstring", optarg);
            break;
        case opt_netstring_type:
            if (std::strcmp(optarg, "text") != 0 && std::strcmp(optarg, "binary") != 0)
                fatal(exit_code::usage, "--netstring-type %s: expected text or binary", optarg);
            s.bridge.netstring_text = std::strcmp(optarg, "text") == 0;
            break;
        case '1':
        case opt_one_message: s.one_message = true; break;
        case opt_header: add_header(s, optarg); break;
        case opt_client_origin:
            if (std::strpbrk(optarg, "\r\n")) fatal(exit_code::usage, "--origin: line break in the value");
            s.headers.push_back({"Origin", optarg});
            break;
        case opt_client_protocol:
            s.protocols = split_comma_list(optarg);
            for (const std::string& p : s.protocols)
                if (p.find_first_of(" \t\r\n()<>@;:\\\"/[]?={}") != std::string::npos)
                    fatal(exit_code::usage, "--protocol %s: '%s' is not a token", optarg, p.c_str());
            break;
        case opt_timeout:
            if (!parse_duration_ms(optarg, s.timeout_ms) || s.timeout_ms == 0)
                fatal(exit_code::usage, "--timeout %s: expected seconds, more than 0", optarg);
            break;
        case opt_close_code: {
            char* end = nullptr;
            const long v = std::strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 0 || v > 65535 ||
                !close_code_allowed_on_wire(static_cast<uint16_t>(v)))
                fatal(exit_code::usage, "--close-code %s: expected 1000-1003, 1007-1014 or 3000-4999", optarg);
            s.bridge.eof_close_code = static_cast<uint16_t>(v);
            break;
        }
        case opt_linger:
            if (!parse_duration_ms(optarg, s.bridge.eof_linger_ms))
                fatal(exit_code::usage, "--linger %s: expected seconds", optarg);
            break;
        case opt_ucspi: s.ucspi = true; break;
        case 'v': c = opt_verbose; [[fallthrough]];
        default:
            if (!parse_common_option(c, optarg, common)) usage_error("usage: vws-client [OPTIONS] ws://HOST[:PORT]/PATH");
        }
    }
    if (optind != argc - 1) usage_error(optind >= argc ? "missing ws://HOST[:PORT]/PATH" : "one URL only");
    s.url_text = argv[optind];
    if (const UrlError e = parse_ws_url(s.url_text, s.url); e != UrlError::none)
        fatal(exit_code::usage, "%s: %s", s.url_text.c_str(), url_error_text(e));
    if (s.url.secure)
        fatal(exit_code::usage, "%s: wss:// (TLS) is not spoken here: run vws-client behind a TLS proxy "
              "(haproxy, stunnel) with ws://, or under socat OPENSSL:...,fdin=6,fdout=7 with --ucspi", s.url_text.c_str());
    s.limits = common.limits;
    s.bridge.timeouts = common.timeouts;
    s.bridge.timeouts.handshake_ms = s.timeout_ms;
    s.bridge.max_message = common.limits.max_message;
    s.bridge.stream_name = "stdin";
    return s;
}

// -1: all of stdin, read before connecting (it must end before it can be sent).
std::string read_all_stdin(const Settings& s)
{
    std::string all;
    char buf[65536];
    for (;;) {
        const ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fatal(exit_code::system, "unable to read stdin: %s", std::strerror(errno));
        if (n == 0) break;
        all.append(buf, static_cast<size_t>(n));
        if (all.size() > s.bridge.max_message + 1)
            fatal(client_exit::input, "stdin is larger than --max-message (%llu bytes)",
                  static_cast<unsigned long long>(s.bridge.max_message));
    }
    const bool text = s.bridge.framing == Framing::line || (s.bridge.framing == Framing::netstring && s.bridge.netstring_text);
    if (s.bridge.framing == Framing::line && !all.empty() && all.back() == '\n') all.pop_back();
    if (all.size() > s.bridge.max_message)
        fatal(client_exit::input, "stdin is larger than --max-message (%llu bytes)",
              static_cast<unsigned long long>(s.bridge.max_message));
    if (text && !valid_utf8(reinterpret_cast<const uint8_t*>(all.data()), all.size()))
        fatal(client_exit::input, "stdin is not UTF-8: it cannot be a text message (try --framing raw)");
    return all;
}

// A descriptor that reads as EOF at once: the bridge's input once -1 has read stdin.
int empty_input()
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) fatal(exit_code::system, "unable to create a pipe: %s", std::strerror(errno));
    close(p[1]);
    return p[0];
}

Endpoint open_connection(const Settings& s, std::chrono::steady_clock::time_point deadline)
{
    Endpoint ep;
    if (s.ucspi) {
        // tcpclient(1): fd 6 reads from the network, fd 7 writes to it.
        ep.in = 6;
        ep.out = 7;
        if (fcntl(6, F_GETFD) == -1 || fcntl(7, F_GETFD) == -1)
            fatal(exit_code::usage, "--ucspi: no connection on fds 6 and 7 (run me under tcpclient)");
        ep.socket = is_socket(6) && is_socket(7);
        set_nodelay(ep);
        return ep;
    }
    const Connected c = tcp_connect(s.url.host, s.url.port, deadline);
    if (c.fd < 0) fatal(exit_code::system, "%s", c.error.c_str());
    LogLine("connect", LogLevel::verbose).str("url", s.url_text).str("addr", c.address).str("port", s.url.port);
    ep.in = ep.out = c.fd;
    ep.socket = true;
    return ep;
}

int exit_status(const Connection& conn, const Outcome& o, const BridgeStats& st)
{
    if (!st.stream_fault.empty()) return client_exit::input;
    // The close handshake is done once both Close frames have crossed, even if
    // the server then reset the connection before our reply reached it.
    if (conn.state() == State::closed) {
        if (!conn.peer_closed_first()) return exit_code::ok;
        const uint16_t code = conn.close_code_received();
        const bool normal = code == close_code::normal || code == close_code::going_away || code == close_code::no_status;
        return normal ? exit_code::ok : client_exit::server_close;
    }
    if (o.ending == Ending::failed)
        return conn.fault() == Fault::handshake_refused ? client_exit::refused : exit_code::protocol;
    return exit_code::system;
}

void log_end(const Settings& s, const Connection& conn, const Outcome& o, const Bridge& b, int status)
{
    const bool upgraded = conn.http_status() == 101;
    if (!upgraded && conn.fault() == Fault::handshake_refused) {
        const Response& r = conn.response();
        std::string line = "HTTP/1.1 " + std::to_string(r.status);
        if (!r.reason.empty()) line += " " + r.reason;
        LogLine("refused", LogLevel::quiet).str("url", s.url_text).num("status", static_cast<uint64_t>(r.status))
            .str("status_line", line).num("exit", static_cast<uint64_t>(status));
        return;
    }
    LogLine l("close", status == exit_code::ok ? LogLevel::verbose : LogLevel::quiet);
    l.str("url", s.url_text).str("ending", ending_name(o.ending));
    if (conn.fault() != Fault::none) l.str("fault", fault_name(conn.fault()));
    if (o.ending == Ending::io_error) l.str("error", std::strerror(o.error));
    l.str("stdin_fault", b.stats().stream_fault);
    if (upgraded) l.str("by", conn.peer_closed_first() ? "server" : conn.close_code_sent() ? "us" : "none");
    if (conn.close_code_sent()) l.num("code_sent", conn.close_code_sent());
    if (conn.close_code_received()) l.num("code_received", conn.close_code_received());
    l.str("reason_received", conn.close_reason_received());  // e.g. the handler's "exit=3"
    // The connection's counts include the -1 message, sent outside the bridge.
    l.num("messages_in", conn.messages_received()).num("messages_out", conn.messages_sent());
    l.num("bytes_in", o.bytes_in).num("bytes_out", o.bytes_out).num("exit", static_cast<uint64_t>(status));
}

} // namespace

int main(int argc, char** argv)
{
    log_init("vws-client");
    exit_on_out_of_memory();
    const Settings s = parse_args(argc, argv);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(s.timeout_ms);
    std::string whole;
    if (s.one_message) whole = read_all_stdin(s);

    const Endpoint ep = open_connection(s, deadline);  // never our stderr: no log guard
    install_signal_handlers();

    ClientRequest req;
    req.host = s.host_override.empty() ? s.url.host_header : s.host_override;
    req.target = s.url.target;
    req.key = random_websocket_key();
    req.protocols = s.protocols;
    req.headers = s.headers;
    RandomMaskKeys keys;
    Connection conn(s.limits, std::move(req), keys);

    // What is left of --timeout after connecting is the handshake's.
    BridgeOptions opt = s.bridge;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    opt.timeouts.handshake_ms = static_cast<int>(std::max<long long>(left, 1));
    const auto io = open_conn_io(ep, false);
    Bridge bridge(*io, conn, opt);
    bridge.attach_stream(s.one_message ? empty_input() : 0, 1);
    bridge.on_upgraded = [&](Connection& c) {
        LogLine("open", LogLevel::verbose).str("url", s.url_text).str("protocol", c.response().protocol);
        if (!s.one_message) return;
        const bool text = s.bridge.framing == Framing::line || (s.bridge.framing == Framing::netstring && s.bridge.netstring_text);
        c.send_message(text ? Opcode::text : Opcode::binary, reinterpret_cast<const uint8_t*>(whole.data()), whole.size());
    };
    bridge.on_message = [](const Event& e) {
        LogLine("message", LogLevel::verbose).str("type", e.type == EventType::text ? "text" : "binary").num("size", e.size);
    };

    const Outcome outcome = bridge.run();
    const int status = exit_status(conn, outcome, bridge.stats());
    log_end(s, conn, outcome, bridge, status);
    return status;
}
