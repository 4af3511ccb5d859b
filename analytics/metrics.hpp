#pragma once
// A small Prometheus metrics registry: counters, gauges and histograms that any part of the
// process can increment without locks on the hot path, plus callback series for numbers
// that live elsewhere. GET /metrics renders it in the Prometheus text format (0.0.4).
//
// Dependencies point one way (tools -> analytics -> sql -> events -> core, xmpp -> core), so
// the component and the materialiser never see this registry: tools/mucstreamd, which wires
// the roles together, registers callback series (counter_fn / gauge_fn) that read their
// own counters at scrape time. Code that may include analytics/ (the API, telemetry)
// registers Counter / Gauge / Histogram objects and updates them directly.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mucstream::analytics::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;  // in the order given

class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double d);
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // ascending; +Inf is implicit
  void observe(double v);
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Latency buckets in seconds, 0.5 ms .. 10 s.
std::vector<double> latency_buckets();

class MetricsError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Registry {
 public:
  // Each returns the series for (name, labels), creating it on first use; the reference
  // stays valid for the registry's lifetime. The same name with another type, or another
  // help text, or another set of label names, throws MetricsError.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                       const Labels& labels = {});
  // Series read at scrape time. A callback that throws is left out of that scrape.
  void counter_fn(const std::string& name, const std::string& help, const Labels& labels,
                  std::function<double()> read);
  void gauge_fn(const std::string& name, const std::string& help, const Labels& labels,
                std::function<double()> read);

  std::string render() const;  // Prometheus text format, families sorted by name

 private:
  enum class Type { counter, gauge, histogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<std::string> label_names;
    std::map<std::string, std::unique_ptr<Series>> series;  // keyed by rendered labels
  };
  Series& series(const std::string& name, const std::string& help, Type type, const Labels& labels, bool callback);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// Prometheus label-value escaping (backslash, double quote, newline).
std::string escape_label_value(const std::string& v);

// mucstream_build_info{version="…"} 1: which build serves this /metrics (the usual
// Prometheus build-info gauge, joined to other series by instance).
void register_build_info(Registry& registry, const std::string& version);

}  // namespace mucstream::analytics::metrics
