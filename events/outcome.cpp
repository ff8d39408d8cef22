#include "events/outcome.hpp"

namespace waitroom::events {

std::string_view error_code_name(errc code) noexcept {
  switch (code) {
  case errc::validation:
    return "VALIDATION_ERROR";
  case errc::forbidden:
    return "FORBIDDEN";
  case errc::not_found:
    return "NOT_FOUND";
  case errc::conflict:
    return "CONFLICT";
  case errc::aborted:
    return "ABORTED";
  case errc::policy_forbids:
    return "POLICY_FORBIDS";
  case errc::unavailable:
    return "UNAVAILABLE";
  case errc::internal:
    return "INTERNAL";
  }
  return "INTERNAL";
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
error aborted(std::string message) {
  return error{errc::aborted, std::move(message), {}, {}};
}

} // namespace waitroom::events
