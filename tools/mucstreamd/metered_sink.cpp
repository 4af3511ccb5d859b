#include "tools/mucstreamd/metered_sink.hpp"

namespace mucstream::tools {

core::LogPosition MeteredSink::publish(const core::Event& e) {
  const core::LogPosition p = inner_.publish(e);
  published_.fetch_add(1, std::memory_order_relaxed);
  if (p == 0) durable_.fetch_add(1, std::memory_order_relaxed);
  return p;
}

void MeteredSink::set_durable_handler(DurableHandler h) {
  inner_.set_durable_handler([this, h = std::move(h)](std::vector<core::LogPosition> positions) {
    durable_.fetch_add(positions.size(), std::memory_order_relaxed);
    if (h) h(std::move(positions));
  });
}

bool MeteredSink::accepting() const {
  const bool a = inner_.accepting();
  accepting_.store(a, std::memory_order_relaxed);
  return a;
}

void MeteredSink::snapshot_end() {
  inner_.snapshot_end();
  rounds_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace mucstream::tools
