// libFuzzer: a client Connection reading an arbitrary server stream in pieces.
#include <cstring>
#include <string>

#include "fuzz_common.hpp"
#include "vws/connection.hpp"

namespace {

struct Keys : vws::MaskKeySource {
    vws::MaskKey next_mask_key() override { return 0x12345678; }
};

// The right answer for the key below, so most inputs reach the frames; inputs
// starting with 'H' bring their own response.
const std::string response =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

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
        for (vws::Event e = conn.next_event(); e.type != vws::EventType::none; e = conn.next_event())
            if (e.type == vws::EventType::text) conn.send_text(e.text());
        conn.sent(conn.output().size());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto cuts = fuzz::cut_points(data, size);
    Keys keys;
    vws::ClientRequest req;
    req.host = "x";
    req.key = "dGhlIHNhbXBsZSBub25jZQ==";
    vws::Limits limits;
    limits.max_frame = 4096;
    limits.max_message = 8192;
    vws::Connection conn(limits, req, keys);
    conn.sent(conn.output().size());
    if (size == 0 || data[0] != 'H')
        feed(conn, reinterpret_cast<const uint8_t*>(response.data()), response.size());
    size_t at = 0;
    for (size_t cut : cuts) {
        const size_t n = cut < size - at ? cut : size - at;
        feed(conn, data + at, n);
        at += n;
    }
    feed(conn, data + at, size - at);
    return 0;
}
