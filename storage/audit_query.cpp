#include "storage/audit_query.hpp"

#include "events/codec.hpp"

namespace waitroom::storage {

bool audit_filter::matches(const events::recorded_event& e) const {
  if (e.meta.org_id != org_id) return false;
  if (!room_id.empty() && e.meta.room_id != room_id) return false;
  if (!type_prefix.empty() && !events::event_type(e.data).starts_with(type_prefix))
    return false;
  if (!actor.empty() && e.meta.actor.id != actor) return false;
  if (!stream.empty() && e.meta.stream != stream) return false;
  if (until && e.meta.at > *until) return false;
  return true;
}

events::outcome<audit_page> audit_query(const event_log& log, const audit_filter& f,
                                        std::uint64_t after, std::size_t limit,
                                        std::uint64_t budget) {
  audit_page page;
  std::uint64_t scanned = 0, last = after;
  auto scan = scan_decoded(log, after + 1, log.head().seq,
                           [&](const stored_event& s, const events::recorded_event& e) {
                             if (page.events.size() == limit || scanned == budget) {
                               page.next_after = last;
                               return false;
                             }
                             ++scanned;
                             last = s.seq;
                             if (f.matches(e)) page.events.push_back(s);
                             return true;
                           });
  if (!scan) return std::move(scan).error();
  return page;
}

} // namespace waitroom::storage
