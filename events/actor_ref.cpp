#include "events/actor_ref.hpp"

namespace waitroom::events {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const actor_ref& a) {
  auto& o = jv.emplace_object();
  o["kind"] = wire_name(a.kind);
  if (!a.id.empty()) o["id"] = a.id;
}

boost::json::result<actor_ref> tag_invoke(const boost::json::try_value_to_tag<actor_ref>&,
                                          const boost::json::value& jv) {
  const auto* o = jv.if_object();
  if (o == nullptr) return make_error_code(boost::json::error::not_object);
  actor_ref out;
  const auto* kind = o->if_contains("kind");
  if (kind == nullptr || !kind->is_string())
    return make_error_code(boost::json::error::not_string);
  auto k = parse_wire_name<actor_kind>(kind->get_string());
  if (!k) return make_error_code(boost::json::error::unknown_name);
  out.kind = *k;
  if (const auto* id = o->if_contains("id")) {
    if (!id->is_string()) return make_error_code(boost::json::error::not_string);
    out.id = id->get_string();
  }
  return out;
}

} // namespace waitroom::events
