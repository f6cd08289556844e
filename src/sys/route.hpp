// --dir: the request path picks the program, "/chat/more" -> DIR/chat with
// PATH_INFO "/more". Only executable regular files directly in DIR qualify:
// no hidden names, no "..", no symlink leading out of DIR.
#pragma once

#include <optional>
#include <string>

namespace vws::sys {

struct Route {
    std::string program;      // absolute path to run
    std::string script_name;  // "/chat"
    std::string path_info;    // "/more" or ""
};

std::optional<Route> route_request(const std::string& dir, const std::string& path);

} // namespace vws::sys
