#pragma once
/// Opening the log of a data directory for the operator tools (read-only: they work
/// beside a running server).

#include "app/commands.hpp"
#include "storage/event_log.hpp"

#include <memory>
#include <string>

namespace waitroom::app {

/// The log in `data/log` or in the cluster's JetStream, or nullptr after printing
/// "waitroom <command>: …" to stderr.
std::unique_ptr<storage::event_log> open_read_only(const log_source& from,
                                                   const char* command);

/// Prints "\r<what>: seq N of M (P%)" to stderr when it is a terminal.
void show_progress(const char* what, std::uint64_t seq, std::uint64_t head);

} // namespace waitroom::app
