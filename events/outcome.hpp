#pragma once
/// The error vocabulary of the whole product and the `outcome<T>` type that carries
/// either a value or an error. Errors are values on every request path; exceptions never
/// cross a request. The HTTP mapping of each code is in one function (`http_status`).

#include <boost/json/object.hpp>

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace waitroom::events {

/// The canonical error codes (API.md "Errors"). Wire names via `error_code_name`.
enum class errc {
  validation,        ///< 400 VALIDATION_ERROR: bad input; `field` names it.
  unauthorized,      ///< 401 UNAUTHORIZED: no, unknown or revoked credential.
  forbidden,         ///< 403 FORBIDDEN: this principal may not do this.
  not_found,         ///< 404 NOT_FOUND: no such thing in the caller's organization.
  conflict,          ///< 409 CONFLICT: transition not allowed from the current state.
  policy_forbids,    ///< 403 POLICY_FORBIDS: a forbid rule matched (check-in recorded).
  payload_too_large, ///< 413 PAYLOAD_TOO_LARGE.
  rate_limited,      ///< 429 RATE_LIMITED.
  unavailable,       ///< 503 UNAVAILABLE: storage cannot accept writes; nothing written.
  internal,          ///< 500 INTERNAL: a bug; never expected.
};

inline constexpr errc all_error_codes[] = {
    errc::validation,  errc::unauthorized,   errc::forbidden,         errc::not_found,
    errc::conflict,    errc::policy_forbids, errc::payload_too_large, errc::rate_limited,
    errc::unavailable, errc::internal};

/// Wire name of an error code, e.g. "VALIDATION_ERROR".
std::string_view error_code_name(errc code) noexcept;

/// The code of a wire name (`error_code_name`'s inverse); nothing for another name.
std::optional<errc> error_code_of(std::string_view wire_name) noexcept;

/// Whether a request refused with `code` still wrote events: a check-in a forbid rule
/// matched is recorded, then refused (POLICY_FORBIDS). Such a refusal is an answer an
/// `Idempotency-Key` replays, like a success; every other refusal wrote nothing and
/// runs again on a retry.
constexpr bool refusal_was_recorded(errc code) noexcept {
  return code == errc::policy_forbids;
}

/// HTTP status of an error code.
int http_status(errc code) noexcept;

/// An error as a value: code, human message, the offending field (if any) and extra
/// machine-readable details (rendered under `error.details`).
struct error {
  errc code = errc::internal;
  std::string message;
  std::string field;           ///< rendered as details.field when not empty
  boost::json::object details; ///< further details (e.g. check_in_id, rule_id)
};

/// Factories for the common cases.
error validation_error(std::string field, std::string message);
error not_found(std::string message);
error conflict(std::string message);
error forbidden(std::string message);
error internal_error(std::string message);
error unavailable(std::string message);

/// Either a `T` or an `error`. Small on purpose: `ok()`, `value()`, `error()`.
template <class T>
class [[nodiscard]] outcome {
 public:
  outcome(T value)
      : v_(std::in_place_index<0>, std::move(value)) {}
  outcome(struct error e)
      : v_(std::in_place_index<1>, std::move(e)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const struct error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  struct error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, struct error> v_;
};

/// `outcome<void>`: success or an error.
template <>
class [[nodiscard]] outcome<void> {
 public:
  outcome() = default;
  outcome(struct error e)
      : e_(std::move(e))
      , failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const struct error& error() const& {
    assert(!ok());
    return e_;
  }
  struct error&& error() && {
    assert(!ok());
    return std::move(e_);
  }

 private:
  struct error e_;
  bool failed_ = false;
};

} // namespace waitroom::events
