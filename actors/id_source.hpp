#pragma once
/// Fresh identifiers and secrets from a cryptographic random source (OpenSSL).
/// Ids: prefix + 10 of [a-z0-9]. Secrets: prefix + N of [A-Za-z0-9].
/// Thread-safe.

#include "events/checkin/commands.hpp"
#include "events/ids.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace waitroom::actors {

/// A fresh credential: the secret, shown to its holder once, and its hash, all that
/// the log keeps (`credential_hash`).
struct new_credential {
  std::string secret;
  std::string hash;
};

class id_source {
 public:
  /// `prefix` + 10 random [a-z0-9], e.g. "ci_a1b2c3d4e5".
  std::string make_id(std::string_view prefix);
  /// `n` fresh message ids.
  std::vector<std::string> message_ids(std::size_t n);
  /// `prefix` + `length` random [A-Za-z0-9], e.g. a "wr_" API key.
  std::string make_secret(std::string_view prefix, std::size_t length);
  /// A credential of that shape (events/ids.hpp).
  std::string make_secret(const events::credential_shape& shape) {
    return make_secret(shape.prefix, shape.random_length);
  }
  /// A credential of that shape with its hash.
  new_credential make_credential(const events::credential_shape& shape);
  /// Gives a check-in command that carries no message ids the ones its decision needs
  /// (`events::checkin::message_ids_needed`).
  void supply_message_ids(events::checkin::command& cmd);
  /// The same for a new check-in or task (`message_ids_needed_to_create`).
  void supply_message_ids(events::checkin::create& cmd);
  void supply_message_ids(events::checkin::create_task& cmd);
};

/// Lower-case hex SHA-256 of a credential (what the log stores instead of it).
std::string credential_hash(std::string_view credential);

} // namespace waitroom::actors
