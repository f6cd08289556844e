// bench-floor: the fork+exec floor for scripts/bench. The least a program run
// per connection by tcpserver can do to speak WebSocket: answer the upgrade
// (SHA-1 and base64 from libcrypto, as the product does), then echo frames
// with the mask removed, and answer a Close with a Close and exit. No limits,
// no UTF-8 check, no fragments, no timeouts: it is a floor, not a server.
//
// bench-floor PROGRAM [ARGS...] is the two-process floor, the least a bridge
// can do: after the upgrade it starts PROGRAM (vfork, execvp) on two pipes,
// writes each message's payload and a newline to its stdin, sends each line
// of its stdout as a text message, and at the client's Close closes its
// stdin, reaps it and answers the Close.
// Built by scripts/bench: g++ -O2 -static bench-floor.cpp -lcrypto
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <strings.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

uint8_t small[64 * 1024];
uint8_t* buf = small;
size_t cap = sizeof small;
size_t have = 0;

bool fill()
{
    if (have == cap) {
        cap *= 2;
        uint8_t* bigger = static_cast<uint8_t*>(std::malloc(cap));
        if (!bigger) return false;
        std::memcpy(bigger, buf, have);
        if (buf != small) std::free(buf);
        buf = bigger;
    }
    const ssize_t n = read(0, buf + have, cap - have);
    if (n <= 0) return false;
    have += static_cast<size_t>(n);
    return true;
}

void write_all(const iovec* v, int count)
{
    iovec iov[2] = {v[0], v[1]};
    iovec* p = iov;
    while (count > 0) {
        ssize_t n = writev(1, p, count);
        if (n < 0) std::exit(111);
        while (count > 0 && static_cast<size_t>(n) >= p->iov_len) {
            n -= static_cast<ssize_t>(p->iov_len);
            ++p;
            --count;
        }
        if (count > 0) {
            p->iov_base = static_cast<char*>(p->iov_base) + n;
            p->iov_len -= static_cast<size_t>(n);
        }
    }
}

