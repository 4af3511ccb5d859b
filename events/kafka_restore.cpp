#include "events/kafka_restore.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>
#include <vector>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <rapidjson/document.h>

#include "core/decide.hpp"
#include "events/envelope.hpp"
#include "events/log.hpp"
#include "events/room_snapshot.hpp"

namespace mucstream::events {
namespace {
constexpr const char* kLog = "kafka-restore";

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  const core::LogLevel l = level <= 2 ? core::LogLevel::error : level <= 4 ? core::LogLevel::warn
                         : level <= 6 ? core::LogLevel::info : core::LogLevel::debug;
  if (core::log_enabled(l)) core::log_write(l, "librdkafka", std::string(fac) + ": " + buf);
}

// A consumer that is only ever assigned partitions (no group join, no commits).
class Reader {
 public:
  explicit Reader(const KafkaRestoreConfig& cfg) : timeout_ms_(cfg.timeout_ms) {
    KafkaProperties props = {
        {"bootstrap.servers", cfg.brokers},
        {"group.id", "mucstream-restore"},  // required by the API; never joined (assign only)
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"},
        {"client.id", "mucstream-restore"},
        // Read ahead generously: the restore is a bulk read.
        {"queued.min.messages", "200000"},
        {"queued.max.messages.kbytes", "262144"},
        {"fetch.max.bytes", "52428800"},
        {"max.partition.fetch.bytes", "8388608"},
        {"fetch.wait.max.ms", "10"},
    };
    for (const auto& [k, v] : cfg.properties) props[k] = v;
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    for (const auto& [k, v] : props)
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error("kafka property '" + k + "': " + err);
      }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk_ == nullptr) throw std::runtime_error(std::string("kafka restore consumer: ") + err);
    rd_kafka_poll_set_consumer(rk_);
  }
  ~Reader() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The topic's partitions; empty when the topic does not exist.
  std::vector<std::int32_t> partitions(const std::string& topic) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, t, &md, timeout_ms_);
    rd_kafka_topic_destroy(t);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("kafka restore: metadata of " + topic + ": " + rd_kafka_err2str(e));
    std::vector<std::int32_t> out;
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log_warn(kLog, "topic {}: {} (read as empty)", topic, rd_kafka_err2str(md->topics[i].err));
        continue;
      }
      for (int j = 0; j < md->topics[i].partition_cnt; ++j) out.push_back(md->topics[i].partitions[j].id);
    }
    rd_kafka_metadata_destroy(md);
    return out;
  }

  std::pair<std::int64_t, std::int64_t> watermarks(const std::string& topic, std::int32_t p) {
    std::int64_t lo = 0, hi = 0;
    const rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), p, &lo, &hi, timeout_ms_);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("kafka restore: watermarks of " + topic + "[" + std::to_string(p) +
                               "]: " + rd_kafka_err2str(e));
    return {lo, hi};
  }

  // Reads each partition from ranges[p].first up to (excluding) ranges[p].second, calling
  // fn(message) in order per partition.
  template <class Fn>
  void read(const std::string& topic, const std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>& ranges,
            Fn&& fn) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(ranges.size()));
    std::unordered_map<std::int32_t, std::int64_t> end;
    for (const auto& [p, r] : ranges)
      if (r.first < r.second) {
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = r.first;
        end[p] = r.second;
      }
    if (end.empty()) {
      rd_kafka_topic_partition_list_destroy(list);
      return;
    }
    rd_kafka_resp_err_t e = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(std::string("kafka restore: assign: ") + rd_kafka_err2str(e));
    auto last_progress = Clock::now();
    while (!end.empty()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
      if (m == nullptr) {
        if (Clock::now() - last_progress > std::chrono::milliseconds(timeout_ms_)) {
          rd_kafka_assign(rk_, nullptr);
          throw std::runtime_error("kafka restore: no progress reading " + topic + " for " +
                                   std::to_string(timeout_ms_) + " ms (" + std::to_string(end.size()) +
                                   " partitions unfinished)");
        }
        continue;
      }
      last_progress = Clock::now();
      auto it = end.find(m->partition);
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (it != end.end() && m->offset >= it->second) end.erase(it);
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log_warn(kLog, "reading {}: {}", topic, rd_kafka_message_errstr(m));
      } else if (it != end.end() && m->offset < it->second) {
        fn(*m);
        if (m->offset + 1 >= it->second) end.erase(it);
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(rk_, nullptr);
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  int timeout_ms_;
};

