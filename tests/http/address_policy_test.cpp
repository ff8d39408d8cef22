// --webhook-deny-private: which hosts count as loopback or private.
#include "http/outbound/address_policy.hpp"

#include <gtest/gtest.h>

namespace waitroom::http {
namespace {

TEST(AddressPolicy, RefusesLoopbackPrivateLinkLocalAndLocalhost) {
  for (const char* host : {"127.0.0.1",
                           "127.9.9.9",
                           "10.1.2.3",
                           "172.16.0.1",
                           "172.31.255.255",
                           "192.168.1.1",
                           "169.254.169.254",
                           "100.64.0.1",
                           "0.0.0.0",
                           "224.0.0.1",
                           "255.255.255.255",
                           "::1",
                           "[::1]",
                           "fe80::1",
                           "fd00::1",
                           "fc00::2",
                           "::",
                           "::ffff:127.0.0.1",
                           "[::ffff:10.0.0.1]",
                           "localhost",
                           "LOCALHOST",
                           "api.localhost",
                           "localhost."})
    EXPECT_TRUE(is_private_host(host)) << host;
}

TEST(AddressPolicy, LetsPublicAddressesAndOtherNamesThrough) {
  for (const char* host :
       {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
        "[2606:4700::1111]", "example.com", "hooks.example.org", "localhost.example.com"})
    EXPECT_FALSE(is_private_host(host)) << host;
}

} // namespace
} // namespace waitroom::http
