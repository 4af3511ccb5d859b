#include "events/kafka.hpp"

#include <librdkafka/rdkafka.h>
// rdkafka.h must come first.
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "events/envelope.hpp"
#include "events/room_snapshot.hpp"
#include "events/log.hpp"

namespace mucstream::events {
namespace {
constexpr const char* kLog = "kafka";

// The mock cluster's own handle logs through the C API.
void mock_log(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  // That handle only hosts the cluster and never connects anywhere, so librdkafka's notice
  // that it has no bootstrap.servers is true and harmless; left in, it is the first line an
  // operator of the embedded default reads, and it reads like a misconfiguration.
  if (std::strcmp(fac, "CONFWARN") == 0 && std::strstr(buf, "bootstrap.servers") != nullptr) return;
  const core::LogLevel l = level <= 2 ? core::LogLevel::error : level <= 4 ? core::LogLevel::warn
                         : level <= 6 ? core::LogLevel::info : core::LogLevel::debug;
  if (core::log_enabled(l)) core::log_write(l, "librdkafka", std::string(fac) + ": " + buf);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set(RdKafka::Conf& conf, const std::string& k, const std::string& v) {
  std::string err;
  if (conf.set(k, v, err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka property '" + k + "': " + err);
}
}  // namespace

// ---------------------------------------------------------------- mock cluster

MockCluster::MockCluster(int brokers) : brokers_(brokers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "client.id", "mucstream-mock-cluster", err, sizeof err);
  rd_kafka_conf_set_log_cb(conf, mock_log);
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk_ == nullptr) throw std::runtime_error(std::string("mock cluster: ") + err);
  mc_ = rd_kafka_mock_cluster_new(rk_, brokers);
  if (mc_ == nullptr) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error("mock cluster: rd_kafka_mock_cluster_new failed");
  }
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(mc_);
  rd_kafka_destroy(rk_);
}

void MockCluster::create_topic(const std::string& topic, int partitions) {
  const rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc_, topic.c_str(), partitions, 1);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("mock cluster: creating topic " + topic + ": " + rd_kafka_err2str(e));
}

void MockCluster::set_all_brokers_down(bool down) {
  for (int id = 1; id <= brokers_; ++id) {
    const rd_kafka_resp_err_t e = down ? rd_kafka_mock_broker_set_down(mc_, id) : rd_kafka_mock_broker_set_up(mc_, id);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("mock cluster: broker " + std::to_string(id) + ": " + rd_kafka_err2str(e));
  }
}

std::unique_ptr<RdKafka::Conf> make_conf(const KafkaProperties& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [k, v] : props) set(*conf, k, v);
  install_kafka_log(*conf, shared_kafka_log());
  return conf;
}

// ---------------------------------------------------------------- producer

namespace {
// A message's opaque: its kind in the top two bits, a position or round id below.
constexpr std::uint64_t kKindShift = 62;
constexpr std::uint64_t kRaw = 0, kEvent = 1, kSnapshot = 2, kCheckpoint = 3;
void* opaque(std::uint64_t kind, std::uint64_t n) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>((kind << kKindShift) | n));
}
std::uint64_t kind_of(void* o) { return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(o)) >> kKindShift; }
std::uint64_t number_of(void* o) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(o)) & ((std::uint64_t{1} << kKindShift) - 1);
}
// How long close() waits for the delivery reports of messages it purged.
constexpr int kPurgedReportsMs = 30000;
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

// A message on its way into librdkafka's queue.
struct Producer::Outgoing {
  bool snapshot_topic = false;
  std::string key;
  std::optional<std::string> value;  // nullopt: a null value (tombstone)
  void* opaque = nullptr;
};

// A snapshot record waiting until every event published before it is durable.
struct Producer::Held {
  core::LogPosition after = 0;
  Outgoing out;
};

