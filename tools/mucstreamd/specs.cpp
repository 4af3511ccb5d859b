// Every mucstreamd setting, in one place so `--help` and the docs list them all.
#include <string>

#include "tools/mucstreamd/roles.hpp"
#include "tools/mucstreamd/room_admins.hpp"

namespace mucstream::tools {

std::vector<SettingSpec> mucstreamd_settings() {
  std::vector<SettingSpec> s = common_settings();
  std::vector<SettingSpec> more = {
      // XMPP component (XEP-0114)
      {"xmpp.host", "127.0.0.1", "XMPP server to connect to as a component"},
      {"xmpp.port", "5347", "the server's component port"},
      {"xmpp.domain", "rooms.localhost", "MUC domain(s) the component owns, comma-separated: one XEP-0114 connection each, the first the default", false, "--domain"},
      {"xmpp.secret", "", "component secret shared with the server (the same for every domain of --domain)", true, "--secret"},
      {"xmpp.reconnect_max_ms", "1000",
       "longest wait between connection attempts; a standby component retrying while another is active takes over "
       "within about this long"},
      // Ghosts: occupants whose client is gone
      {"xmpp.ghost_ping_timeout_ms", "30000",
       "after a connect every session gets a ping from its room; no answer within this long makes it a ghost "
       "(it leaves with status 333)"},
      {"limits.max_stanza_bytes", "262144", "largest stanza accepted (bigger: policy-violation)"},
      {"limits.messages_per_second", "10", "sustained stanzas per second per sender"},
      {"limits.burst", "30", "stanzas a sender may send in a burst"},
      {"limits.stats_per_second", "1", "sustained P2P stats reports per second per reporter and call (0: no limit)"},
      {"limits.stats_burst", "5", "P2P stats reports a reporter may send in a burst per call"},
      // What mucstream sends: the host's stanza ceiling, the outbound queue, byte rates
      {"xmpp.max_stanza_bytes_out", "491520",
       "largest stanza sent, escaped, with the room's stamps; keep it below the XMPP server's component stanza limit "
       "(Prosody 524288, ejabberd max_stanza_size on the component listener), which closes the whole stream"},
      {"xmpp.outbound_queue_bytes", "67108864",
       "output waiting for the XMPP server, all rooms; beyond, rooms with a backlog refuse changes (resource-constraint)"},
      {"xmpp.outbound_room_bytes", "4194304",
       "output waiting for the XMPP server per room; beyond, the room refuses changes (resource-constraint)"},
      {"xmpp.outbound_window_bytes", "262144",
       "output written beyond what the XMPP server is known to have processed (checked by a ping the server routes "
       "back); keeps other rooms' stanzas from queueing behind a flood in socket buffers (0: no window)"},
      // Multicast fan-out (XEP-0033)
      {"xmpp.multicast", "auto",
       "'auto': after each connect look for the XMPP server's XEP-0033 multicast service (the host domain's "
       "disco#info, then its disco#items) and send one stanza for all recipients of the same rendering through it; "
       "'off': one stanza per recipient; or the service's JID"},
      {"xmpp.multicast_max_recipients", "100",
       "most recipients one multicast stanza carries (larger groups are split); at most what the service accepts "
       "(ejabberd's mod_multicast: 20 from a component unless its limits are raised, see deploy/ejabberd)"},
      {"limits.sender_bytes_per_second", "262144", "sustained stanza bytes per second per sender (0: no limit)"},
      {"limits.sender_bytes_burst", "1048576", "stanza bytes a sender may send in a burst"},
      {"limits.room_bytes_per_second", "16777216",
       "sustained bytes per second a room sends (stanza size x recipients; 0: no limit)"},
      {"limits.room_bytes_burst", "33554432", "bytes a room may send in a burst"},
      {"xmpp.events", "log", "standalone component: where events go, 'log' (stderr lines), 'stdout' (JSON lines) or 'none'"},
      {"rooms.default_history", "20", "history length of new rooms"},
      {"rooms.max_history", "100", "largest history length an owner may set"},
      // History bounded by bytes (counted: payload, nick, JID and ids of each message)
      {"rooms.max_history_bytes", "1048576",
       "most history bytes a room keeps, whatever its history length (oldest go first; 0: no bound)"},
      {"rooms.max_history_bytes_total", "268435456",
       "most history bytes all rooms keep together; beyond it the oldest entries of any room go (0: no bound)"},
      // Corrections (XEP-0308) and retractions (XEP-0424/0425) of recent messages
      {"rooms.recent_messages", "1000",
       "messages per room whose ids and authors are kept for corrections and retractions (oldest go first; "
       "older ones cannot be corrected, moderators may still retract them from the archive)"},
      {"rooms.max_occupants", "10000", "largest max-occupants an owner may set"},
      {"rooms.only_admins_create", "false",
       "rooms are created only by the admin API and, by joining, by the JIDs in rooms.admins; anyone else's join "
       "of a room that does not exist is refused with not-allowed"},
      {"rooms.admins", "",
       "comma-separated bare JIDs that may create rooms by joining while rooms.only_admins_create is on (they get "
       "no other privilege)"},
      {"rooms.lock_new_rooms", "true",
       "XEP-0045 10.1: a room created by a join stays locked (only its owner may enter) until the owner configures "
       "it or accepts the default configuration; false opens it at once (Prosody's muc_room_locking)"},
      {"rooms.persistent_by_default", "false", "new rooms start persistent"},
      // Room lifecycle: chat states and markers, idle rooms
      {"rooms.record_chat_states", "false",
       "XEP-0085 chat states and XEP-0333 displayed markers become events (chat_state_sent, message_displayed) in "
       "every room; otherwise only in rooms whose owner turned it on (they are always relayed and counted)"},
      {"rooms.idle_timeout_minutes", "0",
       "a room with no message and no join for this many minutes (decimals allowed) is destroyed with reason "
       "'idle', persistent or not (0: never)"},
      // Event pipeline
      {"pg", "", "PostgreSQL connection string (libpq), e.g. 'host=127.0.0.1 port=5432 dbname=mucstream'"},
      {"kafka.brokers", "", "Kafka bootstrap servers; empty starts librdkafka's in-process mock cluster"},
      {"kafka.topic", "mucstream.events", "topic events are produced to"},
      {"kafka.dead_letter_topic", "mucstream.events.dlq", "topic undecodable messages go to"},
      {"kafka.group", "mucstream-materializer", "consumer group of the materialiser"},
      {"kafka.queue_full", "wait", "when the producer queue is full: 'wait' (bounded) or 'spill' (to a file)"},
      {"kafka.spill_dir", "/var/lib/mucstream/spill", "where 'spill' writes events it could not queue"},
      {"kafka.queue_full_wait_ms", "1000", "'wait': how long publish may wait for queue space before spilling"},
      {"kafka.mock_brokers", "3", "brokers of the embedded mock cluster"},
      {"kafka.mock_partitions", "64", "partitions of the events topic in the embedded mock cluster (each keeps ~5 MiB)"},
      {"kafka.snapshot_topic", "mucstream.snapshots",
       "topic of room snapshots for fast restart (compacted in production; key = room JID)"},
      // Commit point and restore
      {"commit.release", "durable",
       "when a decision's output is sent: 'durable' (after the log acknowledged its events) or 'immediate' "
       "(at once; a benchmark baseline that can show what is later lost)"},
      {"commit.unavailable_ms", "5000",
       "the log may fail to acknowledge for this long before state-changing stanzas are refused (resource-constraint)"},
      {"snapshot.interval_ms", "10000", "how often changed rooms are snapshotted for fast restart"},
      {"materialize.batch_max", "5000", "most events per PostgreSQL transaction"},
      {"materialize.batch_ms", "100", "longest a batch waits to fill once it has an event"},
      // HTTP API
      {"http.listen", "127.0.0.1:8080", "HOST:PORT the HTTP API listens on"},
      {"http.cors_origins", "", "comma-separated origins allowed by CORS ('*' for any)"},
      {"jwt.secret", "", "HS256 secret that signs API tokens", true},
      {"ops.listen", "",
       "component, materialize: HOST:PORT serving /metrics, /healthz and /readyz (empty: not served)"},
      {"jwt.client_token_ttl", "43200", "seconds a client telemetry token handed to an occupant stays valid"},
      // HTTP server: what one client may cost, and who may read /metrics
      {"http.max_body_bytes", "1048576",
       "largest request body in bytes; larger is refused with 413 (by Content-Length, or by bytes read) before it "
       "is buffered"},
      {"http.max_connections", "512",
       "open HTTP connections; beyond, the one idle longest (or longest still sending its request head) is closed"},
      {"metrics.open", "false",
       "api, all: serve /metrics on http.listen without a token (ops.listen always serves it without one)"},
      {"metrics.token", "",
       "api, all: a static bearer token that may read /metrics on http.listen (for scrapers), besides analyst and "
       "admin tokens",
       true},
      // mucstreamd reports
      {"reports.recompute", "false", "reports: rebuild room reports from the stored events", false, "--recompute"},
      {"reports.room_id", "", "reports --recompute: the room (its id) to rebuild", false, "--room-id"},
      {"reports.all", "false", "reports --recompute: rebuild every room's report and every rollup", false, "--all"},
      // Data lifecycle: retention per data class, purged by the materialiser (0 keeps forever)
      {"retention.events_days", "0",
       "materialize, all: events older than this many days go, by whole monthly partitions (0: keep forever)"},
      {"retention.bodies_days", "0",
       "materialize, all: message bodies older than this many days are cleared from the archive and the events "
       "(0: keep forever)"},
      {"retention.personal_days", "0",
       "materialize, all: sessions that ended more than this many days ago lose their real JIDs and user agent "
       "(pseudonyms replace bare JIDs; 0: keep forever)"},
      {"retention.purge_interval_s", "3600", "materialize, all: seconds between two retention purges"},
      // Room-name masking
      {"privacy.mask_room_names", "false",
       "materialize, all (with kafka.brokers): store room JIDs, titles and descriptions in PostgreSQL only as a keyed "
       "hash (HMAC-SHA256 under privacy.mask_key)"},
      {"privacy.mask_key", "",
       "key of room-name masking, at least 16 bytes; keep it: another key gives the same rooms other masks", true},
      // Room archive (XEP-0313): read from PostgreSQL off the room loop
      {"archive.max_page", "100", "component, all: most messages in one archive page (a larger max is capped)"},
      {"archive.reader_threads", "2", "component, all: threads (and PostgreSQL connections) answering archive queries"},
      {"archive.catch_up_timeout_ms", "3000",
       "component, all: how long an archive query waits for PostgreSQL to hold every message the room had sent when "
       "it was asked; then it fails (wait: retry)"},
  };
  s.insert(s.end(), more.begin(), more.end());
  return s;
}

}  // namespace mucstream::tools
