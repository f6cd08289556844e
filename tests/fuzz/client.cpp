// libFuzzer: a client Connection reading an arbitrary server stream in pieces.
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

// What the peer program does with each event.
const auto on_event = [](vws::Connection& c, const vws::Event& e) {
    if (e.type == vws::EventType::text) c.send_text(e.text());
};

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
        fuzz::feed(conn, reinterpret_cast<const uint8_t*>(response.data()), response.size(), on_event);
    fuzz::feed_cut(conn, data, size, cuts, on_event);
    return 0;
}
