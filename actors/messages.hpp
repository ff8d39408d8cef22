#pragma once
/// The messages actors exchange. All are local-only (they carry callbacks), so they are
/// whitelisted as unsafe message types instead of being made serializable.

#include "events/agent/commands.hpp"
#include "events/agent/state.hpp"
#include "events/checkin/commands.hpp"
#include "events/checkin/state.hpp"
#include "events/org/commands.hpp"
#include "events/room/commands.hpp"
#include "events/room/state.hpp"
#include "events/signal/decider.hpp"
#include "events/user/commands.hpp"
#include "events/user/state.hpp"
#include "events/watcher/commands.hpp"
#include "events/watcher/state.hpp"
#include "storage/event_log.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace waitroom::actors {

/// How an actor answers its caller: once, from the actor's thread, after the events
/// of the request are durable and folded into the read models.
template <class T>
using reply_fn = std::function<void(events::outcome<T>)>;

/// A command on an existing check-in (to its check-in actor).
struct checkin_request {
  events::checkin::command cmd;
  reply_fn<events::checkin::state> reply;
};

/// A new agent check-in (to the room actor, which owns policy and trust inputs).
struct create_checkin_request {
  events::checkin::create cmd;
  reply_fn<events::checkin::state> reply;
};

/// A command on a room (to its room actor).
struct room_request {
  events::room::command cmd;
  reply_fn<events::room::state> reply;
};

/// A new task in a room (to the room actor).
struct create_task_request {
  events::checkin::create_task cmd;
  reply_fn<events::checkin::state> reply;
};

/// A signal to a room (to the room actor); answers the committed events.
struct signal_request {
  events::signal::broadcast_signal cmd;
  reply_fn<events::event_list> reply;
};

/// A command on an organization (to its org actor: room creation, or on a new id,
/// organization creation); answers the committed events.
struct org_request {
  events::org::command cmd;
  reply_fn<events::event_list> reply;
};

/// A command on a user (to its user actor).
struct user_request {
  events::user::command cmd;
  reply_fn<events::user::state> reply;
};

/// A command on a watcher (to its watcher actor).
struct watcher_request {
  events::watcher::command cmd;
  reply_fn<events::watcher::state> reply;
};

/// A command on an agent (to its agent actor).
struct agent_request {
  events::agent::command cmd;
  reply_fn<events::agent::state> reply;
};

/// From the dispatcher: an append of this actor was committed (or failed).
struct append_done {
  std::uint64_t token = 0;
  events::outcome<storage::append_result> result;
};

/// To the log reader: read one stream and answer `stream_loaded` to `reply_to`.
struct load_stream {
  std::string stream;
  std::function<void(events::outcome<std::vector<events::recorded_event>>)> reply;
};

/// To a log reader: run a blocking read of the log on its thread.
struct log_job {
  std::function<void(const storage::event_log&)> run;
};

/// From the log reader: the events of the actor's stream.
struct stream_loaded {
  std::uint64_t token = 0;
  events::outcome<std::vector<events::recorded_event>> events;
};

/// From the log writer: one group commit, in seq order.
struct committed_group {
  std::vector<storage::committed_append> appends;
};

using passivate_atom = caf::atom_constant<caf::atom("passivate")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;

} // namespace waitroom::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::checkin_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::create_checkin_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::room_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::org_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::create_task_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::signal_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::user_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::watcher_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::agent_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::append_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::load_stream)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::log_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::stream_loaded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(waitroom::actors::committed_group)
