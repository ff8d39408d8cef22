#include "http/api/router.hpp"

namespace waitroom::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

} // namespace

route& route_table::add(std::string method, std::string pattern, guard g, handler_fn fn) {
  auto segments = split_path(pattern);
  rows_.push_back({std::move(method), std::move(pattern), std::move(segments), g, fn});
  return rows_.back();
}

route_table::match route_table::find(std::string_view request_method,
                                     std::string_view path) const {
  const bool head = request_method == "HEAD";
  const std::string_view method = head ? std::string_view("GET") : request_method;
  const auto segments = split_path(path);
  match out;
  auto allow = [&](std::string_view m) {
    if (out.allowed.find(m) == std::string::npos)
      out.allowed += out.allowed.empty() ? std::string(m) : ", " + std::string(m);
  };
  for (const auto& r : rows_) {
    if (r.segments.size() != segments.size()) continue;
    std::vector<std::string> p;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (!r.segments[i].empty() && r.segments[i][0] == ':')
        p.push_back(segments[i]);
      else
        same = r.segments[i] == segments[i];
    }
    if (!same) continue;
    allow(r.method);
    if (r.method == "GET" && !r.streams) allow("HEAD");
    if (out.found != nullptr || r.method != method || (head && r.streams)) continue;
    out.found = &r;
    out.params = std::move(p);
  }
  if (!out.allowed.empty()) allow("OPTIONS");
  return out;
}

} // namespace waitroom::http