// Whether a room (bare JID) is one the restore keeps: every room, or those of its domain.
bool of_domain(std::string_view room, const std::string& domain) {
  if (domain.empty()) return true;
  const auto at = room.rfind('@');
  return at != std::string_view::npos && room.substr(at + 1) == domain;
}

std::map<std::int32_t, std::int64_t> parse_checkpoint(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("offsets") || !d["offsets"].IsObject())
    throw std::runtime_error("kafka restore: malformed checkpoint record: " + std::string(json.substr(0, 200)));
  std::map<std::int32_t, std::int64_t> out;
  for (const auto& m : d["offsets"].GetObject())
    if (m.value.IsInt64()) out[std::stoi(m.name.GetString())] = m.value.GetInt64();
  return out;
}


// During the restore each room lives in a Service of its own: apply() then finds it at once
// instead of walking a 100,000-room tree (a cache miss per level dominated the restore).
using RoomStates = std::unordered_map<std::string, core::Service>;

// Applies one events-topic message to the room it names. Only the caller's thread touches
// `mine` and the rooms of its partitions in `shared` (a room's events are in one partition).
void apply_message(const rd_kafka_message_t& m, const std::string& topic, const core::HistoryLimits& history,
                   const std::string& domain, RoomStates& shared, RoomStates& mine, std::uint64_t& read,
                   std::uint64_t& applied, std::uint64_t& undecodable) {
  // Another domain's event (keyed by its bare room JID): not decoded at all.
  if (m.key != nullptr && !of_domain(std::string_view(static_cast<const char*>(m.key), m.key_len), domain)) return;
  ++read;
  Decoded d = decode(std::string_view(static_cast<const char*>(m.payload), m.len));
  if (!d) {
    if (++undecodable <= 10)
      log_error(kLog, "{}[{}]@{} is not an event ({}): skipped", topic, m.partition, m.offset, d.error);
    return;
  }
  const core::Event& e = *d.event;
  if (!of_domain(e.room, domain)) return;
  core::Service* s;
  if (auto it = shared.find(e.room); it != shared.end()) s = &it->second;  // find() only: safe across threads
  else s = &mine[e.room];
  // A room the snapshots hold takes only its own later events; anything else goes to
  // apply(), which takes a creation and ignores events of absent or other incarnations.
  if (!s->rooms.empty()) {
    const core::Room& r = s->rooms.begin()->second;
    if (r.room_id != e.room_id || e.seq <= r.seq) return;
  }
  core::apply(*s, e, history);
  ++applied;
}
}  // namespace

