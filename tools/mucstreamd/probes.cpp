#include "tools/mucstreamd/probes.hpp"

#include <pqxx/pqxx>

namespace mucstream::tools {

bool CachedProbe::ready() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!probed_ || now - at_ >= max_age_) {
    try {
      last_ = probe();
    } catch (const std::exception&) {
      last_ = false;
    }
    probed_ = true;
    at_ = std::chrono::steady_clock::now();
  }
  return last_;
}

bool PgProbe::probe() {
  std::string conninfo = conninfo_;
  conninfo.append(" connect_timeout=2");
  pqxx::connection c(conninfo);
  pqxx::nontransaction tx(c);
  tx.exec("SELECT 1");
  return true;
}

KafkaProbe::KafkaProbe(const std::string& brokers, const events::KafkaProperties& properties) {
  events::KafkaProperties p = properties;
  p["bootstrap.servers"] = brokers;
  // Quiet: an unreachable cluster is what /readyz reports, not a log line per second.
  p["log_level"] = std::string(1, '0');  // assigning a literal here trips a GCC 12 -Wrestrict false positive
  auto conf = events::make_conf(p);
  std::string err;
  client_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!client_) throw std::runtime_error("kafka probe: " + err);
}

KafkaProbe::~KafkaProbe() = default;

bool KafkaProbe::probe() {
  RdKafka::Metadata* md = nullptr;
  const RdKafka::ErrorCode rc = client_->metadata(false, nullptr, &md, 1000);
  std::unique_ptr<RdKafka::Metadata> owned(md);
  return rc == RdKafka::ERR_NO_ERROR && md != nullptr && !md->brokers()->empty();
}

}  // namespace mucstream::tools