struct Producer::Round {
  std::uint64_t id = 0;
  core::LogPosition upto = 0;
  std::size_t outstanding = 0;  // records of this round not yet acknowledged
  bool ended = false;
  bool failed = false;
  std::map<std::int32_t, std::int64_t> hi;  // highest delivered offset with position <= upto
};

class Producer::Reports final : public RdKafka::DeliveryReportCb {
 public:
  explicit Reports(Producer& p) : p_(p) {}
  void dr_cb(RdKafka::Message& m) override {
    const std::uint64_t kind = kind_of(m.msg_opaque()), n = number_of(m.msg_opaque());
    const bool ok = m.err() == RdKafka::ERR_NO_ERROR;
    if (kind == kEvent || kind == kRaw) {
      if (!ok) {
        p_.failed_.fetch_add(1, std::memory_order_relaxed);
        const std::string why = m.errstr();
        if (m.topic_name() == p_.cfg_.topic) {
          // Never reported durable: the loop keeps the room's output parked.
          p_.spill(m.key() ? *m.key() : std::string(), static_cast<const char*>(m.payload()), m.len(), why.c_str());
        } else {
          log_error(kLog, "delivery to {} failed ({}): {}", m.topic_name(), why,
                    std::string(static_cast<const char*>(m.payload()), std::min<std::size_t>(m.len(), 512)));
        }
        return;
      }
      p_.delivered_.fetch_add(1, std::memory_order_relaxed);
      if (kind == kRaw) return;
      {
        std::lock_guard lock(p_.mutex_);
        auto& hi = p_.delivered_hi_[m.partition()];
        hi = std::max(hi, m.offset());
        for (Round& r : p_.rounds_)
          if (n <= r.upto) {
            auto& h = r.hi[m.partition()];
            h = std::max(h, m.offset());
          }
        p_.acknowledged(n);
      }
      p_.batch_.push_back(n);
      return;
    }
    std::lock_guard lock(p_.mutex_);
    auto it = std::find_if(p_.rounds_.begin(), p_.rounds_.end(), [n](const Round& r) { return r.id == n; });
    if (kind == kCheckpoint) {
      if (ok) {
        p_.checkpoints_.fetch_add(1, std::memory_order_relaxed);
        log_debug(kLog, "checkpoint of snapshot round {} written", n);
      } else {
        log_error(kLog, "checkpoint of snapshot round {} failed: {}", n, m.errstr());
      }
      return;
    }
    if (ok) p_.snapshots_.fetch_add(1, std::memory_order_relaxed);
    if (it == p_.rounds_.end()) return;
    if (!ok) {
      it->failed = true;
      log_error(kLog, "snapshot of {} failed ({}): round {} gets no checkpoint", m.key() ? *m.key() : "?",
                m.errstr(), n);
    }
    --it->outstanding;
  }

 private:
  Producer& p_;
};

Producer::Producer(ProducerConfig cfg)
    : cfg_(std::move(cfg)), reports_(std::make_unique<Reports>(*this)), log_cb_(std::make_unique<KafkaLogCb>()) {
  KafkaProperties props = {
      {"bootstrap.servers", cfg_.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      {"linger.ms", "1"},  // each action waits for its ack: batch for at most 1 ms
      // Retry for ever: an event is either acknowledged or still pending (and accepting()
      // says so); librdkafka's maximum, ~24 days.
      {"message.timeout.ms", "2147483647"},
      {"client.id", "mucstream-producer"},
  };
  for (const auto& [k, v] : cfg_.properties) props[k] = v;
  // The commit point rests on these: an event is durable only when every in-sync replica
  // has it, once and in order. An operator's property may tune anything else.
  if (props["acks"] != "all" && props["acks"] != "-1")
    throw std::runtime_error("kafka: acks=" + props["acks"] + " would release actions Kafka may still lose; the producer needs acks=all");
  if (props["enable.idempotence"] != "true")
    throw std::runtime_error("kafka: enable.idempotence=" + props["enable.idempotence"] +
                             " could duplicate or reorder a room's events; the producer needs it true");
  if (auto it = props.find("queue.buffering.max.messages"); it != props.end())
    queue_limit_ = static_cast<std::size_t>(std::max(1L, std::stol(it->second)));
  auto conf = make_conf(props);
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(reports_.get()), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka: " + err);
  install_kafka_log(*conf, *log_cb_);
  producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!producer_) throw std::runtime_error("kafka producer: " + err);
  events_topic_.reset(RdKafka::Topic::create(producer_.get(), cfg_.topic, nullptr, err));
  snapshot_topic_.reset(RdKafka::Topic::create(producer_.get(), cfg_.snapshot_topic, nullptr, err));
  if (!events_topic_ || !snapshot_topic_) throw std::runtime_error("kafka topic: " + err);
  poller_ = std::thread([this] { poll_loop(); });
  log_info(kLog, "producer to {} topic {} (idempotent, acks=all, not accepting after {} ms unacknowledged)",
           cfg_.brokers, cfg_.topic, cfg_.unavailable_ms);
}

