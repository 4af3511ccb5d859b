#include "tools/mucstreamd/room_services.hpp"

#include <gloox/tag.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "tools/mucstreamd/domains.hpp"

namespace mucstream::tools {
namespace {

// The room a command names by its bare JID; empty for those that name none (or name it by id).
std::string room_of(const core::Command& cmd) {
  return std::visit(
      [](const auto& c) -> std::string {
        if constexpr (requires { { c.room } -> std::convertible_to<std::string>; }) return c.room;
        else return {};
      },
      cmd);
}

core::Decision unknown_room(const std::string& what) {
  return core::Decision::fail({core::ErrorCondition::item_not_found, core::ErrorType::cancel, "No such room: " + what});
}

}  // namespace

void RoomServices::add(std::string domain, std::unique_ptr<xmpp::RoomService> loop, std::unique_ptr<core::Crypto> crypto) {
  // A stanza for another of our domains read on this loop's connection goes to that
  // domain's loop (ejabberd hands every host of one listener to each connection).
  loop->set_foreign_stanzas([this](const gloox::Tag& tag) {
    const std::string& to = tag.findAttribute("to");
    xmpp::RoomService* owner = find(domain_of(to));
    if (owner == nullptr) return false;
    owner->take_stanza(tag);
    return true;
  });
  domains_.push_back(std::move(domain));
  loops_.push_back({std::move(crypto), std::move(loop)});
}

xmpp::RoomService* RoomServices::find(const std::string& domain) {
  for (std::size_t i = 0; i < domains_.size(); ++i)
    if (domains_[i] == domain) return loops_[i].loop.get();
  return nullptr;
}

int RoomServices::run(const std::atomic<bool>& stop) {
  if (loops_.empty()) return 0;
  std::vector<int> rc(loops_.size(), 0);
  std::vector<std::thread> others;
  for (std::size_t i = 1; i < loops_.size(); ++i)
    others.emplace_back([this, &rc, &stop, i] { rc[i] = loops_[i].loop->run(stop); });
  rc[0] = loops_[0].loop->run(stop);
  for (auto& t : others) t.join();
  for (int r : rc)
    if (r != 0) return r;
  return 0;
}

void RoomServices::submit(core::Command cmd, Done done) {
  if (!done) done = [](const core::Decision&) {};
  if (std::holds_alternative<core::DestroyRooms>(cmd)) {
    // Every loop sweeps its own rooms; the answer waits for the last of them.
    struct Merge {
      std::mutex mu;
      core::Decision all;
      std::size_t left;
      Done done;
    };
    auto m = std::make_shared<Merge>();
    m->left = loops_.size();
    m->done = std::move(done);
    for (auto& l : loops_)
      l.loop->submit(cmd, [m](const core::Decision& d) {
        std::unique_lock lock(m->mu);
        m->all.events.insert(m->all.events.end(), d.events.begin(), d.events.end());
        m->all.deliveries.insert(m->all.deliveries.end(), d.deliveries.begin(), d.deliveries.end());
        // A refusal (not an administrator, the log not accepting) is the answer only when no
        // loop swept anything: a partial sweep reports what it destroyed.
        if (d.error && !m->all.error) m->all.error = d.error;
        if (--m->left > 0) return;
        if (!m->all.events.empty()) m->all.error.reset();
        lock.unlock();
        m->done(m->all);
      });
    return;
  }
  const std::string room = room_of(cmd);
  if (!room.empty()) {
    if (xmpp::RoomService* loop = find(domain_of(room))) loop->submit(std::move(cmd), std::move(done));
    else done(unknown_room(room));
    return;
  }
  submit_by_id(0, std::move(cmd), std::move(done));
}

void RoomServices::submit_by_id(std::size_t from, core::Command cmd, Done done) {
  if (loops_.size() == 1 || from + 1 >= loops_.size()) {
    loops_[std::min(from, loops_.size() - 1)].loop->submit(std::move(cmd), std::move(done));
    return;
  }
  // Not this loop's room: the next loop is asked (from this loop's thread: submit is thread-safe).
  loops_[from].loop->submit(cmd, [this, from, cmd, done = std::move(done)](const core::Decision& d) {
    if (d.error && d.error->condition == core::ErrorCondition::item_not_found) submit_by_id(from + 1, cmd, done);
    else done(d);
  });
}

bool RoomServices::inspect(const std::string& domain, Read read) {
  xmpp::RoomService* loop = find(domain);
  if (loop == nullptr) {
    // A domain this process does not serve has no live rooms here: the reader gets none at
    // once rather than waiting out its timeout (a tenant token for another process's domain).
    static const core::Service none;
    read(none);
    return false;
  }
  loop->inspect(std::move(read));
  return true;
}

bool RoomServices::all_connected() const {
  for (const auto& l : loops_)
    if (!l.loop->stats().connected.load()) return false;
  return true;
}

std::vector<core::Service> split_by_domain(core::Service all, const std::vector<std::string>& domains,
                                           std::size_t* foreign) {
  std::vector<core::Service> out(domains.size());
  std::size_t others = 0;
  while (!all.rooms.empty()) {
    auto node = all.rooms.extract(all.rooms.begin());
    const auto it = std::find(domains.begin(), domains.end(), domain_of(node.key()));
    if (it == domains.end()) {
      ++others;
      continue;
    }
    core::Service& s = out[static_cast<std::size_t>(it - domains.begin())];
    s.jid_by_room_id[node.mapped().room_id] = node.key();
    s.rooms.insert(s.rooms.end(), std::move(node));  // in key order: each at the end
  }
  if (foreign != nullptr) *foreign = others;
  return out;
}

}  // namespace mucstream::tools