bool upgrade()
{
    void* end;
    while (!(end = memmem(buf, have, "\r\n\r\n", 4)))
        if (have > 8192 || !fill()) return false;
    static_cast<char*>(end)[2] = '\0';
    const char* key = nullptr;
    for (char* line = reinterpret_cast<char*>(buf); line; ) {
        char* next = std::strstr(line, "\r\n");
        if (next) *next = '\0', next += 2;
        if (strncasecmp(line, "Sec-WebSocket-Key:", 18) == 0) key = line + 18 + std::strspn(line + 18, " \t");
        line = next && *next ? next : nullptr;
    }
    if (!key) return false;
    char text[128];
    const int len = std::snprintf(text, sizeof text, "%.60s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    uint8_t digest[SHA_DIGEST_LENGTH];
    // The low-level calls: SHA1() goes through EVP and brings OpenSSL's
    // provider start-up with it (DESIGN.md, "Performance rules").
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, text, static_cast<size_t>(len));
    SHA1_Final(digest, &ctx);
    char accept[64];
    EVP_EncodeBlock(reinterpret_cast<uint8_t*>(accept), digest, SHA_DIGEST_LENGTH);
    char response[256];
    const int rlen = std::snprintf(response, sizeof response,
                                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
    const iovec v[2] = {{response, static_cast<size_t>(rlen)}, {nullptr, 0}};
    write_all(v, 1);
    const size_t used = static_cast<size_t>(static_cast<uint8_t*>(end) + 4 - buf);
    std::memmove(buf, buf + used, have - used);
    have -= used;
    return true;
}

// The length of the complete frame at the front of buf (header, mask key,
// payload), or 0 while it is incomplete; hlen and len describe it.
size_t frame_at_front(size_t& hlen, uint64_t& len)
{
    if (have < 2) return 0;
    len = buf[1] & 0x7f;
    hlen = len == 126 ? 4 : len == 127 ? 10 : 2;
    if (have < hlen + 4) return 0;
    if (len >= 126) {
        len = 0;
        for (size_t i = 2; i < hlen; ++i) len = len << 8 | buf[i];
    }
    return have >= hlen + 4 + len ? hlen + 4 + static_cast<size_t>(len) : 0;
}

int bridge(char** argv)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return 111;
    const pid_t pid = vfork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0) return 111;
    close(in[0]);
    close(out[1]);
    static char lines[64 * 1024];
    size_t line_have = 0;
    pollfd p[2] = {{0, POLLIN, 0}, {out[0], POLLIN, 0}};
    for (;;) {
        if (poll(p, 2, -1) < 0) return 111;
        if (p[0].revents) {
            if (!fill()) break;
            size_t hlen, used;
            uint64_t len;
            while ((used = frame_at_front(hlen, len)) > 0) {
                uint8_t* key = buf + hlen;
                uint8_t* payload = key + 4;
                for (uint64_t i = 0; i < len; ++i) payload[i] ^= key[i & 3];
                if ((buf[0] & 0x0f) == 0x8) {
                    close(in[1]);
                    waitpid(pid, nullptr, 0);
                    uint8_t head[10];
                    std::memcpy(head, buf, hlen);
                    head[1] &= 0x7f;
                    const iovec v[2] = {{head, hlen}, {payload, static_cast<size_t>(len)}};
                    write_all(v, 2);
                    return 0;
                }
                char nl = '\n';
                const iovec v[2] = {{payload, static_cast<size_t>(len)}, {&nl, 1}};
                if (writev(in[1], v, 2) != static_cast<ssize_t>(len) + 1) return 111;  // a pipe takes it whole
                std::memmove(buf, buf + used, have - used);
                have -= used;
            }
        }
        if (p[1].revents) {
            const ssize_t n = read(out[0], lines + line_have, sizeof lines - line_have);
            if (n <= 0) break;
            line_have += static_cast<size_t>(n);
            size_t start = 0;
            for (char* nl; (nl = static_cast<char*>(std::memchr(lines + start, '\n', line_have - start)));) {
                const size_t size = static_cast<size_t>(nl - lines) - start;
                uint8_t head[4] = {0x81, 0, 0, 0};
                size_t h = 2;
                if (size < 126) head[1] = static_cast<uint8_t>(size);
                else head[1] = 126, head[2] = static_cast<uint8_t>(size >> 8), head[3] = static_cast<uint8_t>(size), h = 4;
                const iovec v[2] = {{head, h}, {lines + start, size}};
                write_all(v, 2);
                start += size + 1;
            }
            std::memmove(lines, lines + start, line_have - start);
            line_have -= start;
        }
    }
    close(in[1]);
    waitpid(pid, nullptr, 0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (!upgrade()) return 1;
    if (argc > 1) return bridge(argv + 1);
    for (;;) {
        // One frame: 2 bytes, extended length, 4-byte mask key, payload.
        while (have < 2) if (!fill()) return 0;
        uint64_t len = buf[1] & 0x7f;
        size_t hlen = 2;
        if (len == 126) hlen = 4;
        if (len == 127) hlen = 10;
        while (have < hlen + 4) if (!fill()) return 0;
        if (len >= 126) {
            len = 0;
            for (size_t i = 2; i < hlen; ++i) len = len << 8 | buf[i];
        }
        while (have < hlen + 4 + len) if (!fill()) return 0;
        uint8_t* key = buf + hlen;
        uint8_t* payload = key + 4;
        for (uint64_t i = 0; i < len; ++i) payload[i] ^= key[i & 3];
        // The same header, unmasked, in front of the payload.
        uint8_t head[10];
        std::memcpy(head, buf, hlen);
        head[1] &= 0x7f;
        const iovec v[2] = {{head, hlen}, {payload, static_cast<size_t>(len)}};
        write_all(v, 2);
        if ((buf[0] & 0x0f) == 0x8) return 0;
        const size_t used = hlen + 4 + static_cast<size_t>(len);
        std::memmove(buf, buf + used, have - used);
        have -= used;
    }
}
