// libFuzzer: a server Connection fed an arbitrary byte stream in pieces,
// echoing what it gets, with limits small enough for the limit paths to run
// and a frame limit large enough for frames read straight into the message.
#include <string>

#include "fuzz_common.hpp"
#include "vws/connection.hpp"

namespace {

// A valid request, so most inputs reach the frame parser; inputs whose first
// data byte is 'G' bring their own request instead.
const std::string request =
    "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// What the peer program does with each event.
const auto on_event = [](vws::Connection& c, const vws::Event& e) {
    if (e.type == vws::EventType::request) c.accept();
    if (e.type == vws::EventType::text || e.type == vws::EventType::binary)
        c.send_message(e.type == vws::EventType::text ? vws::Opcode::text : vws::Opcode::binary, e.data, e.size);
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto cuts = fuzz::cut_points(data, size);
    vws::Limits limits;
    limits.max_frame = 64 << 10;
    limits.max_message = 128 << 10;
    vws::Connection conn(limits);
    if (size == 0 || data[0] != 'G')
        fuzz::feed(conn, reinterpret_cast<const uint8_t*>(request.data()), request.size(), on_event);
    fuzz::feed_cut(conn, data, size, cuts, on_event);
    return 0;
}
