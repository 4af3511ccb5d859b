// The XEP-0045 permission tables (§5.1, §5.2, §8, §9, §10), row by row.
#include "support.hpp"

using namespace mucstream::core;
using R = Role;
using A = Affiliation;

namespace {
enum class Outcome { ok, forbidden, not_allowed };
Outcome outcome(const std::optional<Error>& e) {
  if (!e) return Outcome::ok;
  if (e->condition == ErrorCondition::forbidden) {
    CHECK(e->type == ErrorType::auth);
    return Outcome::forbidden;
  }
  CHECK(e->condition == ErrorCondition::not_allowed);
  CHECK(e->type == ErrorType::cancel);
  return Outcome::not_allowed;
}
}  // namespace

TEST_CASE("permissions: role changes (kick, voice, moderator)") {
  struct Row {
    R actor_role; A actor_aff; R target_role; A target_aff; R new_role; Outcome expected;
  };
  const Outcome ok = Outcome::ok, forbidden = Outcome::forbidden, not_allowed = Outcome::not_allowed;
  const Row rows[] = {
      // Only moderators change roles at all.
      {R::participant, A::member, R::participant, A::none, R::none, forbidden},
      {R::visitor, A::none, R::participant, A::none, R::visitor, forbidden},
      {R::participant, A::none, R::visitor, A::none, R::participant, forbidden},
      // §8.2 kick: a moderator kicks participants and visitors ...
      {R::moderator, A::none, R::participant, A::none, R::none, ok},
      {R::moderator, A::none, R::visitor, A::none, R::none, ok},
      {R::moderator, A::member, R::participant, A::member, R::none, ok},
      // ... but never someone with a higher affiliation, nor an admin or owner.
      {R::moderator, A::none, R::participant, A::member, R::none, not_allowed},
      {R::moderator, A::admin, R::moderator, A::admin, R::none, not_allowed},
      {R::moderator, A::owner, R::moderator, A::owner, R::none, not_allowed},
      {R::moderator, A::admin, R::moderator, A::owner, R::none, not_allowed},
      // §8.3/§8.4 voice.
      {R::moderator, A::none, R::visitor, A::none, R::participant, ok},
      {R::moderator, A::none, R::participant, A::none, R::visitor, ok},
      {R::moderator, A::member, R::participant, A::admin, R::visitor, not_allowed},
      // §9.6/§9.7 moderator status: admins and owners only.
      {R::moderator, A::none, R::participant, A::none, R::moderator, forbidden},
      {R::moderator, A::member, R::participant, A::member, R::moderator, forbidden},
      {R::moderator, A::admin, R::participant, A::member, R::moderator, ok},
      {R::moderator, A::owner, R::participant, A::none, R::moderator, ok},
      {R::moderator, A::owner, R::moderator, A::none, R::participant, ok},
      {R::moderator, A::none, R::moderator, A::none, R::participant, forbidden},
      {R::moderator, A::admin, R::moderator, A::admin, R::participant, not_allowed},
      {R::moderator, A::owner, R::moderator, A::admin, R::participant, not_allowed},
      // No change is never an error.
      {R::participant, A::none, R::participant, A::none, R::participant, ok},
  };
  for (const Row& row : rows) {
    CAPTURE(to_string(row.actor_role));
    CAPTURE(to_string(row.actor_aff));
    CAPTURE(to_string(row.target_role));
    CAPTURE(to_string(row.target_aff));
    CAPTURE(to_string(row.new_role));
    Actor a{row.actor_role, row.actor_aff, false};
    CHECK(outcome(check_role_change(a, row.target_role, row.target_aff, row.new_role)) == row.expected);
  }
  // A service administrator (mucctl) may do anything a room owner may, and more.
  Actor admin{R::none, A::none, true};
  CHECK_FALSE(check_role_change(admin, R::moderator, A::owner, R::none).has_value());
  // ... but even they cannot strip an owner's moderator role while it stays in the room.
  CHECK(outcome(check_role_change(admin, R::moderator, A::owner, R::visitor)) == Outcome::not_allowed);
}

