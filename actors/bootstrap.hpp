#pragma once
/// The first start of an empty data directory: an organization, its owner (the instance
/// admin, whose token is given or generated) and the room `general`.

#include "actors/clock.hpp"
#include "actors/id_source.hpp"
#include "storage/event_log.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace waitroom::actors {

struct bootstrap_result {
  bool created = false;    ///< false: the log was not empty, nothing written
  std::string owner_token; ///< the owner's token when `created`
  std::string org_id;
  std::string owner_id;
  std::string room_id;
};

/// Whether `token` may be the owner's token of a bootstrap: VALIDATION_ERROR unless it
/// has a person's token's shape (`events::is_user_token`).
events::outcome<void> check_bootstrap_token(const std::string& token);

/// Bootstraps `log` if it is empty. `token`: the owner's token to use (`wrh_…`, see
/// `check_bootstrap_token`); generated when absent. Blocking: start-up only.
events::outcome<bootstrap_result> bootstrap_if_empty(storage::event_log& log,
                                                     id_source& ids, const clock& time,
                                                     std::optional<std::string> token);

/// Writes the owner token to `data_dir/owner-token`, readable by its owner only (0600),
/// where a newcomer finds it after the first start. Throws on I/O errors (start-up).
void write_owner_token(const std::filesystem::path& data_dir, const std::string& token);

} // namespace waitroom::actors
