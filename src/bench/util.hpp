// Small pieces of the load client (vws-bench): clock, address, random keys,
// the payload pattern every echo is checked against, and latency statistics.
// Header-only: the Makefile builds one program per src/vws-*.cpp and links
// only libvws.a, so the client's helpers come in through its includes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "vws/connection.hpp"

namespace vws::bench {

inline uint64_t now_ns()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

enum class Mode : uint8_t { ws, raw };

// ws://127.0.0.1:PORT/PATH or tcp://127.0.0.1:PORT (numeric IPv4 only: the
// bench runs on the loopback and must not spend time in a resolver).
struct Target {
    Mode mode = Mode::ws;
    sockaddr_in addr{};
    std::string host;    // "127.0.0.1:PORT", the Host header
    std::string path = "/";
};

inline bool parse_target(std::string_view url, Target& out)
{
    std::string_view rest;
    if (url.starts_with("ws://")) {
        out.mode = Mode::ws;
        rest = url.substr(5);
    } else if (url.starts_with("tcp://")) {
        out.mode = Mode::raw;
        rest = url.substr(6);
    } else {
        return false;
    }
    const size_t slash = rest.find('/');
    const std::string_view hostport = rest.substr(0, slash);
    if (slash != std::string_view::npos) out.path = std::string(rest.substr(slash));
    const size_t colon = hostport.rfind(':');
    if (colon == std::string_view::npos) return false;
    const std::string ip(hostport.substr(0, colon));
    const std::string port(hostport.substr(colon + 1));
    char* end = nullptr;
    const unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end || p == 0 || p > 65535) return false;
    out.addr.sin_family = AF_INET;
    out.addr.sin_port = htons(static_cast<uint16_t>(p));
    if (inet_pton(AF_INET, ip.c_str(), &out.addr.sin_addr) != 1) return false;
    out.host = std::string(hostport);
    return true;
}

// xorshift64*, seeded from getrandom: unpredictable enough for mask keys and
// Sec-WebSocket-Key in a benchmark, and cheap per frame.
class Random : public MaskKeySource {
public:
    Random()
    {
        if (getrandom(&s_, sizeof s_, 0) != sizeof s_) s_ = now_ns();
        s_ |= 1;
    }
    uint64_t next()
    {
        s_ ^= s_ >> 12;
        s_ ^= s_ << 25;
        s_ ^= s_ >> 27;
        return s_ * 0x2545F4914F6CDD1Dull;
    }
    MaskKey next_mask_key() override { return static_cast<MaskKey>(next() >> 32); }

    // base64 of 16 random bytes (RFC 6455 §4.1, Sec-WebSocket-Key).
    std::string websocket_key()
    {
        static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        uint8_t raw[18] = {};
        const uint64_t a = next(), b = next();
        std::memcpy(raw, &a, 8);
        std::memcpy(raw + 8, &b, 8);
        std::string key;
        for (size_t i = 0; i < 18; i += 3) {
            const uint32_t v = uint32_t(raw[i]) << 16 | uint32_t(raw[i + 1]) << 8 | raw[i + 2];
            key += b64[v >> 18 & 63];
            key += b64[v >> 12 & 63];
            key += b64[v >> 6 & 63];
            key += b64[v & 63];
        }
        key.resize(22);
        return key + "==";
    }

private:
    uint64_t s_ = 0;
};

// Message k of every connection is pattern[k % 256, k % 256 + size): each
// message differs from its neighbours, and the check is one memcmp. Text
// payloads are printable ASCII (valid UTF-8, no '\n' for line-mode servers);
// binary ones use every byte value.
class Pattern {
public:
    Pattern(size_t size, bool text) : bytes_(size + 256)
    {
        for (size_t i = 0; i < bytes_.size(); ++i)
            bytes_[i] = text ? static_cast<uint8_t>(' ' + (i * 37 + i / 95) % 95)
                             : static_cast<uint8_t>(i * 131 + i / 256 + 7);
    }
    const uint8_t* message(uint64_t k) const { return bytes_.data() + k % 256; }

private:
    std::vector<uint8_t> bytes_;
};

// What one thread counted; merged by main.
struct Tally {
    uint64_t ops = 0;            // handshakes or messages completed inside the window
    uint64_t bytes = 0;          // payload bytes of those messages (one direction)
    uint64_t errors = 0;
    uint64_t verify_errors = 0;  // echoed bytes that differ from what was sent
    std::vector<uint32_t> latency_ns;
    std::string first_error;

    void error(const std::string& what, bool verify = false)
    {
        ++errors;
        if (verify) ++verify_errors;
        if (first_error.empty()) first_error = what;
    }
    void merge(const Tally& o)
    {
        ops += o.ops;
        bytes += o.bytes;
        errors += o.errors;
        verify_errors += o.verify_errors;
        latency_ns.insert(latency_ns.end(), o.latency_ns.begin(), o.latency_ns.end());
        if (first_error.empty()) first_error = o.first_error;
    }
};

// The q-quantile (0..1) of sorted samples, in microseconds.
inline double quantile_us(const std::vector<uint32_t>& sorted, double q)
{
    if (sorted.empty()) return 0;
    const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())));
    return sorted[i] / 1000.0;
}

inline std::string json_escape(std::string_view s)
{
    std::string o;
    for (const char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            o += buf;
            continue;
        }
        o += c;
    }
    return o;
}

} // namespace vws::bench
