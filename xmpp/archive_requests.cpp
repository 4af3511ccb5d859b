#include "xmpp/archive_requests.hpp"

#include <algorithm>

#include "core/archive_access.hpp"
#include "xmpp/mam.hpp"
#include "xmpp/renderer.hpp"

namespace mucstream::xmpp {
namespace {

using core::ErrorCondition;

core::Error failure_error(core::ArchiveFailure f) {
  switch (f) {
    case core::ArchiveFailure::item_not_found:
      return core::make_error(ErrorCondition::item_not_found, "No message with that id in this archive");
    case core::ArchiveFailure::not_caught_up:
      return core::make_error(ErrorCondition::resource_constraint, "The archive is catching up; try again shortly");
    case core::ArchiveFailure::unavailable: break;
  }
  core::Error e = core::make_error(ErrorCondition::service_unavailable, "The archive is not available right now");
  e.type = core::ErrorType::wait;  // the store is down, not the feature
  return e;
}

}  // namespace

ArchiveRequests::Started ArchiveRequests::start(const Decoded& d, const core::Service& svc) {
  const MamRequest& req = *d.mam;
  auto refuse = [&](const core::Error& e) { return Started{true, render_error(d.env, e, d.room)}; };
  if (reader_ == nullptr)
    return refuse(core::make_error(ErrorCondition::service_unavailable, "This service keeps no room archives"));
  if (req.kind == MamRequest::Kind::form) return Started{false, render_iq_result(d.env, mam_form())};

  core::ArchiveQuery q = req.query;
  auto grant = req.kind == MamRequest::Kind::query ? core::prepare_archive_query(svc, d.from, q)
                                                   : core::check_archive_access(svc, d.room, d.from);
  if (const auto* e = std::get_if<core::Error>(&grant)) return refuse(*e);
  const core::ArchiveGrant& g = std::get<core::ArchiveGrant>(grant);

  const std::string& asker = d.env.from;
  std::size_t& mine = in_flight_[asker];
  if (mine >= kMaxInFlightPerAsker || congested_(lane_of(asker))) {
    if (mine == 0) in_flight_.erase(asker);
    core::Error e = core::make_error(ErrorCondition::resource_constraint, "Too many archive requests at once; wait for the answers");
    return refuse(e);
  }
  ++mine;
  ++in_flight_total_;
  ++asked_;

  Asked a{d.env, d.room, req.queryid, g.real_jids, q.flip};
  ToLoop to_loop = to_loop_;
  if (req.kind == MamRequest::Kind::query) {
    reader_->query(std::move(q), [this, a, to_loop](core::ArchiveResult r) {
      to_loop([this, a, r = std::move(r)]() mutable { finish_query(a, std::move(r)); });
    });
  } else {
    reader_->ends(g.room_id, g.min_seq, [this, a, to_loop](core::ArchiveEndsResult r) {
      to_loop([this, a, r = std::move(r)]() mutable { finish_ends(a, std::move(r)); });
    });
  }
  return Started{};
}

void ArchiveRequests::done(const Asked& a) {
  --in_flight_total_;
  auto it = in_flight_.find(a.env.from);
  if (it != in_flight_.end() && --it->second == 0) in_flight_.erase(it);
}

void ArchiveRequests::send_error(const Asked& a, core::ArchiveFailure f) {
  ++failed_;
  emit_(lane_of(a.env.from), render_error(a.env, failure_error(f), a.room));
}

void ArchiveRequests::finish_query(const Asked& a, core::ArchiveResult r) {
  done(a);
  if (const auto* f = std::get_if<core::ArchiveFailure>(&r)) return send_error(a, *f);
  core::ArchivePage& page = std::get<core::ArchivePage>(r);
  // Archive order is stanza-id order (UUIDv7 text sorts as time); whatever order the reader
  // used, results go oldest first, or newest first with <flip-page/>, and <first/>/<last/>
  // name the oldest and newest of the page (as Prosody does). A reader that flipped the page
  // gave the index of its front, the newest: <first/> is the oldest, so its index is lower.
  const auto& ms = page.messages;
  if (page.first_index && ms.size() > 1 && ms.front().stanza_id > ms.back().stanza_id)
    page.first_index = *page.first_index - static_cast<std::int64_t>(ms.size() - 1);
  std::sort(page.messages.begin(), page.messages.end(),
            [](const core::ArchivedMessage& x, const core::ArchivedMessage& y) { return x.stanza_id < y.stanza_id; });
  const std::string lane = lane_of(a.env.from);
  const std::string& room = a.room;
  auto one = [&](const core::ArchivedMessage& m) { emit_(lane, render_mam_result(a.env.from, room, a.queryid, m, a.real_jids)); };
  if (a.flip) std::for_each(page.messages.rbegin(), page.messages.rend(), one);
  else std::for_each(page.messages.begin(), page.messages.end(), one);
  emit_(lane, render_iq_result(a.env, render_mam_fin(page)));
}

void ArchiveRequests::finish_ends(const Asked& a, core::ArchiveEndsResult r) {
  done(a);
  if (const auto* f = std::get_if<core::ArchiveFailure>(&r)) return send_error(a, *f);
  emit_(lane_of(a.env.from), render_iq_result(a.env, render_mam_metadata(std::get<core::ArchiveEnds>(r))));
}

}  // namespace mucstream::xmpp
