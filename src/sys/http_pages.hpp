// The OS side of plain HTTP answers on a WebSocket port: --static DIR files
// (resolved beneath DIR, stat'ed, streamed from the descriptor), the
// --devconsole page, and 404/405 for the rest. The heads are the core's
// (vws/plain_http.hpp); this file opens, stats and reads.
#pragma once

#include <cstdint>
#include <string>

#include "vws/connection.hpp"
#include "vws/plain_http.hpp"

namespace vws::sys {

struct HttpPagesOptions {
    std::string static_dir;   // --static DIR, or empty
    bool devconsole = false;  // --devconsole
    bool enabled() const { return !static_dir.empty() || devconsole; }
};

class HttpPages {
public:
    HttpPages(const HttpPagesOptions& opt, const Policy& policy) : opt_(opt), policy_(policy) {}
    HttpPages(const HttpPages&) = delete;
    HttpPages& operator=(const HttpPages&) = delete;
    ~HttpPages();

    // Answers conn's plain request (EventType::http_request). `service_here`:
    // a WebSocket service answers on this path (false: vws-handler --dir has
    // no program for it), so the console is offered there.
    void answer(Connection& conn, bool service_here = true);
    // A read error in the middle of a file, for the log ("" when none).
    const std::string& error() const { return body_.error; }
    // The size of the answer's head (and text body): the bytes before a file's.
    uint64_t head_size() const { return head_size_; }

private:
    // The file's descriptor, read as the connection drains (no whole-file buffer).
    struct FileBody : BodySource {
        int fd = -1;
        std::string error;
        size_t read_body(uint8_t* buf, size_t size) override;
    };
    void answer_file(Connection& conn);
    void send(Connection& conn, const PlainAnswer& a, BodySource* body = nullptr);

    HttpPagesOptions opt_;
    const Policy& policy_;
    FileBody body_;
    uint64_t head_size_ = 0;
};

// Checks --static DIR at start-up: an error message, or "" when it is a
// directory we can search.
std::string check_static_dir(const std::string& dir);

} // namespace vws::sys
