#include "analytics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <charconv>

namespace mucstream::analytics::metrics {
namespace {

void atomic_add(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

bool valid_name(const std::string& n, bool label) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return !(label && n.rfind("__", 0) == 0);
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // The shortest text that reads back exactly; plain decimals where they stay short.
  const double a = std::fabs(v);
  const bool plain = a == 0 || (a >= 1e-6 && a < 1e15);
  const auto r = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string render_labels(const Labels& labels, const char* extra_name = nullptr, const std::string& extra = {}) {
  if (labels.empty() && extra_name == nullptr) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label_value(v) + '"';
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    out += std::string(extra_name) + "=\"" + extra + '"';
  }
  return out + '}';
}

std::string escape_help(const std::string& h) {
  std::string out;
  for (char c : h) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void Gauge::add(double d) { atomic_add(v_, d); }

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end())
    throw MetricsError("histogram bounds must be strictly ascending");
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);  // first bound >= v (le)
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(acc);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  s.count = acc;  // consistent with the buckets even while others observe
  return s;
}

std::vector<double> latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Registry::Series& Registry::series(const std::string& name, const std::string& help, Type type, const Labels& labels,
                                   bool callback) {
  if (!valid_name(name, false)) throw MetricsError("invalid metric name '" + name + "'");
  std::vector<std::string> names;
  for (const auto& l : labels) {
    if (!valid_name(l.first, true) || l.first == "le") throw MetricsError("invalid label name '" + l.first + "'");
    names.push_back(l.first);
  }
  auto [it, fresh] = families_.try_emplace(name, Family{type, help, names, {}});
  Family& f = it->second;
  if (!fresh && (f.type != type || f.help != help || f.label_names != names))
    throw MetricsError("metric '" + name + "' registered again with another type, help or labels");
  const std::string key = render_labels(labels);
  auto& slot = f.series[key];
  if (slot) {
    if (callback || slot->read) throw MetricsError("metric '" + name + key + "' already has a callback");
    return *slot;
  }
  slot = std::make_unique<Series>();
  slot->labels = labels;
  return *slot;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = series(name, help, Type::counter, labels, false);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = series(name, help, Type::gauge, labels, false);
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                               const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = series(name, help, Type::histogram, labels, false);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(bounds);
  return *s.histogram;
}

void Registry::counter_fn(const std::string& name, const std::string& help, const Labels& labels,
                          std::function<double()> read) {
  std::lock_guard lock(mu_);
  series(name, help, Type::counter, labels, true).read = std::move(read);
}

void Registry::gauge_fn(const std::string& name, const std::string& help, const Labels& labels,
                        std::function<double()> read) {
  std::lock_guard lock(mu_);
  series(name, help, Type::gauge, labels, true).read = std::move(read);
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::counter ? "counter" : f.type == Type::gauge ? "gauge" : "histogram";
    out += "# HELP " + name + ' ' + escape_help(f.help) + '\n';
    out += "# TYPE " + name + ' ' + type + '\n';
    for (const auto& [key, s] : f.series) {
      if (s->read) {
        double v;
        try {
          v = s->read();
        } catch (...) {
          continue;  // a source that cannot answer now is absent from this scrape
        }
        out += name + key + ' ' + number(v) + '\n';
      } else if (s->counter) {
        out += name + key + ' ' + number(static_cast<double>(s->counter->value())) + '\n';
      } else if (s->gauge) {
        out += name + key + ' ' + number(s->gauge->value()) + '\n';
      } else if (s->histogram) {
        const Histogram::Snapshot snap = s->histogram->snapshot();
        for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
          const std::string le = i < snap.bounds.size() ? number(snap.bounds[i]) : "+Inf";
          out += name + "_bucket" + render_labels(s->labels, "le", le) + ' ' +
                 number(static_cast<double>(snap.cumulative[i])) + '\n';
        }
        out += name + "_sum" + key + ' ' + number(snap.sum) + '\n';
        out += name + "_count" + key + ' ' + number(static_cast<double>(snap.count)) + '\n';
      }
    }
  }
  return out;
}

void register_build_info(Registry& registry, const std::string& version) {
  registry.gauge("mucstream_build_info", "the mucstream build serving these metrics (always 1)", {{"version", version}})
      .set(1);
}

}  // namespace mucstream::analytics::metrics
