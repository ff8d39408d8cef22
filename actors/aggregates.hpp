#pragma once
/// The aggregate actors: one per check-in, room, organization and agent, spawned on
/// demand by the registry and passivated when idle.
///
/// - check-in actor: the check-in state machine (`events/checkin/decider.hpp`).
/// - room actor: the room's policy and settings; creates the room's agent check-ins,
///   reading the agent's trust in the room from the trust projection (folded from
///   committed events only). Creates are pipelined: many may await their commit.
/// - organization actor: creates rooms (slugs unique per organization); its state is
///   loaded from the room directory, which holds every committed room of the org.
/// - agent actor: registration, claim, key rotation, deactivation.
/// - user actor: creation, token rotation, deactivation.
/// - watcher actor: webhook subscriptions of a room.
/// - the room actor also creates the room's tasks and signals (each a new stream).

#include "actors/context.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <string>

namespace waitroom::actors {

caf::actor spawn_checkin_actor(caf::actor_system& sys, context* ctx, std::string id);
caf::actor spawn_room_actor(caf::actor_system& sys, context* ctx, std::string id);
caf::actor spawn_org_actor(caf::actor_system& sys, context* ctx, std::string id);
caf::actor spawn_agent_actor(caf::actor_system& sys, context* ctx, std::string id);
caf::actor spawn_user_actor(caf::actor_system& sys, context* ctx, std::string id);
caf::actor spawn_watcher_actor(caf::actor_system& sys, context* ctx, std::string id);

} // namespace waitroom::actors
