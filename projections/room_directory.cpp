#include "projections/room_directory.hpp"

#include "events/ids.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;

void room_directory::apply(const ev::recorded_event& e) {
  auto [it, inserted] = rooms_.try_emplace(e.meta.stream);
  ev::room::evolve(it->second, e);
  if (const auto* c = std::get_if<ev::room::created>(&e.data)) {
    slugs_[{c->org_id, c->slug}] = c->id;
    if (inserted) order_[c->org_id].push_back(c->id);
  }
}

const ev::room::state* room_directory::by_id(std::string_view id) const {
  auto it = rooms_.find(std::string(id));
  return it == rooms_.end() ? nullptr : &it->second;
}

const ev::room::state* room_directory::by_slug(std::string_view org_id,
                                               std::string_view slug) const {
  auto it = slugs_.find(std::pair<std::string, std::string>(org_id, slug));
  return it == slugs_.end() ? nullptr : by_id(it->second);
}

const ev::room::state* room_directory::resolve(std::string_view org_id,
                                               std::string_view slug_or_id) const {
  const ev::room::state* r = ev::is_id(slug_or_id, ev::room_prefix)
                                 ? by_id(slug_or_id)
                                 : by_slug(org_id, slug_or_id);
  return r != nullptr && r->org_id == org_id ? r : nullptr;
}

std::vector<const ev::room::state*>
room_directory::of_org(std::string_view org_id) const {
  std::vector<const ev::room::state*> out;
  if (auto it = order_.find(std::string(org_id)); it != order_.end())
    for (const auto& id : it->second)
      out.push_back(&rooms_.at(id));
  return out;
}

std::vector<const ev::room::state*> room_directory::all() const {
  std::vector<const ev::room::state*> out;
  out.reserve(rooms_.size());
  for (const auto& [id, r] : rooms_)
    out.push_back(&r);
  return out;
}

std::vector<std::string> room_directory::slugs_of(std::string_view org_id) const {
  std::vector<std::string> out;
  for (const auto* r : of_org(org_id))
    out.push_back(r->slug);
  return out;
}

} // namespace waitroom::projections
