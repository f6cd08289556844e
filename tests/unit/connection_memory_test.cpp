// Running out of memory is a value all the way up: each case runs in a forked
// child whose address space is capped (RLIMIT_AS, what softlimit -m sets) a
// little above what it already uses, and must end the connection with the
// right fault and Close, with no exception and no abort.
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>

#include "helpers.hpp"
#include "vws/connection.hpp"
#include "vws/stream_framing.hpp"

using namespace vws_test;

namespace {

constexpr size_t MiB = size_t(1) << 20;

size_t address_space_now()
{
    size_t pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%zu", &pages) != 1) pages = 0;
        std::fclose(f);
    }
    return pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// Runs body in a child limited to its current address space + `room`; the
// body returns nullptr on success or what went wrong.
void in_limited_child(size_t room, const std::function<const char*()>& body)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    (void)room;
    (void)body;
    MESSAGE("skipped under ASan and TSan (their shadow memory does not fit an address-space limit)");
#else
    std::fflush(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const rlimit lim{address_space_now() + room, RLIM_INFINITY};
        if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(3);
        // Never back into doctest from the child, whatever happens.
        const char* why = "an exception escaped";
        try {
            why = body();
        } catch (...) {
        }
        if (why) std::fprintf(stderr, "limited child: %s\n", why);
        _exit(why ? 1 : 0);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
#endif
}

const std::string request =
    "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// Feeds bytes; returns the first failed event's fault, or none.
vws::Fault feed(vws::Connection& c, const uint8_t* p, size_t n)
{
    while (n > 0) {
        auto space = c.input_space();
        if (space.empty()) return c.fault();
        const size_t k = std::min(n, space.size());
        std::memcpy(space.data(), p, k);
        c.received(k);
        p += k;
        n -= k;
        for (vws::Event e = c.next_event(); e.type != vws::EventType::none; e = c.next_event()) {
            if (e.type == vws::EventType::request) c.accept();
            if (e.type == vws::EventType::failed) return e.fault;
        }
    }
    return vws::Fault::none;
}

// The output (after the 101) ends with a Close carrying code.
bool ends_with_close(const vws::Connection& c, uint16_t code)
{
    const std::string out(reinterpret_cast<const char*>(c.output().data()), c.output().size());
    const size_t head = out.find("\r\n\r\n");
    const auto frames = parse_wire_frames(head == std::string::npos ? out : out.substr(head + 4));
    return frames.ok && !frames.frames.empty() && frames.frames.back().opcode == 0x8 &&
           code_of(frames.frames.back().payload) == code;
}

} // namespace

TEST_CASE("memory: a message within the limits that memory cannot hold gets no_memory_for_message, 1009")
{
    in_limited_child(48 * MiB, []() -> const char* {
        vws::Limits limits;
        limits.max_message = limits.max_frame = uint64_t(1) << 30;
        vws::Connection c(limits);
        if (feed(c, u8(request), request.size()) != vws::Fault::none) return "handshake";
        // 256 MiB of binary in 1 MiB fragments, masked with key 0 so the bytes are the payload.
        static uint8_t chunk[MiB];
        std::memset(chunk, 0, sizeof chunk);
        for (int i = 0; i < 256; ++i) {
            // FIN on the last, binary then continuations; masked, 64-bit length 1 MiB, key 0.
            const uint8_t b0 = static_cast<uint8_t>((i == 255 ? 0x80 : 0) | (i == 0 ? 2 : 0));
            const uint8_t head[14] = {b0, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0};
            const vws::Fault f = feed(c, head, sizeof head);
            const vws::Fault g = f != vws::Fault::none ? f : feed(c, chunk, MiB);
            if (g == vws::Fault::no_memory_for_message)
                return c.state() == vws::State::failed && ends_with_close(c, 1009) ? nullptr : "no Close 1009";
            if (g != vws::Fault::none) return vws::fault_name(g);
        }
        return "256 MiB fitted: the limit did not bite";
    });
}

TEST_CASE("memory: a send that cannot be queued fails the connection with no_memory, 1011")
{
    in_limited_child(300 * MiB, []() -> const char* {
        vws::Connection c(vws::Limits{});
        if (feed(c, u8(request), request.size()) != vws::Fault::none) return "handshake";
        // A source larger than what is left: mapped before the limit counts it.
        const size_t size = 200 * MiB;
        void* src = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (src == MAP_FAILED) return "mmap";
        const rlimit lim{address_space_now() + 48 * MiB, RLIM_INFINITY};
        if (setrlimit(RLIMIT_AS, &lim) != 0) return "setrlimit";
        const size_t before = c.output_size();
        c.send_message(vws::Opcode::binary, static_cast<const uint8_t*>(src), size);
        if (c.fault() != vws::Fault::no_memory) return "no no_memory fault";
        if (c.state() != vws::State::failed) return "not failed";
        if (c.output_size() - before > 200) return "more than a Close queued";
        return ends_with_close(c, 1011) ? nullptr : "no Close 1011";
    });
}

TEST_CASE("memory: the stream side reports no memory as a value")
{
    in_limited_child(48 * MiB, []() -> const char* {
        vws::StreamDecoder d(vws::Framing::line, uint64_t(1) << 30);
        static uint8_t block[vws::StreamDecoder::read_block];
        std::memset(block, 'a', sizeof block);
        for (int i = 0; i < 4096; ++i) {  // a 256 MiB line without its end
            auto space = d.input_space();
            if (space.empty()) {
                if (d.next().status != vws::StreamDecoder::Status::no_memory) return "no no_memory item";
                if (!d.failed()) return "not failed";
                vws::ByteBuffer out;
                static uint8_t big[64 * MiB];  // in .bss: counted before the limit
                if (vws::encode_message(vws::Framing::line, big, sizeof big, out)) return "encode fitted";
                return out.empty() ? nullptr : "encode left bytes";
            }
            std::memcpy(space.data(), block, space.size());
            d.received(space.size());
            if (d.next().status != vws::StreamDecoder::Status::none) return "unexpected item";
        }
        return "256 MiB fitted: the limit did not bite";
    });
}
