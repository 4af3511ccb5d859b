#pragma once
// Archive requests (XEP-0313) on the room loop without blocking it: the loop checks access
// and fills the query from room state (core/archive_access.hpp), the ArchiveReader answers
// on its own threads, and the answer comes back to the loop (through `to_loop`) to be
// rendered as results and the closing IQ result.
//
// The replies go to a lane of the asker's own (Outbound): written round robin with the
// rooms' lanes, so a page of large messages never holds up a room's chat, and the results
// of one query stay in order before its <fin/>.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "core/archive.hpp"
#include "core/state.hpp"
#include "xmpp/decoder.hpp"

namespace mucstream::xmpp {

class ArchiveRequests {
 public:
  // Runs a task on the loop thread (thread-safe; the task may run after this object is
  // asked to stop serving, never after it is destroyed: the loop owns both).
  using ToLoop = std::function<void(std::function<void()>)>;
  // Sends one rendered stanza on `lane` (called on the loop thread).
  using Emit = std::function<void(const std::string& lane, std::string stanza)>;
  // May this lane take more now (false: its backlog is over the bound)?
  using Congested = std::function<bool(const std::string& lane)>;

  ArchiveRequests(Emit emit, Congested congested) : emit_(std::move(emit)), congested_(std::move(congested)) {}

  // null: no archive (not advertised; requests get service-unavailable).
  void set_reader(core::ArchiveReader* reader, ToLoop to_loop) {
    reader_ = reader;
    to_loop_ = std::move(to_loop);
  }
  bool enabled() const { return reader_ != nullptr; }

  // The lane an asker's replies use; never a room's JID (a room JID has no newline).
  static std::string lane_of(const std::string& asker) { return "archive\n" + asker; }

  // Most requests of one asker the reader may hold at once; beyond: resource-constraint.
  static constexpr std::size_t kMaxInFlightPerAsker = 4;

  // What became of a request: answered now (`reply` holds the IQ result or error), or
  // passed to the reader (`reply` empty; the answer follows through Emit).
  struct Started {
    bool error = false;
    std::string reply;
  };
  Started start(const Decoded& d, const core::Service& svc);

  std::size_t in_flight() const { return in_flight_total_; }
  std::uint64_t asked() const { return asked_; }    // requests handed to the reader
  std::uint64_t failed() const { return failed_; }  // of those, answered with a failure

 private:
  struct Asked {
    Envelope env;
    std::string room;  // bare room JID, normalised
    std::string queryid;
    bool real_jids = false;
    bool flip = false;
  };
  void finish_query(const Asked& a, core::ArchiveResult r);
  void finish_ends(const Asked& a, core::ArchiveEndsResult r);
  void done(const Asked& a);
  void send_error(const Asked& a, core::ArchiveFailure f);

  Emit emit_;
  Congested congested_;
  core::ArchiveReader* reader_ = nullptr;
  ToLoop to_loop_;
  std::unordered_map<std::string, std::size_t> in_flight_;  // by asker full JID
  std::size_t in_flight_total_ = 0;
  std::uint64_t asked_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace mucstream::xmpp
