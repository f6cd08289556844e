// libFuzzer: the request and response head parsers.
#include <string_view>

#include "vws/handshake.hpp"
#include "vws/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view head(reinterpret_cast<const char*>(data), size);
    vws::HandshakeLimits limits;
    vws::Request req;
    if (vws::parse_request(head, limits, req) == vws::Fault::none) {
        vws::Policy policy;
        policy.origins = {"*.example.com", "https://a.example"};
        policy.protocols = {"chat"};
        (void)vws::decide(req, policy);
        (void)vws::accept_response(req, "chat");
        (void)vws::forwarded_client(req, {"127.0.0.1"});
    }
    vws::ClientRequest creq;
    creq.host = "h";
    creq.key = "dGhlIHNhbXBsZSBub25jZQ==";
    creq.protocols = {"chat"};
    vws::Response resp;
    (void)vws::parse_response(head, creq, limits, resp);
    return 0;
}