Producer::~Producer() { close(); }

void Producer::set_durable_handler(DurableHandler h) {
  std::lock_guard lock(handler_mutex_);  // the poll thread already runs
  durable_ = std::move(h);
}

void Producer::set_restored_offsets(const std::map<std::int32_t, std::int64_t>& end_offsets,
                                    const std::vector<std::string>& gone) {
  std::lock_guard lock(mutex_);
  restored_ = end_offsets;
  restored_gone_ = gone;
}

bool Producer::try_produce(const Outgoing& o) {
  RdKafka::Topic* t = o.snapshot_topic ? snapshot_topic_.get() : events_topic_.get();
  const RdKafka::ErrorCode e = producer_->produce(
      t, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
      o.value ? const_cast<char*>(o.value->data()) : nullptr, o.value ? o.value->size() : 0, &o.key, o.opaque);
  if (e == RdKafka::ERR_NO_ERROR) {
    if (!o.snapshot_topic) produced_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (e == RdKafka::ERR__QUEUE_FULL) {
    const auto n = queue_full_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n == 1 || n % 10000 == 0) log_warn(kLog, "producer queue full ({} times so far): events wait in memory", n);
    return false;
  }
  // Not retriable here (e.g. larger than message.max.bytes): keep it waiting, the age bound
  // turns accepting() false, and say why.
  log_error(kLog, "produce to {} refused: {}", t->name(), RdKafka::err2str(e));
  return false;
}

core::LogPosition Producer::publish(const core::Event& e) {
  Outgoing o;
  o.key = e.room;
  o.value.emplace();
  encode_into(*o.value, e);
  std::lock_guard lock(mutex_);
  const core::LogPosition pos = ++last_position_;
  unacked_.emplace_back(steady_ms(), false);
  o.opaque = opaque(kEvent, pos);
  if (!overflow_.empty() || !try_produce(o)) overflow_.push_back(std::move(o));
  return pos;
}

void Producer::acknowledged(core::LogPosition pos) {
  if (pos < base_ || pos - base_ >= unacked_.size()) return;
  unacked_[pos - base_].second = true;
  while (!unacked_.empty() && unacked_.front().second) {
    unacked_.pop_front();
    ++base_;
  }
}

bool Producer::accepting() const {
  if (log_cb_->fatal()) return false;
  std::lock_guard lock(mutex_);
  if (!overflow_.empty()) return false;
  if (unacked_.size() >= queue_limit_ - queue_limit_ / 10) return false;
  return unacked_.empty() || steady_ms() - unacked_.front().first <= cfg_.unavailable_ms;
}

