#include "sys/route.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace vws::sys {

namespace {

std::optional<std::string> real_path(const std::string& p)
{
    char buf[PATH_MAX];
    if (!realpath(p.c_str(), buf)) return std::nullopt;
    return std::string(buf);
}

} // namespace

std::optional<Route> route_request(const std::string& dir, const std::string& path)
{
    if (path.size() < 2 || path[0] != '/') return std::nullopt;
    const size_t slash = path.find('/', 1);
    const std::string name = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    // Hidden files, "." and ".." all start with a dot; '%' would need decoding
    // rules we do not want to guess at.
    if (name.empty() || name[0] == '.' || name.find('%') != std::string::npos) return std::nullopt;

    const auto base = real_path(dir);
    const auto target = real_path(dir + "/" + name);
    if (!base || !target) return std::nullopt;
    // After symlinks are resolved the program must still sit directly in DIR.
    const size_t cut = target->rfind('/');
    if (target->substr(0, cut) != *base && !(cut == 0 && *base == "/")) return std::nullopt;
    struct stat st;
    if (stat(target->c_str(), &st) != 0 || !S_ISREG(st.st_mode) || access(target->c_str(), X_OK) != 0)
        return std::nullopt;
    return Route{*target, "/" + name, slash == std::string::npos ? "" : path.substr(slash)};
}

} // namespace vws::sys
