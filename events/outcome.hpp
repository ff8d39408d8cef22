#pragma once
/// The error vocabulary of the whole product and the `outcome<T>` type that carries
/// either a value or an error. Errors are values on every request path; exceptions never
/// cross a request. These are the domain's codes only: how each one reads on the wire
/// (its contract code and HTTP status) is `http/wire/responses`, and the codes only the
/// HTTP edge gives (401, 405, 413, 429) live there too.

#include <boost/json/object.hpp>

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace waitroom::events {

/// Why a command, a read or an append did not happen (after Abseil's status codes).
enum class errc {
  validation,     ///< bad input; `field` names it.
  forbidden,      ///< this principal may not do this.
  not_found,      ///< no such thing in the caller's organization.
  conflict,       ///< the rules refuse this from the current state (failed precondition).
  aborted,        ///< the stream moved on between read and append (a stale expected
                  ///< version); nothing written, and deciding again on fresh state may
                  ///< succeed: `aggregate_core` does so.
  policy_forbids, ///< a forbid rule matched; the check-in was recorded, then refused.
  unavailable,    ///< storage cannot accept writes; nothing written.
  internal,       ///< a bug; never expected.
};

inline constexpr errc all_error_codes[] = {
    errc::validation, errc::forbidden,      errc::not_found,   errc::conflict,
    errc::aborted,    errc::policy_forbids, errc::unavailable, errc::internal};

/// Name of an error code, e.g. "VALIDATION_ERROR" (for diagnostics; the contract's code
/// of each, which is the same name but for `aborted`, is `http::wire_code_of`).
std::string_view error_code_name(errc code) noexcept;

/// Whether a request refused with `code` still wrote events: a check-in a forbid rule
/// matched is recorded, then refused (POLICY_FORBIDS). Such a refusal is an answer an
/// `Idempotency-Key` replays, like a success; every other refusal wrote nothing and
/// runs again on a retry.
constexpr bool refusal_was_recorded(errc code) noexcept {
  return code == errc::policy_forbids;
}

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
error aborted(std::string message);

/// Either a `T` or an error (`E`: the domain's `error` unless a layer has its own, as
/// the HTTP edge does). Small on purpose: `ok()`, `value()`, `error()`.
template <class T, class E = error>
class [[nodiscard]] outcome {
 public:
  outcome(T value)
      : v_(std::in_place_index<0>, std::move(value)) {}
  outcome(E e)
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

  const E& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  E&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, E> v_;
};

/// `outcome<void>`: success or an error.
template <class E>
class [[nodiscard]] outcome<void, E> {
 public:
  outcome() = default;
  outcome(E e)
      : e_(std::move(e))
      , failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const E& error() const& {
    assert(!ok());
    return e_;
  }
  E&& error() && {
    assert(!ok());
    return std::move(e_);
  }

 private:
  E e_;
  bool failed_ = false;
};

} // namespace waitroom::events
