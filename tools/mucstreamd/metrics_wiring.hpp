#pragma once
// The series each part of a mucstreamd process adds to /metrics, read at scrape time from
// the part's own counters (xmpp/, events/ and sql/ never see the registry).
#include <string>

#include "analytics/metrics.hpp"
#include "events/kafka.hpp"
#include "sql/materializer.hpp"
#include "tools/mucstreamd/metered_sink.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {

// `domain` non-empty (a process serving several MUC domains, one loop, sink and producer
// each): every series of that part carries the label domain="…".
void register_component_metrics(analytics::metrics::Registry& r, const xmpp::RoomService& svc,
                                const std::string& domain = {});
void register_sink_metrics(analytics::metrics::Registry& r, const MeteredSink& sink, const std::string& domain = {});
void register_producer_metrics(analytics::metrics::Registry& r, const events::Producer& producer,
                               const std::string& domain = {});
void register_materializer_metrics(analytics::metrics::Registry& r, const sql::Materializer& m);

}  // namespace mucstream::tools