void Producer::snapshot_begin(core::LogPosition upto) {
  std::lock_guard lock(mutex_);
  Round r;
  r.id = next_round_++;
  r.upto = upto;
  r.hi = delivered_hi_;  // everything delivered so far was published before the round
  rounds_.push_back(std::move(r));
  // Rooms the restore saw ended after their snapshot: the loop never knew them, so their
  // removal rides on the first round, before its checkpoint moves past their end.
  for (std::string& jid : restored_gone_) {
    Held h;
    h.out.snapshot_topic = true;
    h.out.key = std::move(jid);
    h.after = 0;
    h.out.opaque = opaque(kSnapshot, rounds_.back().id);
    ++rounds_.back().outstanding;
    held_.push_back(std::move(h));
  }
  restored_gone_.clear();
}

void Producer::snapshot(const core::Room& room) {
  Held h;
  h.out.snapshot_topic = true;
  h.out.key = room.jid;
  h.out.value = encode_room(room);
  std::lock_guard lock(mutex_);
  if (rounds_.empty()) return;  // outside a round: nothing would checkpoint it
  h.after = last_position_;
  h.out.opaque = opaque(kSnapshot, rounds_.back().id);
  ++rounds_.back().outstanding;
  held_.push_back(std::move(h));
}

void Producer::snapshot_removed(const std::string& room_jid) {
  Held h;
  h.out.snapshot_topic = true;
  h.out.key = room_jid;
  std::lock_guard lock(mutex_);
  if (rounds_.empty()) return;
  h.after = last_position_;
  h.out.opaque = opaque(kSnapshot, rounds_.back().id);
  ++rounds_.back().outstanding;
  held_.push_back(std::move(h));
}

void Producer::snapshot_end() {
  std::lock_guard lock(mutex_);
  if (!rounds_.empty()) rounds_.back().ended = true;
}

std::string Producer::checkpoint_value(const Round& r) const {
  std::map<std::int32_t, std::int64_t> start = restored_;
  for (const auto& [p, off] : r.hi) start[p] = std::max(start[p], off + 1);
  std::string v = fmt::format(R"({{"v":1,"topic":"{}","upto":{},"time":"{}","offsets":{{)", cfg_.topic, r.upto,
                              format_time(now_ms()));
  bool first = true;
  for (const auto& [p, off] : start) {
    v += fmt::format(R"({}"{}":{})", first ? "" : ",", p, off);
    first = false;
  }
  v += "}}";
  return v;
}

void Producer::pump() {
  std::lock_guard lock(mutex_);
  while (!overflow_.empty() && try_produce(overflow_.front())) overflow_.pop_front();
  while (!held_.empty() && held_.front().after < base_ && try_produce(held_.front().out)) held_.pop_front();
  while (!rounds_.empty() && rounds_.front().ended) {
    Round& r = rounds_.front();
    if (r.failed) {
      rounds_.pop_front();
      continue;
    }
    if (r.outstanding > 0 || r.upto >= base_) break;
    const bool pending_held = std::any_of(held_.begin(), held_.end(), [&](const Held& h) {
      return number_of(h.out.opaque) == r.id;
    });
    if (pending_held) break;
    Outgoing o{true, cfg_.checkpoint_key, checkpoint_value(r), opaque(kCheckpoint, r.id)};
    if (!try_produce(o)) break;
    rounds_.pop_front();
  }
}

void Producer::poll_loop() {
  while (!stop_.load(std::memory_order_relaxed)) {
    producer_->poll(20);
    if (!batch_.empty()) {
      std::lock_guard lock(handler_mutex_);
      if (durable_) durable_(std::move(batch_));
      batch_.clear();
    }
    pump();
  }
}

