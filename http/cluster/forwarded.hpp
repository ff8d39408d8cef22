#pragma once
/// A request a replica forwards to its cluster's writer, and the writer's answer, as
/// bytes on NATS (docs/cluster.md). Only plain answers travel: a stream or a socket is
/// never the answer to a forwarded (writing) request. Binary, all lengths big-endian
/// u32: "WF1", method, path, query pairs, header pairs, remote address, body; "WA1",
/// status, the writer's applied seq (u64), content type, error code, recorded (a byte),
/// header pairs, body.

#include "http/wire/message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waitroom::http {

std::string encode_forwarded(const request& req);
std::optional<request> decode_forwarded(std::string_view bytes);

/// The writer's answer and the seq its read models had folded when it answered (the
/// replica answers once its own have too: read your writes).
struct forwarded_answer {
  response answer;
  std::uint64_t applied_seq = 0;
};
std::string encode_answer(const response& r, std::uint64_t applied_seq);
std::optional<forwarded_answer> decode_answer(std::string_view bytes);

} // namespace waitroom::http
