// `waitroom_test_forge_event DIR STREAM JSON`: appends JSON (with `@SEQ@` replaced by
// the next seq and `@VERSION@` by the stream's next version) to the RocksDB log in DIR
// as an older build would have, without the read-back check. Prints the seq. For the
// integration tests of start-up, `audit verify` and `audit quarantine` on a log with an
// unreadable event; never part of the product.
#include "tests/storage/forge.hpp"

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR STREAM JSON\n", argv[0]);
    return 2;
  }
  try {
    const auto seq = waitroom::storage::testing::forge_append(argv[1], argv[2], argv[3]);
    std::printf("%llu\n", static_cast<unsigned long long>(seq));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
