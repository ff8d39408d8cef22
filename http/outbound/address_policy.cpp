#include "http/outbound/address_policy.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace waitroom::http {

namespace {

bool private_v4(const boost::asio::ip::address_v4& a) {
  const auto b = a.to_bytes();
  return a.is_loopback() || a.is_unspecified() || a.is_multicast() || b[0] == 10 ||
         (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
         (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64) ||
         b[0] == 0 || a == boost::asio::ip::address_v4::broadcast();
}

} // namespace

bool is_private_address(const boost::asio::ip::address& a) {
  if (a.is_v4()) return private_v4(a.to_v4());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped())
    return private_v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
  const auto b = v6.to_bytes();
  return v6.is_loopback() || v6.is_unspecified() || v6.is_multicast() ||
         v6.is_link_local() || (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local
}

bool is_private_host(std::string_view host) {
  std::string h(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::transform(h.begin(), h.end(), h.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!h.empty() && h.back() == '.')
    h.pop_back();
  if (h == "localhost" || h.ends_with(".localhost")) return true;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(h, ec);
  return !ec && is_private_address(a);
}

} // namespace waitroom::http