bool Producer::enqueue(const std::string& topic, const std::string& key, const std::string& payload,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(cfg_.queue_full == ProducerConfig::QueueFull::wait ? cfg_.queue_full_wait_ms : 0);
  bool counted = false;
  for (;;) {
    RdKafka::Headers* h = nullptr;
    if (!headers.empty()) {
      h = RdKafka::Headers::create();
      for (const auto& [k, v] : headers) h->add(k, v);
    }
    const RdKafka::ErrorCode e =
        producer_->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                           const_cast<char*>(payload.data()), payload.size(), key.data(), key.size(), 0, h,
                           opaque(kRaw, 0));
    if (e == RdKafka::ERR_NO_ERROR) {
      produced_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    delete h;
    if (e != RdKafka::ERR__QUEUE_FULL) {
      log_error(kLog, "produce to {} refused: {}", topic, RdKafka::err2str(e));
      return false;
    }
    if (!counted) {
      counted = true;
      const auto n = queue_full_.fetch_add(1, std::memory_order_relaxed) + 1;
      if (n == 1 || n % 1000 == 0) log_warn(kLog, "producer queue full ({} times so far)", n);
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the poll thread drains delivery reports
  }
}

void Producer::produce_raw(const std::string& topic, const std::string& key, const std::string& payload,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!enqueue(topic, key, payload, headers)) {
    if (topic == cfg_.topic) spill(key, payload.data(), payload.size(), "not queued");
    else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      log_error(kLog, "could not queue a message for {}: {}", topic, payload.substr(0, 512));
    }
  }
}

void Producer::spill(const std::string& key, const char* payload, std::size_t len, const char* why) {
  std::lock_guard lock(spill_mutex_);
  if (spill_file_ == nullptr && !cfg_.spill_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cfg_.spill_dir, ec);
    // Several producers of one process (one per MUC domain) may spill in the same millisecond.
    static std::atomic<unsigned> producers_spilling{0};
    const unsigned n = producers_spilling.fetch_add(1);
    spill_path_ = cfg_.spill_dir + "/spill-" + std::to_string(now_ms()) + "-" + std::to_string(::getpid()) +
                  (n == 0 ? "" : "-" + std::to_string(n)) + ".jsonl";
    spill_file_ = std::fopen(spill_path_.c_str(), "a");
    if (spill_file_ == nullptr) log_error(kLog, "cannot open spill file {}", spill_path_);
    else log_warn(kLog, "spilling events Kafka did not take to {}", spill_path_);
  }
  if (spill_file_ != nullptr) {
    std::fwrite(key.data(), 1, key.size(), spill_file_);
    std::fputc('\t', spill_file_);
    std::fwrite(payload, 1, len, spill_file_);
    std::fputc('\n', spill_file_);
    std::fflush(spill_file_);
    ::fsync(::fileno(spill_file_));
    const auto n = spilled_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n == 1 || n % 1000 == 0) log_warn(kLog, "{} events spilled to {} (latest: {})", n, spill_path_, why);
    return;
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  log_error(kLog, "event LOST ({}; never reported durable; no spill file): {}", why, std::string(payload, std::min<std::size_t>(len, 4096)));
}

