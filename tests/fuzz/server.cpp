// libFuzzer: a server Connection fed an arbitrary byte stream in pieces,
// echoing what it gets, with small limits so the limit paths run too.
#include <cstring>
#include <string>

#include "fuzz_common.hpp"
#include "vws/connection.hpp"

namespace {

// A valid request, so most inputs reach the frame parser; inputs whose first
// data byte is 'G' bring their own request instead.
const std::string request =
    "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

void feed(vws::Connection& conn, const uint8_t* p, size_t n)
{
    while (n > 0) {
        const auto space = conn.input_space();
        if (space.empty()) return;
        const size_t take = n < space.size() ? n : space.size();
        std::memcpy(space.data(), p, take);
        conn.received(take);
        p += take;
        n -= take;
        for (vws::Event e = conn.next_event(); e.type != vws::EventType::none; e = conn.next_event()) {
            if (e.type == vws::EventType::request) conn.accept();
            if (e.type == vws::EventType::text || e.type == vws::EventType::binary)
                conn.send_message(e.type == vws::EventType::text ? vws::Opcode::text : vws::Opcode::binary,
                                  e.data, e.size);
        }
        conn.sent(conn.output().size());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto cuts = fuzz::cut_points(data, size);
    vws::Limits limits;
    limits.max_frame = 4096;
    limits.max_message = 8192;
    vws::Connection conn(limits);
    if (size == 0 || data[0] != 'G')
        feed(conn, reinterpret_cast<const uint8_t*>(request.data()), request.size());
    size_t at = 0;
    for (size_t cut : cuts) {
        const size_t n = cut < size - at ? cut : size - at;
        feed(conn, data + at, n);
        at += n;
    }
    feed(conn, data + at, size - at);
    return 0;
}
