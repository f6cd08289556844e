// vws-bench: a load client for WebSocket echo servers (and, for the ceiling,
// plain TCP echo servers), built on the client role of the core. Every echoed
// byte is checked. Prints one JSON object per run on stdout, including the
// client's own CPU time, so a client-bound figure shows itself as one.
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "bench/worker.hpp"

using namespace vws;
using namespace vws::bench;

std::atomic<bool> vws::bench::g_stop{false};

namespace {

const char usage_text[] =
    "usage: vws-bench [OPTIONS] URL\n"
    "Loads an echo server on the loopback and prints one JSON object on stdout.\n"
    "  URL                   ws://127.0.0.1:PORT/PATH (WebSocket, client role of the core)\n"
    "                        or tcp://127.0.0.1:PORT (plain TCP echo, for the ceiling)\n"
    "Options:\n"
    "  --workload W          handshake: connect, upgrade, close handshake, wait for the\n"
    "                        server's FIN (raw: connect, one echo, FIN), in a loop on each\n"
    "                        connection; echo (default): messages in flight on open\n"
    "                        connections; idle: open them, one echo each, print, hold\n"
    "  -c, --connections N   concurrent connections (default 1)\n"
    "  -k, --inflight K      echo: messages in flight per connection (default 1)\n"
    "  -s, --size BYTES      message size, K/M suffixes (default 64)\n"
    "  --binary              binary messages with every byte value (default: text)\n"
    "  -d, --duration S      measured seconds (default 3)\n"
    "  -w, --warmup S        unmeasured seconds before (default 0.5)\n"
    "  -t, --threads N       client threads, each with its own epoll (default 1)\n"
    "  --ramp N              idle: connections being set up at once (default 64)\n"
    "  --hold S              idle: hold at most S seconds, or until SIGTERM (default 600)\n"
    "  --name NAME           a label copied into the JSON\n"
    "  --timeout S           hard bound for the whole run (default: generous)\n"
    "Exit codes: 0 done and every byte verified, 1 errors (see \"first_error\"),\n"
    "100 usage, 111 system failure.\n";

struct Options {
    Config cfg;
    double duration = 3;
    double warmup = 0.5;
    double hold = 600;
    double timeout = 0;
    size_t threads = 1;
    std::string name;
};

[[noreturn]] void usage(const char* why)
{
    std::fprintf(stderr, "vws-bench: %s (see --help)\n", why);
    std::exit(100);
}

double seconds_arg(const char* s)
{
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (!*s || *end || v < 0) usage("expected seconds");
    return v;
}

size_t count_arg(const char* s)
{
    char* end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (*end == 'K' || *end == 'k') v <<= 10, ++end;
    else if (*end == 'M' || *end == 'm') v <<= 20, ++end;
    if (!*s || *end || v == 0) usage("expected a positive number");
    return static_cast<size_t>(v);
}

Options parse(int argc, char** argv)
{
    enum { o_workload = 1000, o_binary, o_ramp, o_hold, o_name, o_timeout, o_help };
    static const option longs[] = {
        {"workload", required_argument, nullptr, o_workload},
        {"connections", required_argument, nullptr, 'c'},
        {"inflight", required_argument, nullptr, 'k'},
        {"size", required_argument, nullptr, 's'},
        {"binary", no_argument, nullptr, o_binary},
        {"duration", required_argument, nullptr, 'd'},
        {"warmup", required_argument, nullptr, 'w'},
        {"threads", required_argument, nullptr, 't'},
        {"ramp", required_argument, nullptr, o_ramp},
        {"hold", required_argument, nullptr, o_hold},
        {"name", required_argument, nullptr, o_name},
        {"timeout", required_argument, nullptr, o_timeout},
        {"help", no_argument, nullptr, o_help},
        {nullptr, 0, nullptr, 0},
    };
    Options o;
    int c;
    while ((c = getopt_long(argc, argv, "c:k:s:d:w:t:", longs, nullptr)) != -1) {
        switch (c) {
        case o_workload: {
            const std::string w = optarg;
            if (w == "handshake") o.cfg.workload = Workload::handshake;
            else if (w == "echo") o.cfg.workload = Workload::echo;
            else if (w == "idle") o.cfg.workload = Workload::idle;
            else usage("--workload: expected handshake, echo or idle");
            break;
        }
        case 'c': o.cfg.connections = count_arg(optarg); break;
        case 'k': o.cfg.inflight = count_arg(optarg); break;
        case 's': o.cfg.size = count_arg(optarg); break;
        case o_binary: o.cfg.text = false; break;
        case 'd': o.duration = seconds_arg(optarg); break;
        case 'w': o.warmup = seconds_arg(optarg); break;
        case 't': o.threads = count_arg(optarg); break;
        case o_ramp: o.cfg.ramp = count_arg(optarg); break;
        case o_hold: o.hold = seconds_arg(optarg); break;
        case o_name: o.name = optarg; break;
        case o_timeout: o.timeout = seconds_arg(optarg); break;
        case o_help: std::fputs(usage_text, stdout); std::exit(0);
        default: usage("bad option");
        }
    }
    if (optind + 1 != argc) usage("expected one URL");
    if (!parse_target(argv[optind], o.cfg.target)) usage("URL: expected ws://127.0.0.1:PORT/ or tcp://127.0.0.1:PORT");
    o.threads = std::min(o.threads, o.cfg.connections);
    if (o.timeout == 0)
        o.timeout = o.cfg.workload == Workload::idle ? o.hold + 300 : o.warmup + o.duration + 120;
    return o;
}

const char* workload_name(Workload w)
{
    switch (w) {
    case Workload::handshake: return "handshake";
    case Workload::echo: return "echo";
    case Workload::idle: return "idle";
    }
    return "?";
}

double cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void on_signal(int) { g_stop = true; }

void setup_process(const Options& o)
{
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    // The hard bound: whatever hangs, the run ends (SIGALRM's default kills us).
    alarm(static_cast<unsigned>(o.timeout) + 1);
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

struct Timing {
    uint64_t t0 = 0, t1 = 0;
    double cpu0 = 0, cpu1 = 0;
};

void print_json(const Options& o, Tally& t, const Timing& tm, bool measured)
{
    std::sort(t.latency_ns.begin(), t.latency_ns.end());
    const Config& c = o.cfg;
    const double wall = static_cast<double>(tm.t1 - tm.t0) / 1e9;
    const double cpu = tm.cpu1 - tm.cpu0;
    std::printf("{\"name\":\"%s\",\"workload\":\"%s\",\"mode\":\"%s\",\"connections\":%zu,"
                "\"inflight\":%zu,\"size\":%zu,\"type\":\"%s\",\"threads\":%zu",
                json_escape(o.name).c_str(), workload_name(c.workload),
                c.target.mode == Mode::ws ? "ws" : "raw", c.connections, c.inflight, c.size,
                c.text ? "text" : "binary", o.threads);
    if (measured) {
        const double d = o.duration > 0 ? o.duration : 1;
        std::printf(",\"duration_s\":%.3f,\"ops\":%llu,\"rate_per_s\":%.1f,\"mb_per_s\":%.2f,"
                    "\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f",
                    o.duration, static_cast<unsigned long long>(t.ops), static_cast<double>(t.ops) / d,
                    static_cast<double>(t.bytes) / d / 1e6, quantile_us(t.latency_ns, 0.50),
                    quantile_us(t.latency_ns, 0.99), quantile_us(t.latency_ns, 1.0));
    }
    std::printf(",\"client_cpu_s\":%.3f,\"client_wall_s\":%.3f,\"client_cpu_util\":%.3f,"
                "\"errors\":%llu,\"verify_errors\":%llu,\"first_error\":\"%s\",\"ok\":%s}\n",
                cpu, wall, wall > 0 ? cpu / wall : 0, static_cast<unsigned long long>(t.errors),
                static_cast<unsigned long long>(t.verify_errors), json_escape(t.first_error).c_str(),
                t.errors == 0 ? "true" : "false");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    // Out of memory: a message and 111, never std::terminate.
    std::set_new_handler([] {
        static const char msg[] = "vws-bench: fatal: out of memory\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(111);
    });
    const Options o = parse(argc, argv);
    setup_process(o);
    const Config& cfg = o.cfg;
    const Pattern pattern(cfg.size, cfg.text);
    const uint64_t setup_deadline = now_ns() + 60'000'000'000ull;

    std::vector<std::unique_ptr<Worker>> workers;
    for (size_t i = 0; i < o.threads; ++i) {
        const size_t n = cfg.connections / o.threads + (i < cfg.connections % o.threads ? 1 : 0);
        workers.push_back(std::make_unique<Worker>(cfg, pattern, n));
    }
    Timing tm;
    const Timing begin{now_ns(), 0, cpu_seconds(), 0};
    // Phase 1 (everyone set up) starts the clock; phase 2 (window over) stops it.
    std::barrier ready(static_cast<std::ptrdiff_t>(o.threads), [&]() noexcept {
        tm.t0 = now_ns();
        tm.cpu0 = cpu_seconds();
    });
    std::barrier done(static_cast<std::ptrdiff_t>(o.threads), [&]() noexcept {
        tm.t1 = now_ns();
        tm.cpu1 = cpu_seconds();
    });
    std::atomic<bool> setup_failed{false};
    const auto ns = [](double s) { return static_cast<uint64_t>(s * 1e9); };

    auto body = [&](Worker& w) {
        if (cfg.workload != Workload::handshake && !w.establish(setup_deadline)) setup_failed = true;
        ready.arrive_and_wait();
        if (cfg.workload == Workload::idle) {
            done.arrive_and_wait();
            return;
        }
        if (!setup_failed) {
            const uint64_t start = tm.t0 + ns(o.warmup), end = start + ns(o.duration);
            w.run(start, end, end + ns(60));
        }
        done.arrive_and_wait();
        w.teardown(now_ns() + ns(10));
    };
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back(body, std::ref(*w));
    for (auto& t : threads) t.join();

    Tally total;
    for (auto& w : workers) total.merge(w->tally);
    if (cfg.workload != Workload::idle) {
        print_json(o, total, tm, true);
        return total.errors == 0 ? 0 : 1;
    }

    // idle: report that the connections are up (client time: setting them
    // up), hold them, then close them.
    print_json(o, total, Timing{begin.t0, tm.t0, begin.cpu0, tm.cpu0}, false);
    if (total.errors == 0) {
        threads.clear();
        for (auto& w : workers)
            threads.emplace_back([&](Worker& wk) {
                wk.hold(now_ns() + ns(o.hold));
                wk.teardown(now_ns() + ns(20));
            }, std::ref(*w));
        for (auto& t : threads) t.join();
    }
    Tally after;
    for (auto& w : workers) after.merge(w->tally);
    if (after.errors > total.errors)
        std::fprintf(stderr, "vws-bench: idle: %llu errors while holding or closing: %s\n",
                     static_cast<unsigned long long>(after.errors - total.errors), after.first_error.c_str());
    return after.errors == 0 ? 0 : 1;
}