core::Service restore_from_kafka(const KafkaRestoreConfig& cfg, KafkaRestoreStats* stats) {
  KafkaRestoreStats local;
  KafkaRestoreStats& st = stats ? *stats : local;
  st = {};
  Reader reader(cfg);
  const int threads = std::max(1, cfg.threads);

  // 1. Snapshots: the latest record per key, and the latest checkpoint.
  auto t0 = Clock::now();
  std::unordered_map<std::string, std::optional<std::string>> latest;
  std::optional<std::string> checkpoint, plain_checkpoint;
  const std::string& own_key = cfg.checkpoint_key;
  {
    std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> ranges;
    for (std::int32_t p : reader.partitions(cfg.snapshot_topic)) ranges[p] = reader.watermarks(cfg.snapshot_topic, p);
    reader.read(cfg.snapshot_topic, ranges, [&](const rd_kafka_message_t& m) {
      ++st.snapshot_records;
      std::string key(static_cast<const char*>(m.key), m.key_len);
      if (key == own_key || key == kCheckpointKey) {
        auto& which = key == own_key ? checkpoint : plain_checkpoint;
        if (m.payload != nullptr) which.emplace(static_cast<const char*>(m.payload), m.len);
        return;
      }
      if (key.starts_with(kCheckpointKey)) return;  // another domain's rounds
      if (!of_domain(key, cfg.domain)) return;
      if (m.payload == nullptr) latest[std::move(key)].reset();
      else latest[std::move(key)].emplace(static_cast<const char*>(m.payload), m.len);
    });
  }
  std::vector<const std::string*> texts;
  texts.reserve(latest.size());
  for (const auto& [key, value] : latest) {
    if (value) texts.push_back(&*value);
    else ++st.removed;
  }
  std::vector<core::Room> decoded(texts.size());
  {
    std::vector<std::string> errors(static_cast<std::size_t>(threads));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::size_t i = static_cast<std::size_t>(t); i < texts.size(); i += static_cast<std::size_t>(threads)) {
          try {
            decoded[i] = decode_room(*texts[i]);
          } catch (const std::exception& e) {
            errors[static_cast<std::size_t>(t)] = "kafka restore: a snapshot does not decode: " + std::string(e.what());
            return;
          }
        }
      });
    for (auto& th : pool) th.join();
    for (const auto& e : errors)
      if (!e.empty()) throw std::runtime_error(e);
  }
  latest.clear();
  if (!checkpoint) checkpoint = std::move(plain_checkpoint);
  RoomStates rooms;
  rooms.reserve(decoded.size() * 2);
  for (core::Room& r : decoded) {
    core::Service& s = rooms[r.jid];
    s.jid_by_room_id[r.room_id] = r.jid;
    std::string jid = r.jid;
    s.rooms.emplace(std::move(jid), std::move(r));
  }
  st.snapshots = decoded.size();
  decoded = {};
  std::map<std::int32_t, std::int64_t> start;
  if (checkpoint) {
    start = parse_checkpoint(*checkpoint);
    st.checkpoint = true;
  }
  st.snapshot_seconds = seconds_since(t0);

  // 2. The events after the checkpoint: the partitions split over `threads` readers.
  t0 = Clock::now();
  std::vector<std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>> ranges(static_cast<std::size_t>(threads));
  std::size_t n = 0;
  for (std::int32_t p : reader.partitions(cfg.topic)) {
    const auto [lo, hi] = reader.watermarks(cfg.topic, p);
    std::int64_t from = lo;
    if (auto it = start.find(p); it != start.end()) {
      from = std::min(it->second, hi);
      if (from < lo) {
        st.lost += static_cast<std::uint64_t>(lo - from);
        log_error(kLog, "LOSS: {}[{}] starts at {} but the checkpoint wants {}: {} events were dropped by retention "
                  "and are missing from the restored state", cfg.topic, p, lo, from, lo - from);
        from = lo;
      }
    }
    ranges[n++ % ranges.size()][p] = {from, hi};
    st.end_offsets[p] = hi;
  }
  std::vector<RoomStates> fresh(ranges.size());
  std::vector<std::array<std::uint64_t, 3>> counts(ranges.size(), {0, 0, 0});
  std::vector<std::string> errors(ranges.size());
  {
    auto work = [&](std::size_t t, Reader& r) {
      try {
        r.read(cfg.topic, ranges[t], [&](const rd_kafka_message_t& m) {
          apply_message(m, cfg.topic, cfg.history, cfg.domain, rooms, fresh[t], counts[t][0], counts[t][1], counts[t][2]);
        });
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < ranges.size(); ++t)
      pool.emplace_back([&, t] {
        try {
          Reader r(cfg);
          work(t, r);
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    work(0, reader);
    for (auto& th : pool) th.join();
  }
  for (const auto& e : errors)
    if (!e.empty()) throw std::runtime_error(e);
  for (const auto& c : counts) {
    st.events_read += c[0];
    st.events_applied += c[1];
    st.undecodable += c[2];
  }

  // 3. One service, rooms inserted in key order (each at the end: no tree walk).
  std::vector<std::pair<const std::string*, core::Service*>> all;
  all.reserve(rooms.size());
  for (auto& [jid, s] : rooms) {
    if (!s.rooms.empty()) all.emplace_back(&jid, &s);
    else st.gone.push_back(jid);
  }
  for (auto& f : fresh)
    for (auto& [jid, s] : f)
      if (!s.rooms.empty()) all.emplace_back(&jid, &s);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  core::Service svc;
  svc.jid_by_room_id.reserve(all.size());
  for (auto& [jid, s] : all) {
    auto node = s->rooms.extract(s->rooms.begin());
    svc.jid_by_room_id[node.mapped().room_id] = node.key();
    svc.rooms.insert(svc.rooms.end(), std::move(node));
  }
  st.events_seconds = seconds_since(t0);
  st.rooms = svc.rooms.size();
  log_info(kLog, "restored {} rooms: {} snapshots ({} removed, checkpoint: {}) in {:.2f} s, {} events read, {} applied "
           "in {:.2f} s{}", st.rooms, st.snapshots, st.removed, st.checkpoint ? "yes" : "no", st.snapshot_seconds,
           st.events_read, st.events_applied, st.events_seconds,
           st.lost ? fmt::format(", {} LOST to retention", st.lost) : std::string());
  return svc;
}

}  // namespace mucstream::events
