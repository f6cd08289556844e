// libFuzzer: the line/raw/netstring decoder, in pieces, with a small limit.
#include <cstring>

#include "fuzz_common.hpp"
#include "vws/stream_framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const vws::Framing framing = static_cast<vws::Framing>(data[0] % 3);
    ++data;
    --size;
    const auto cuts = fuzz::cut_points(data, size);
    vws::StreamDecoder dec(framing, 1000);
    size_t at = 0;
    auto feed = [&](size_t n) {
        const auto space = dec.input_space();
        n = n < space.size() ? n : space.size();
        std::memcpy(space.data(), data + at, n);
        dec.received(n);
        at += n;
        for (auto it = dec.next(); it.status == vws::StreamDecoder::Status::message; it = dec.next()) {
            vws::ByteBuffer out;
            (void)vws::encode_message(framing, it.data, it.size, out);
        }
    };
    for (size_t cut : cuts) feed(cut < size - at ? cut : size - at);
    while (at < size) feed(size - at);
    (void)dec.finish();
    return 0;
}
