// bench-native: the handler of your own for scripts/bench (README, "The
// code"): cat's line-mode echo done inside one libvws process, built the way
// the README builds one:
//   g++ -O2 -std=c++20 -Isrc scripts/bench-native.cpp bin/libvws.a -lcrypto -static
// It answers each text message with the same text, as `vws-handler cat`
// does, without the second process.
#include "sys/report.hpp"

using namespace vws;
using namespace vws::sys;

namespace {

struct Echo : App {
    void on_event(Connection& c, const Event& e) override
    {
        if (e.type == EventType::request) c.accept();
        if (e.type == EventType::text) c.send_message(Opcode::text, e.data, e.size);
    }
};

} // namespace

int main()
{
    log_init("bench-native");
    CommonOptions o;
    Echo app;
    return serve(o, app);
}
