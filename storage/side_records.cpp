#include "storage/side_records.hpp"

#include "storage/event_log.hpp"
#include "storage/log_record.hpp"

#include <boost/json/parse.hpp>

#include <charconv>
#include <cstdio>

namespace waitroom::storage {

namespace {

std::string in_namespace(std::string_view ns, std::string_view rest) {
  std::string key(ns);
  key.append(rest);
  return key;
}

} // namespace

std::string idempotency_key(std::string_view principal_id, std::string_view key) {
  std::string out(principal_id);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string quarantine_record_key(std::uint64_t seq) {
  std::string key(quarantine_records_prefix);
  detail::put_be64(key, seq);
  return key;
}

std::optional<std::uint64_t> quarantined_seq(std::string_view key) {
  if (!key.starts_with(quarantine_records_prefix)) return std::nullopt;
  return detail::get_be64(key.substr(quarantine_records_prefix.size()));
}

namespace webhook_records {

std::string cursor_key(std::string_view watcher_id) {
  return in_namespace("\x01wc/", watcher_id);
}

std::string rows_prefix(std::string_view watcher_id) {
  return in_namespace(rows_namespace, watcher_id) + "/";
}

std::string row_key(std::string_view watcher_id, std::uint64_t position) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu",
                static_cast<unsigned long long>(position));
  return rows_prefix(watcher_id) + digits;
}

std::optional<std::uint64_t> row_position(std::string_view key,
                                          std::string_view watcher_id) {
  const auto prefix = rows_prefix(watcher_id);
  if (!key.starts_with(prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
  if (ec != std::errc() || end != key.data() + key.size()) return std::nullopt;
  return v;
}

std::string body_key(std::string_view delivery_id) {
  return in_namespace(bodies_namespace, delivery_id);
}

events::outcome<attempts_page> attempts(const event_log& log, std::string_view watcher_id,
                                        std::uint64_t before, std::size_t limit) {
  attempts_page page;
  std::uint64_t last = 0;
  auto scanned = log.scan_records(rows_prefix(watcher_id), true,
                                  [&](std::string_view key, std::string_view value) {
                                    auto pos = row_position(key, watcher_id);
                                    if (!pos || *pos >= before) return true;
                                    if (page.rows.size() == limit) {
                                      page.next_before = last;
                                      return false;
                                    }
                                    page.rows.emplace_back(value);
                                    last = *pos;
                                    return true;
                                  });
  if (!scanned) return scanned.error();
  return page;
}

} // namespace webhook_records

namespace push_records {

std::string key(std::string_view user_id, std::string_view endpoint_hash) {
  return in_namespace(prefix, user_id) + "/" + std::string(endpoint_hash);
}

} // namespace push_records

std::optional<events::timestamp> record_created_at(std::string_view value) {
  boost::system::error_code ec;
  auto v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* at = v.get_object().if_contains("created_at");
  if (at == nullptr || !at->is_string()) return std::nullopt;
  return events::parse_rfc3339(at->get_string());
}

namespace {

/// The keys under `prefix` (all of them for an empty one) that `keep(key)` selects and
/// whose records were created `lifetime` or more before `now`.
template <class Select>
events::outcome<std::vector<std::string>>
expired_records(const event_log& log, std::string_view prefix, Select select,
                events::duration_ms lifetime, events::timestamp now,
                std::vector<std::string> out = {}) {
  auto scanned =
      log.scan_records(prefix, false, [&](std::string_view key, std::string_view value) {
        if (!select(key)) return true;
        auto created = record_created_at(value);
        if (!created || now - *created >= lifetime) out.emplace_back(key);
        return true;
      });
  if (!scanned) return scanned.error();
  return out;
}

} // namespace

events::outcome<std::vector<std::string>>
expired_idempotency_records(const event_log& log, events::timestamp now) {
  return expired_records(
      log, "",
      [](std::string_view key) { return !key.starts_with(subsystem_records_mark); },
      idempotency_lifetime_ms, now);
}

events::outcome<std::vector<std::string>> expired_webhook_records(const event_log& log,
                                                                  events::timestamp now) {
  auto every = [](std::string_view) { return true; };
  auto rows = expired_records(log, webhook_records::rows_namespace, every,
                              webhook_records::lifetime_ms, now);
  if (!rows) return rows;
  return expired_records(log, webhook_records::bodies_namespace, every,
                         webhook_records::lifetime_ms, now, std::move(*rows));
}

} // namespace waitroom::storage