bool Producer::flush(int timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    bool idle;
    {
      std::lock_guard lock(mutex_);
      idle = overflow_.empty() && held_.empty() && producer_->outq_len() == 0;
    }
    if (idle) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Producer::close(int timeout_ms) {
  if (closed_) return;
  closed_ = true;
  if (!flush(timeout_ms)) {
    log_error(kLog, "{} messages still undelivered after {} ms: writing them to the spill file",
              producer_->outq_len() + overflow_.size(), timeout_ms);
    // Take what the poll thread would still hand to librdkafka before purging: a message it
    // queued after the purge would wait out its own timeout and be lost with the producer.
    std::deque<Outgoing> left;
    {
      std::lock_guard lock(mutex_);
      left.swap(overflow_);
      held_.clear();
      rounds_.clear();
    }
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    for (const Outgoing& o : left)
      if (!o.snapshot_topic) spill(o.key, o.value->data(), o.value->size(), "not queued at close");
    // The poll thread serves the purged messages' delivery reports, which spill them. Nothing
    // waits on the network any more, only on the spill file's fsyncs, however slow the disk.
    if (!flush(kPurgedReportsMs))
      log_error(kLog, "{} purged messages unreported after {} ms", producer_->outq_len(), kPurgedReportsMs);
  }
  stop_ = true;
  if (poller_.joinable()) poller_.join();
  // Reports the poll thread did not reach before it stopped.
  while (producer_->outq_len() > 0 && producer_->poll(0) > 0) {
  }
  if (const int unreported = producer_->outq_len(); unreported > 0) {
    dropped_.fetch_add(static_cast<std::uint64_t>(unreported), std::memory_order_relaxed);
    log_error(kLog, "{} messages LOST at close: librdkafka never reported them", unreported);
  }
  const ProducerStats s = stats();
  log_info(kLog, "producer closed: produced {} delivered {} failed {} queue-full {} spilled {} dropped {}",
           s.produced, s.delivered, s.failed, s.queue_full, s.spilled, s.dropped);
  std::lock_guard lock(spill_mutex_);
  if (spill_file_ != nullptr) std::fclose(spill_file_);
  spill_file_ = nullptr;
}

std::size_t Producer::resend_spilled() {
  if (cfg_.spill_dir.empty() || !std::filesystem::is_directory(cfg_.spill_dir)) return 0;
  std::size_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cfg_.spill_dir)) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".jsonl" || path == spill_path_) continue;
    std::ifstream in(path);
    std::string line;
    std::size_t n = 0;
    const auto failed_before = failed_.load();
    while (std::getline(in, line)) {
      const auto tab = line.find('\t');
      if (tab == std::string::npos) continue;
      produce_raw(cfg_.topic, line.substr(0, tab), line.substr(tab + 1));
      ++n;
    }
    if (flush(30000) && failed_.load() == failed_before) {
      std::filesystem::remove(path);
      log_info(kLog, "re-produced {} spilled events from {}", n, path);
    } else {
      log_error(kLog, "re-producing {} failed; the file stays", path);
    }
    total += n;
  }
  return total;
}

ProducerStats Producer::stats() const {
  ProducerStats s{produced_.load(), delivered_.load(), failed_.load(), queue_full_.load(), spilled_.load(),
                  dropped_.load()};
  std::lock_guard lock(mutex_);
  s.overflow = overflow_.size();
  s.unacknowledged = unacked_.size();
  s.snapshots = snapshots_.load();
  s.checkpoints = checkpoints_.load();
  return s;
}

// ---------------------------------------------------------------- consumer

class Consumer::Rebalance final : public RdKafka::RebalanceCb {
 public:
  explicit Rebalance(Consumer& c) : c_(c) {}
  void rebalance_cb(RdKafka::KafkaConsumer* k, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    const bool cooperative = k->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      c_.on_assign(parts);
      if (cooperative) delete k->incremental_assign(parts);
      else k->assign(parts);
    } else {
      c_.on_revoke(parts);
      if (cooperative) delete k->incremental_unassign(parts);
      else k->unassign();
    }
  }

 private:
  Consumer& c_;
};

Consumer::Consumer(ConsumerConfig cfg) : cfg_(std::move(cfg)), rebalance_(std::make_unique<Rebalance>(*this)) {
  KafkaProperties props = {
      {"bootstrap.servers", cfg_.brokers},
      {"group.id", cfg_.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"client.id", "mucstream-consumer"},
  };
  for (const auto& [k, v] : cfg_.properties) props[k] = v;
  auto conf = make_conf(props);
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(rebalance_.get()), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka: " + err);
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_) throw std::runtime_error("kafka consumer: " + err);
  const RdKafka::ErrorCode e = consumer_->subscribe(cfg_.topics);
  if (e != RdKafka::ERR_NO_ERROR) throw std::runtime_error("kafka subscribe: " + RdKafka::err2str(e));
}

Consumer::~Consumer() { close(); }

void Consumer::close() {
  if (closed_) return;
  closed_ = true;
  consumer_->close();
}

