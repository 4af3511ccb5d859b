#pragma once
// Forgetting one person (docs/operations.md, "Data lifecycle and privacy"): every trace of
// a bare JID in PostgreSQL replaced by its pseudonym (mucstream_pseudonym) or removed, in
// one transaction, while every row stays so counts, durations and reports still add up:
//   users      the JID's sessions: userid and nick become the pseudonym, jid, os, browser
//              and useragent NULL (type stays: it is a count's dimension, not a person's);
//   events     the sessions' message bodies and client details leave `data`; anywhere in any
//              event the JID (bare or full) becomes the pseudonym, and so do the sessions'
//              nicks (at join and every later nick) within the rooms they were used in;
//   archive    the sessions' messages lose their body and real JID and take the pseudonym
//              as nick; a retraction by one of the nicks names the pseudonym;
//   rooms      creator, configuration, report and report state as the events;
//   room_snapshots  the state of live rooms as the events.
// Events the service still stores for a session present while it runs carry the JID again:
// forget a person once they have left.
#include <pqxx/pqxx>

#include <cstdint>
#include <string>

namespace mucstream::sql {

struct ForgetReport {
  std::string pseudonym;
  std::int64_t sessions = 0;  // users rows of the JID
  std::int64_t events = 0;    // events rows changed
  std::int64_t archive = 0;   // archive rows changed
  std::int64_t rooms = 0;     // rooms rows changed
  std::int64_t snapshots = 0;
};

// `bare_jid` is compared case-insensitively. A JID never seen changes nothing (all counts 0).
ForgetReport forget_user(pqxx::connection& conn, const std::string& bare_jid);

}  // namespace mucstream::sql
