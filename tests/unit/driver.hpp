// A test driver for vws::Connection that follows the driver protocol: copy
// bytes into input_space() (looping when it is smaller than what we have),
// received(n), next_event() until none; take output() and sent(n). Events are
// copied out, since their payload views die on the next call.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "vws/connection.hpp"

namespace vws_test {

inline const char* event_name(vws::EventType t) {
    switch (t) {
    case vws::EventType::none: return "none";
    case vws::EventType::request: return "request";
    case vws::EventType::http_request: return "http_request";
    case vws::EventType::upgraded: return "upgraded";
    case vws::EventType::text: return "text";
    case vws::EventType::binary: return "binary";
    case vws::EventType::ping: return "ping";
    case vws::EventType::pong: return "pong";
    case vws::EventType::close: return "close";
    case vws::EventType::failed: return "failed";
    }
    return "?";
}

struct Ev {
    vws::EventType type;
    Bytes data;
    uint16_t code;
    vws::Fault fault;
};

// "request, ping(5), text(5)": the event sequence in one comparable string.
inline std::string summary(const std::vector<Ev>& evs, size_t from = 0) {
    std::string s;
    for (size_t i = from; i < evs.size(); ++i) {
        if (!s.empty()) s += ", ";
        s += event_name(evs[i].type);
        if (evs[i].type == vws::EventType::failed) s += std::string(":") + vws::fault_name(evs[i].fault);
    }
    return s;
}

// The chunk sizes every Connection case runs with; 0 means as much as fits.
inline const size_t chunkings[] = {1, 2, 3, 7, 0};

class Peer {
public:
    explicit Peer(vws::Connection& c, size_t out_chunk = 0) : conn(c), out_chunk_(out_chunk) {}

    vws::Connection& conn;
    std::vector<Ev> events;
    Bytes out;                       // everything taken from output() so far
    std::string protocol;            // accept() with this
    vws::Fault reject_with = vws::Fault::none;

    // Pulls events until none; answers a request as configured.
    void drain() {
        for (int guard = 0; guard < 100000; ++guard) {
            vws::Event e = conn.next_event();
            if (e.type == vws::EventType::none) return;
            Ev ev{e.type, e.size ? Bytes(reinterpret_cast<const char*>(e.data), e.size) : Bytes(),
                  e.code, e.fault};
            events.push_back(std::move(ev));
            if (e.type == vws::EventType::request) {
                CHECK(conn.state() == vws::State::deciding);
                if (reject_with != vws::Fault::none)
                    conn.reject(reject_with);
                else
                    conn.accept(protocol);
            }
        }
        FAIL("next_event() never returned none");
    }

    // Takes the queued output, acknowledging it in pieces of out_chunk bytes.
    void take_output() {
        for (int guard = 0; guard < 1000000 && conn.output_size() > 0; ++guard) {
            auto o = conn.output();
            REQUIRE(o.size() == conn.output_size());
            size_t n = out_chunk_ ? std::min(out_chunk_, o.size()) : o.size();
            out.append(reinterpret_cast<const char*>(o.data()), n);
            conn.sent(n);
        }
    }

    // Feeds s in chunks of at most `chunk` bytes; returns how many bytes the
    // connection took (it stops taking input when its state ends).
    size_t feed(std::string_view s, size_t chunk) {
        size_t pos = 0;
        while (pos < s.size()) {
            auto space = conn.input_space();
            if (space.empty()) break;
            size_t n = std::min(space.size(), s.size() - pos);
            if (chunk) n = std::min(n, chunk);
            std::memcpy(space.data(), s.data() + pos, n);
            conn.received(n);
            pos += n;
            drain();
            take_output();
        }
        drain();
        take_output();
        return pos;
    }

    // Output after the HTTP head, as frames.
    WireFrames frames() const {
        size_t end = out.find("\r\n\r\n");
        if (end == std::string::npos) return parse_wire_frames(out);
        return parse_wire_frames(std::string_view(out).substr(end + 4));
    }
    std::string head() const {
        size_t end = out.find("\r\n\r\n");
        return end == std::string::npos ? std::string() : out.substr(0, end + 4);
    }

private:
    size_t out_chunk_;
};

// Moves a's output into b's input, at most `chunk` bytes per received() call;
// returns the bytes moved.
inline size_t transfer(Peer& a, Peer& b, size_t chunk) {
    size_t moved = 0;
    while (a.conn.output_size() > 0) {
        auto space = b.conn.input_space();
        if (space.empty()) break;
        auto o = a.conn.output();
        size_t n = std::min(space.size(), o.size());
        if (chunk) n = std::min(n, chunk);
        std::memcpy(space.data(), o.data(), n);
        a.out.append(reinterpret_cast<const char*>(o.data()), n);
        a.conn.sent(n);
        b.conn.received(n);
        b.drain();
        moved += n;
    }
    b.drain();
    return moved;
}

// Pumps both ways until nothing moves.
inline void pump(Peer& a, Peer& b, size_t chunk = 0) {
    for (int guard = 0; guard < 1000000; ++guard) {
        size_t moved = transfer(a, b, chunk) + transfer(b, a, chunk);
        if (moved == 0) return;
    }
    FAIL("pump never settled");
}

// Server-role cases: the request every case starts with, a run of bytes
// through a fresh server, and the checks for a failure.
inline const std::string request =
    "GET /chat?room=1 HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

inline const std::string rfc_masked_hello = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");

// Runs `frames` after the request through a fresh server connection.
struct Run {
    vws::Connection conn;
    Peer peer;
    Run(const vws::Limits& limits, const std::string& frames, size_t chunk, size_t out_chunk = 0)
        : conn(limits), peer(conn, out_chunk) {
        peer.feed(request + frames, chunk);
    }
};

// The last frame of the output is a Close carrying `code`, unmasked.
inline void check_last_close(const Peer& p, uint16_t code) {
    auto f = p.frames();
    CHECK(f.ok);
    REQUIRE_FALSE(f.frames.empty());
    const auto& last = f.frames.back();
    CHECK(last.opcode == 0x8);
    CHECK(last.fin);
    CHECK_FALSE(last.masked);
    CHECK(code_of(last.payload) == code);
}

struct Violation {
    std::string name;
    std::string frames;
    vws::Fault fault;
    uint16_t code;
};

inline void check_failure(Run& r, const Violation& v, size_t events_before = 0) {
    std::string want = "request";
    for (size_t i = 0; i < events_before; ++i) want += ", " + std::string(event_name(r.peer.events.at(i + 1).type));
    want += std::string(", failed:") + vws::fault_name(v.fault);
    CHECK(summary(r.peer.events) == want);
    REQUIRE_FALSE(r.peer.events.empty());
    CHECK(r.peer.events.back().type == vws::EventType::failed);
    CHECK(r.peer.events.back().fault == v.fault);
    CHECK(r.conn.fault() == v.fault);
    CHECK(r.conn.close_code_sent() == v.code);
    CHECK(r.conn.state() == vws::State::failed);
    CHECK(r.conn.ended());
    check_last_close(r.peer, v.code);
}

} // namespace vws_test
