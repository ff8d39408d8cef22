#pragma once
// Test support: writes an event the way an older build (or a bug) would have, bypassing
// the append planner's read-back check, with a correct chain hash, stream index entry
// and head. The log must be closed. Only tests use this: it is how an unreadable event
// gets into a log for the start-up, verify and quarantine tests.

#include <cstdint>
#include <filesystem>
#include <string>

namespace waitroom::storage::testing {

/// Appends `bytes` as the next event of `stream` in the RocksDB log in `dir`, with
/// every `@SEQ@` in them replaced by its seq and every `@VERSION@` by its version in
/// the stream; returns the seq.
std::uint64_t forge_append(const std::filesystem::path& dir, const std::string& stream,
                           std::string bytes);

} // namespace waitroom::storage::testing
