#include "sys/http_pages.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "vws/plain_http.hpp"

namespace vws::sys {

namespace {

// Opens `name` beneath `dir`: symlinks may point elsewhere inside DIR, never
// out of it ("..", absolute links and /proc magic links all fail), with
// openat2's RESOLVE_BENEATH (Linux 5.6). Where that is missing, the resolved
// path must still start with DIR's.
int open_beneath(const std::string& dir, const std::string& name)
{
    const int dirfd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return -1;
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(syscall(SYS_openat2, dirfd, name.c_str(), &how, sizeof how));
    const int err = errno;
    close(dirfd);
    if (fd >= 0 || (err != ENOSYS && err != EPERM)) return fd;  // EPERM: a seccomp filter
    char base[PATH_MAX], target[PATH_MAX];
    if (!realpath(dir.c_str(), base) || !realpath((dir + "/" + name).c_str(), target)) return -1;
    const size_t n = std::strlen(base);
    if (std::strncmp(base, target, n) != 0 || (target[n] != '/' && n > 1)) return -1;
    return open(target, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

} // namespace

std::string check_static_dir(const std::string& dir)
{
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) return std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return "not a directory";
    if (access(dir.c_str(), X_OK) != 0) return std::strerror(errno);
    return "";
}

void HttpPages::send(Connection& conn, const PlainAnswer& a, BodySource* body)
{
    head_size_ = a.head.size();
    conn.respond(a.status, a.head, body, a.body_size);
}

HttpPages::~HttpPages()
{
    if (body_.fd >= 0) close(body_.fd);
}

size_t HttpPages::FileBody::read_body(uint8_t* buf, size_t size)
{
    for (;;) {
        const ssize_t n = read(fd, buf, size);
        if (n > 0) return static_cast<size_t>(n);
        if (n < 0 && errno == EINTR) continue;
        error = n == 0 ? "the file shrank while it was sent" : std::strerror(errno);
        return 0;
    }
}

void HttpPages::answer(Connection& conn, bool service_here)
{
    const Request& req = conn.request();
    const std::string& extra = policy_.headers_http;
    if (!method_served(req)) return send(conn, text_answer(req, 405, "only GET and HEAD are served here", extra));
    if (!opt_.static_dir.empty()) return answer_file(conn);
    if (!service_here) return send(conn, text_answer(req, 404, "not found", extra));
    // The page would only show a refused connection: say why instead.
    if (!page_origin_allowed(req, policy_.origins, policy_.same_origin))
        return send(conn, text_answer(req, 403, "this page's origin is not allowed by --origin", extra));
    send(conn, devconsole_answer(req, extra));
}

void HttpPages::answer_file(Connection& conn)
{
    const Request& req = conn.request();
    const std::string& extra = policy_.headers_http;
    const auto name = static_file_name(req.path);
    int fd = name ? open_beneath(opt_.static_dir, *name) : -1;
    struct stat st;
    // Regular files only: no directory listings, no devices or FIFOs.
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) return send(conn, text_answer(req, 404, "not found", extra));
    // Opened without blocking on a FIFO; reads from a regular file block as usual.
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    body_.fd = fd;
    const FileFacts facts{static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec)};
    send(conn, file_answer(req, *name, facts, static_cast<int64_t>(std::time(nullptr)), extra), &body_);
}

} // namespace vws::sys
