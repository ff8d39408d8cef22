#include "events/outcome.hpp"

namespace waitroom::events {

std::string_view error_code_name(errc code) noexcept {
  switch (code) {
  case errc::validation:
    return "VALIDATION_ERROR";
  case errc::unauthorized:
    return "UNAUTHORIZED";
  case errc::forbidden:
    return "FORBIDDEN";
  case errc::not_found:
    return "NOT_FOUND";
  case errc::conflict:
    return "CONFLICT";
  case errc::policy_forbids:
    return "POLICY_FORBIDS";
  case errc::payload_too_large:
    return "PAYLOAD_TOO_LARGE";
  case errc::rate_limited:
    return "RATE_LIMITED";
  case errc::unavailable:
    return "UNAVAILABLE";
  case errc::internal:
    return "INTERNAL";
  }
  return "INTERNAL";
}

std::optional<errc> error_code_of(std::string_view wire_name) noexcept {
  for (auto c : all_error_codes)
    if (error_code_name(c) == wire_name) return c;
  return std::nullopt;
}

int http_status(errc code) noexcept {
  switch (code) {
  case errc::validation:
    return 400;
  case errc::unauthorized:
    return 401;
  case errc::forbidden:
    return 403;
  case errc::not_found:
    return 404;
  case errc::conflict:
    return 409;
  case errc::policy_forbids:
    return 403;
  case errc::payload_too_large:
    return 413;
  case errc::rate_limited:
    return 429;
  case errc::unavailable:
    return 503;
  case errc::internal:
    return 500;
  }
  return 500;
}

error validation_error(std::string field, std::string message) {
  return error{errc::validation, std::move(message), std::move(field), {}};
}
error not_found(std::string message) {
  return error{errc::not_found, std::move(message), {}, {}};
}
error conflict(std::string message) {
  return error{errc::conflict, std::move(message), {}, {}};
}
error forbidden(std::string message) {
  return error{errc::forbidden, std::move(message), {}, {}};
}
error internal_error(std::string message) {
  return error{errc::internal, std::move(message), {}, {}};
}
error unavailable(std::string message) {
  return error{errc::unavailable, std::move(message), {}, {}};
}

} // namespace waitroom::events
