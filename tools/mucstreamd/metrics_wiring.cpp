#include "tools/mucstreamd/metrics_wiring.hpp"

namespace mucstream::tools {
namespace {
// A process serving several MUC domains has one loop, sink and producer per domain: each
// series then carries the domain (sum them for the process's total).
analytics::metrics::Labels with_domain(analytics::metrics::Labels l, const std::string& domain) {
  if (!domain.empty()) l.emplace_back("domain", domain);
  return l;
}
}  // namespace

void register_component_metrics(analytics::metrics::Registry& r, const xmpp::RoomService& svc,
                                const std::string& domain) {
  const auto L = [&domain](analytics::metrics::Labels l) { return with_domain(std::move(l), domain); };
  const auto& st = svc.stats();
  r.counter_fn("mucstream_stanzas_in_total", "Stanzas received from the XMPP server", L({}),
               [&st] { return static_cast<double>(st.stanzas_in.load()); });
  r.counter_fn("mucstream_stanzas_out_total", "Stanzas sent to the XMPP server", L({}),
               [&st] { return static_cast<double>(st.stanzas_out.load()); });
  r.counter_fn("mucstream_stanzas_rejected_total", "Stanzas refused, by reason", L({{"reason", "flood"}}),
               [&st] { return static_cast<double>(st.rejected_flood.load()); });
  r.counter_fn("mucstream_stanzas_rejected_total", "Stanzas refused, by reason", L({{"reason", "backlog"}}),
               [&st] { return static_cast<double>(st.rejected_backlog.load()); });
  r.counter_fn("mucstream_stanzas_rejected_total", "Stanzas refused, by reason", L({{"reason", "oversize"}}),
               [&st] { return static_cast<double>(st.rejected_oversize.load()); });
  r.counter_fn("mucstream_stanzas_skipped_total", "Rendered stanzas above xmpp.max_stanza_bytes_out, not sent",
               L({{"reason", "oversize"}}), [&st] { return static_cast<double>(st.oversize_skipped.load()); });
  r.gauge_fn("mucstream_outbound_queue_bytes", "Output waiting for the XMPP server", L({}),
             [&st] { return static_cast<double>(st.outbound_bytes.load()); });
  r.counter_fn("mucstream_component_connects_total", "Successful connections to the XMPP server", L({}),
               [&st] { return static_cast<double>(st.connects.load()); });
  r.gauge_fn("mucstream_component_connected", "1 while the component is connected to the XMPP server", L({}),
             [&st] { return st.connected.load() ? 1.0 : 0.0; });
  // Room archives (XEP-0313)
  r.counter_fn("mucstream_archive_requests_total", "Archive queries and metadata requests handed to the archive reader", L({}),
               [&st] { return static_cast<double>(st.archive_requests.load()); });
  r.counter_fn("mucstream_archive_failures_total",
               "Archive requests the reader could not answer (not caught up in time, store down, unknown id)", L({}),
               [&st] { return static_cast<double>(st.archive_failures.load()); });
  r.gauge_fn("mucstream_archive_requests_in_flight", "Archive requests waiting for the archive reader", L({}),
             [&st] { return static_cast<double>(st.archive_in_flight.load()); });
  // Multicast fan-out (XEP-0033)
  r.counter_fn("mucstream_multicast_stanzas_total",
               "Stanzas sent to the XMPP server's multicast service, each for several recipients", L({}),
               [&st] { return static_cast<double>(st.multicast_stanzas.load()); });
  r.counter_fn("mucstream_multicast_recipients_total", "Recipients (bcc addresses) the multicast stanzas carried", L({}),
               [&st] { return static_cast<double>(st.multicast_recipients.load()); });
  r.counter_fn("mucstream_multicast_fallbacks_total",
               "Multicast stanzas the service refused, sent again one per recipient", L({}),
               [&st] { return static_cast<double>(st.multicast_fallbacks.load()); });
  r.gauge_fn("mucstream_multicast_active", "1 while stanzas for several recipients go through a multicast service",
             L({}), [&st] { return st.multicast_active.load() ? 1.0 : 0.0; });
  // Room lifecycle: typing and read signals are counted here whether or not they are recorded.
  r.counter_fn("mucstream_chat_states_total", "XEP-0085 chat states relayed in rooms and private messages", L({}),
               [&st] { return static_cast<double>(st.chat_states.load()); });
  r.counter_fn("mucstream_displayed_markers_total", "XEP-0333 displayed markers relayed", L({}),
               [&st] { return static_cast<double>(st.displayed_markers.load()); });
  r.counter_fn("mucstream_idle_rooms_closed_total", "Rooms destroyed after rooms.idle_timeout_minutes without activity",
               L({}), [&st] { return static_cast<double>(st.idle_rooms_closed.load()); });
}

void register_sink_metrics(analytics::metrics::Registry& r, const MeteredSink& sink, const std::string& domain) {
  const auto L = [&domain](analytics::metrics::Labels l) { return with_domain(std::move(l), domain); };
  r.counter_fn("mucstream_sink_published_total", "Events the room loop appended to its event log", L({}),
               [&sink] { return static_cast<double>(sink.published()); });
  r.counter_fn("mucstream_sink_durable_total", "Events the event log reported durable (the commit point)", L({}),
               [&sink] { return static_cast<double>(sink.durable()); });
  r.gauge_fn("mucstream_sink_pending_events", "Events appended and not yet durable (their output is parked)", L({}),
             [&sink] { return static_cast<double>(sink.pending()); });
  r.gauge_fn("mucstream_sink_accepting", "1 while the event log accepts new actions (0: refused with resource-constraint)",
             L({}), [&sink] { return sink.last_accepting() ? 1.0 : 0.0; });
  r.counter_fn("mucstream_snapshot_rounds_total", "Completed room snapshot rounds", L({}),
               [&sink] { return static_cast<double>(sink.snapshot_rounds()); });
}

void register_producer_metrics(analytics::metrics::Registry& r, const events::Producer& producer,
                               const std::string& domain) {
  const auto L = [&domain](analytics::metrics::Labels l) { return with_domain(std::move(l), domain); };
  r.counter_fn("mucstream_events_produced_total", "Events acknowledged by Kafka", L({}),
               [&producer] { return static_cast<double>(producer.stats().delivered); });
  r.counter_fn("mucstream_events_spilled_total", "Events written to the spill file", L({}),
               [&producer] { return static_cast<double>(producer.stats().spilled); });
}

void register_materializer_metrics(analytics::metrics::Registry& r, const sql::Materializer& m) {
  r.counter_fn("mucstream_events_materialized_total", "Events rows inserted into PostgreSQL", {},
               [&m] { return static_cast<double>(m.stats().inserted); });
  r.counter_fn("mucstream_materializer_pg_failures_total", "Failed PostgreSQL attempts of the materialiser", {},
               [&m] { return static_cast<double>(m.stats().pg_failures); });
  r.gauge_fn("mucstream_materializer_partitions", "Partitions this materialiser owns", {},
             [&m] { return static_cast<double>(m.stats().assigned); });
}

}  // namespace mucstream::tools