TEST_CASE("permissions: affiliation changes (ban, member, admin, owner lists)") {
  struct Row {
    A actor; A current; A next; Outcome expected;
  };
  const Outcome ok = Outcome::ok, forbidden = Outcome::forbidden, not_allowed = Outcome::not_allowed;
  const Row rows[] = {
      {A::none, A::none, A::member, forbidden},      {A::member, A::none, A::member, forbidden},
      {A::member, A::none, A::outcast, forbidden},   {A::outcast, A::none, A::outcast, forbidden},
      // §9.1-9.5 admins: ban and membership for non-admins.
      {A::admin, A::none, A::outcast, ok},           {A::admin, A::member, A::outcast, ok},
      {A::admin, A::none, A::member, ok},            {A::admin, A::member, A::none, ok},
      {A::admin, A::outcast, A::none, ok},           {A::admin, A::admin, A::outcast, not_allowed},
      {A::admin, A::owner, A::outcast, not_allowed}, {A::admin, A::owner, A::member, not_allowed},
      {A::admin, A::none, A::admin, forbidden},      {A::admin, A::member, A::owner, forbidden},
      // §10.3-10.8 owners: everything.
      {A::owner, A::none, A::owner, ok},             {A::owner, A::admin, A::outcast, ok},
      {A::owner, A::owner, A::admin, ok},            {A::owner, A::member, A::admin, ok},
  };
  for (const Row& row : rows) {
    CAPTURE(to_string(row.actor));
    CAPTURE(to_string(row.current));
    CAPTURE(to_string(row.next));
    CHECK(outcome(check_affiliation_change(Actor{R::moderator, row.actor, false}, row.current, row.next)) ==
          row.expected);
  }
}

TEST_CASE("permissions: configuration, destruction, subject, speaking, real JIDs") {
  for (A a : {A::outcast, A::none, A::member, A::admin, A::owner}) {
    CAPTURE(to_string(a));
    Actor actor{R::moderator, a, false};
    CHECK(may_configure(actor) == (a == A::owner));
    CHECK(may_destroy(actor) == (a == A::owner));
    CHECK(may_lock(actor) == (a == A::owner));
    CHECK(may_bypass_lock(a) == (a >= A::member));
    CHECK(may_bypass_max_occupants(a) == (a >= A::admin));
  }
  CHECK(may_configure(Actor{R::none, A::none, true}));
  CHECK(may_destroy(Actor{R::none, A::none, true}));

  CHECK(may_send_groupchat(R::participant, true));
  CHECK(may_send_groupchat(R::moderator, true));
  CHECK_FALSE(may_send_groupchat(R::visitor, true));
  CHECK_FALSE(may_send_groupchat(R::none, false));

  CHECK(may_change_subject(R::moderator, false));
  CHECK_FALSE(may_change_subject(R::participant, false));
  CHECK(may_change_subject(R::participant, true));
  CHECK_FALSE(may_change_subject(R::visitor, true));

  CHECK(may_see_real_jids(R::moderator, false));
  CHECK_FALSE(may_see_real_jids(R::participant, false));
  CHECK(may_see_real_jids(R::visitor, true));

  CHECK(may_invite(R::participant, A::none, false, false));
  CHECK_FALSE(may_invite(R::participant, A::member, true, false));
  CHECK(may_invite(R::participant, A::member, true, true));
  CHECK(may_invite(R::moderator, A::admin, true, false));
}

TEST_CASE("permissions: default roles follow affiliation and moderation") {
  CHECK(default_role(A::owner, false) == R::moderator);
  CHECK(default_role(A::admin, true) == R::moderator);
  CHECK(default_role(A::member, true) == R::participant);
  CHECK(default_role(A::none, false) == R::participant);
  CHECK(default_role(A::none, true) == R::visitor);
  CHECK(role_after_affiliation_change(R::participant, A::none, A::admin, false) == R::moderator);
  CHECK(role_after_affiliation_change(R::moderator, A::admin, A::member, true) == R::participant);
  CHECK(role_after_affiliation_change(R::visitor, A::none, A::member, true) == R::participant);
  CHECK(role_after_affiliation_change(R::participant, A::none, A::outcast, false) == R::none);
  for (R r : {R::none, R::visitor, R::participant, R::moderator}) CHECK(role_from_string(to_string(r)) == r);
  for (A a : {A::outcast, A::none, A::member, A::admin, A::owner}) CHECK(affiliation_from_string(to_string(a)) == a);
  CHECK_FALSE(role_from_string("king").has_value());
}
