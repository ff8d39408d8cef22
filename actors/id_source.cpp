#include "actors/id_source.hpp"

#include "events/checkin/decider.hpp"
#include "events/ids.hpp"
#include "storage/event_log.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace waitroom::actors {

namespace {

/// Random bytes from OpenSSL's CSPRNG, fetched a few KiB at a time per thread (one
/// RAND_bytes call per id was a measurable share of a create).
unsigned char random_byte() {
  thread_local std::array<unsigned char, 4096> buf;
  thread_local std::size_t next = buf.size();
  if (next == buf.size()) {
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
      throw std::runtime_error("RAND_bytes failed");
    next = 0;
  }
  return buf[next++];
}

/// Appends `n` characters drawn uniformly from `alphabet` (rejection sampling).
void append_random(std::string& out, std::string_view alphabet, std::size_t n) {
  const unsigned limit = 256 - (256 % alphabet.size());
  while (n > 0) {
    unsigned char b = random_byte();
    if (b >= limit) continue;
    out.push_back(alphabet[b % alphabet.size()]);
    --n;
  }
}

constexpr std::string_view lower_alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view mixed_alnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

} // namespace

std::string id_source::make_id(std::string_view prefix) {
  std::string out(prefix);
  append_random(out, lower_alnum, events::id_random_length);
  return out;
}

std::vector<std::string> id_source::message_ids(std::size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(make_id(events::message_prefix));
  return out;
}

void id_source::supply_message_ids(events::checkin::command& cmd) {
  auto* ids = events::checkin::message_ids_of(cmd);
  if (ids != nullptr && ids->empty())
    *ids = message_ids(events::checkin::message_ids_needed(cmd));
}

namespace {

void supply_creation_ids(id_source& ids, std::vector<std::string>& message_ids) {
  if (message_ids.empty())
    message_ids = ids.message_ids(events::checkin::message_ids_needed_to_create);
}

} // namespace

void id_source::supply_message_ids(events::checkin::create& cmd) {
  supply_creation_ids(*this, cmd.message_ids);
}

void id_source::supply_message_ids(events::checkin::create_task& cmd) {
  supply_creation_ids(*this, cmd.message_ids);
}

new_credential id_source::make_credential(const events::credential_shape& shape) {
  auto secret = make_secret(shape);
  auto hash = credential_hash(secret);
  return {std::move(secret), std::move(hash)};
}

std::string id_source::make_secret(std::string_view prefix, std::size_t length) {
  std::string out(prefix);
  append_random(out, mixed_alnum, length);
  return out;
}

std::string credential_hash(std::string_view credential) {
  return storage::to_hex(storage::sha256(credential));
}

} // namespace waitroom::actors
