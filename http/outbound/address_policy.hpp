#pragma once
/// `--webhook-deny-private`: which webhook targets a hardened set-up refuses. Loopback,
/// private (RFC 1918, RFC 4193), link-local, carrier-grade NAT, unspecified and
/// multicast addresses, IPv4-mapped IPv6 forms of them, and the name `localhost` (and
/// `*.localhost`).

#include <boost/asio/ip/address.hpp>

#include <string_view>

namespace waitroom::http {

bool is_private_address(const boost::asio::ip::address& a);

/// For a URL's host: an IP literal (IPv6 with or without brackets) or a name. Names
/// other than `localhost` pass here; delivery checks the addresses they resolve to.
bool is_private_host(std::string_view host);

} // namespace waitroom::http
