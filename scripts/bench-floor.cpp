// bench-floor: the fork+exec floor for scripts/bench. The least a program run
// per connection by tcpserver can do to speak WebSocket: answer the upgrade
// (SHA-1 and base64 from libcrypto, as the product does), then echo frames
// with the mask removed, and answer a Close with a Close and exit. No limits,
// no UTF-8 check, no fragments, no timeouts: it is a floor, not a server.
// Built by scripts/bench: g++ -O2 -static bench-floor.cpp -lcrypto
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <strings.h>
#include <sys/uio.h>
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

} // namespace

int main()
{
    if (!upgrade()) return 1;
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