void Consumer::on_assign(std::vector<RdKafka::TopicPartition*>& parts) {
  // What was committed, against what the partition still holds.
  std::vector<RdKafka::TopicPartition*> probe;
  for (auto* p : parts) probe.push_back(RdKafka::TopicPartition::create(p->topic(), p->partition()));
  consumer_->committed(probe, 10000);
  std::uint64_t lost = 0;
  std::lock_guard lock(mutex_);
  for (auto* p : probe) {
    const std::int64_t committed = p->offset();
    const auto key = std::make_pair(p->topic(), p->partition());
    if (committed < 0) {
      next_offset_.erase(key);
    } else {
      next_offset_[key] = committed;
      std::int64_t low = 0, high = 0;
      if (consumer_->query_watermark_offsets(p->topic(), p->partition(), &low, &high, 10000) == RdKafka::ERR_NO_ERROR &&
          committed < low) {
        lost += static_cast<std::uint64_t>(low - committed);
        log_error(kLog, "LOSS: {}[{}] committed offset {} is below the low watermark {}: {} messages were dropped by "
                  "retention before this group read them", p->topic(), p->partition(), committed, low, low - committed);
        next_offset_[key] = low;  // already counted
      }
    }
    delete p;
  }
  lost_ += lost;
  log_info(kLog, "group {}: {} partitions assigned", cfg_.group, parts.size());
}

void Consumer::on_revoke(std::vector<RdKafka::TopicPartition*>& parts) {
  std::lock_guard lock(mutex_);
  for (auto* p : parts) next_offset_.erase({p->topic(), p->partition()});
  log_info(kLog, "group {}: {} partitions revoked", cfg_.group, parts.size());
}

std::unique_ptr<RdKafka::Message> Consumer::poll(int timeout_ms) {
  std::unique_ptr<RdKafka::Message> m(consumer_->consume(timeout_ms));
  switch (m->err()) {
    case RdKafka::ERR_NO_ERROR: break;
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF: return nullptr;
    case RdKafka::ERR__FATAL: throw std::runtime_error("kafka consumer fatal error: " + m->errstr());
    default:
      log_warn(kLog, "consumer: {}", m->errstr());
      return nullptr;
  }
  std::lock_guard lock(mutex_);
  const auto key = std::make_pair(m->topic_name(), m->partition());
  auto it = next_offset_.find(key);
  if (it != next_offset_.end() && m->offset() > it->second) {
    const auto gap = m->offset() - it->second;
    lost_ += static_cast<std::uint64_t>(gap);
    log_error(kLog, "LOSS: {}[{}] jumped from offset {} to {}: {} messages were dropped before they were read",
              key.first, key.second, it->second, m->offset(), gap);
  }
  next_offset_[key] = m->offset() + 1;
  return m;
}

RdKafka::ErrorCode Consumer::commit(const std::map<std::pair<std::string, int>, std::int64_t>& last_offsets) {
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& [tp, off] : last_offsets) {
    auto* p = RdKafka::TopicPartition::create(tp.first, tp.second);
    p->set_offset(off + 1);
    parts.push_back(p);
  }
  const RdKafka::ErrorCode e = consumer_->commitSync(parts);
  RdKafka::TopicPartition::destroy(parts);
  return e;
}

void Consumer::pause_all() {
  std::vector<RdKafka::TopicPartition*> parts;
  consumer_->assignment(parts);
  consumer_->pause(parts);
  RdKafka::TopicPartition::destroy(parts);
}

void Consumer::resume_all() {
  std::vector<RdKafka::TopicPartition*> parts;
  consumer_->assignment(parts);
  consumer_->resume(parts);
  RdKafka::TopicPartition::destroy(parts);
}

std::size_t Consumer::assigned() const {
  std::vector<RdKafka::TopicPartition*> parts;
  consumer_->assignment(parts);
  const std::size_t n = parts.size();
  RdKafka::TopicPartition::destroy(parts);
  return n;
}

}  // namespace mucstream::events
