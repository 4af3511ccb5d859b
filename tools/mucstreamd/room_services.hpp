#pragma once
// The room loops of one component process: one xmpp::RoomService per MUC domain of
// xmpp.domain, each with its own XEP-0114 connection, rooms, event sink and restore. Keeping
// the domains apart is what keeps failover correct per domain: a connection of one domain
// dropping ends that loop's serving only, and the restore after its reconnect replaces that
// domain's rooms from that domain's snapshots and events, never another's (no room lost or
// doubled). The HTTP API's commands and reads go to the loop of their room's domain.
//
//   RoomServices loops;
//   loops.add("rooms.acme.example", std::make_unique<xmpp::RoomService>(...));
//   loops.add("rooms.globex.example", std::make_unique<xmpp::RoomService>(...));
//   loops.submit(core::SetLock{by, "standup@rooms.globex.example", true}, done);  // globex's loop
//   loops.run(stop);  // every loop until stop: the first on this thread, the others on their own
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/crypto.hpp"
#include "core/decision.hpp"
#include "core/state.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {

class RoomServices {
 public:
  using Done = std::function<void(const core::Decision&)>;
  using Read = std::function<void(const core::Service&)>;

  RoomServices() = default;
  RoomServices(const RoomServices&) = delete;  // each loop holds `this` (add)
  RoomServices& operator=(const RoomServices&) = delete;

  // The first domain added is the default. The loop's stanzas for another domain of ours
  // (read on its connection) are handed to that domain's loop. `this` must not move after. `crypto`: kept alive as long as the loop (each loop
  // gets its own, so none is shared between loop threads).
  void add(std::string domain, std::unique_ptr<xmpp::RoomService> loop, std::unique_ptr<core::Crypto> crypto = {});

  const std::vector<std::string>& domains() const { return domains_; }
  std::size_t size() const { return loops_.size(); }
  xmpp::RoomService& at(std::size_t i) { return *loops_[i].loop; }
  const xmpp::RoomService& at(std::size_t i) const { return *loops_[i].loop; }
  xmpp::RoomService* find(const std::string& domain);

  // Runs every loop until `stop`; returns the first non-zero status, else 0.
  int run(const std::atomic<bool>& stop);

  // The loop of the command's room (its bare JID's domain). A command naming its room by id
  // only (client telemetry) is offered to each loop in turn until one knows the room. A
  // sweep (DestroyRooms) runs on every loop and is answered once, with every loop's events.
  // A room of no domain of ours: item-not-found, as for an unknown room.
  void submit(core::Command cmd, Done done);
  // Reads one domain's live rooms (on that domain's loop); a domain not ours: `read` gets
  // an empty service at once, on this thread. Returns whether the domain is ours.
  bool inspect(const std::string& domain, Read read);
  // Every loop connected (the readiness check).
  bool all_connected() const;

 private:
  struct Loop {
    std::unique_ptr<core::Crypto> crypto;  // declared first: outlives the loop that uses it
    std::unique_ptr<xmpp::RoomService> loop;
  };
  void submit_by_id(std::size_t from, core::Command cmd, Done done);
  std::vector<std::string> domains_;
  std::vector<Loop> loops_;
};

// A restored service's rooms by domain, one Service per entry of `domains` (in that order).
// Rooms of other domains are left out and counted in `foreign`: no loop serves them.
std::vector<core::Service> split_by_domain(core::Service all, const std::vector<std::string>& domains,
                                           std::size_t* foreign = nullptr);

}  // namespace mucstream::tools
