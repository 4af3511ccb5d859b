// The metrics registry renders valid Prometheus text that other parts can feed.
#include <doctest/doctest.h>

#include <thread>

#include "analytics/metrics.hpp"

using namespace mucstream::analytics::metrics;

namespace {
bool contains(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }
}  // namespace

TEST_CASE("metrics: counters, gauges and labels render in the text format") {
  Registry r;
  r.counter("mucstream_stanzas_in_total", "stanzas received").inc(3);
  r.counter("mucstream_events_total", "events by type", {{"type", "message_sent"}}).inc();
  r.counter("mucstream_events_total", "events by type", {{"type", "message_sent"}}).inc();
  r.counter("mucstream_events_total", "events by type", {{"type", "odd\"type\\\n"}}).inc();
  r.gauge("mucstream_rooms", "rooms open").set(7);
  r.gauge("mucstream_rooms", "rooms open").add(-2.5);
  const std::string text = r.render();
  CHECK(contains(text, "# HELP mucstream_stanzas_in_total stanzas received\n# TYPE mucstream_stanzas_in_total counter\n"
                       "mucstream_stanzas_in_total 3\n"));
  CHECK(contains(text, "mucstream_events_total{type=\"message_sent\"} 2\n"));
  CHECK(contains(text, "mucstream_events_total{type=\"odd\\\"type\\\\\\n\"} 1\n"));
  CHECK(contains(text, "# TYPE mucstream_rooms gauge\nmucstream_rooms 4.5\n"));
}

TEST_CASE("metrics: histograms have cumulative buckets, +Inf, sum and count") {
  Registry r;
  Histogram& h = r.histogram("api_seconds", "latency", {0.1, 1}, {{"route", "/v1/rooms"}});
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive
  h.observe(0.5);
  h.observe(3);
  const std::string text = r.render();
  CHECK(contains(text, "# TYPE api_seconds histogram\n"));
  CHECK(contains(text, "api_seconds_bucket{route=\"/v1/rooms\",le=\"0.1\"} 2\n"));
  CHECK(contains(text, "api_seconds_bucket{route=\"/v1/rooms\",le=\"1\"} 3\n"));
  CHECK(contains(text, "api_seconds_bucket{route=\"/v1/rooms\",le=\"+Inf\"} 4\n"));
  CHECK(contains(text, "api_seconds_sum{route=\"/v1/rooms\"} 3.65\n"));
  CHECK(contains(text, "api_seconds_count{route=\"/v1/rooms\"} 4\n"));
}

TEST_CASE("metrics: callback series read their source at scrape time, a failing one is skipped") {
  Registry r;
  double lag = 1.5;
  r.gauge_fn("mucstream_materializer_lag_seconds", "lag", {}, [&] { return lag; });
  r.counter_fn("mucstream_events_produced_total", "produced", {{"topic", "t"}}, [] { return 42.0; });
  r.gauge_fn("mucstream_broken", "a source that is down", {}, []() -> double { throw std::runtime_error("down"); });
  CHECK(contains(r.render(), "mucstream_materializer_lag_seconds 1.5\n"));
  lag = 0.25;
  const std::string text = r.render();
  CHECK(contains(text, "mucstream_materializer_lag_seconds 0.25\n"));
  CHECK(contains(text, "mucstream_events_produced_total{topic=\"t\"} 42\n"));
  CHECK_FALSE(contains(text, "\nmucstream_broken "));
}

TEST_CASE("metrics: conflicting registrations and bad names are refused") {
  Registry r;
  r.counter("a_total", "help");
  CHECK_THROWS_AS(r.gauge("a_total", "help"), MetricsError);
  CHECK_THROWS_AS(r.counter("a_total", "other help"), MetricsError);
  CHECK_THROWS_AS(r.counter("a_total", "help", {{"x", "1"}}), MetricsError);
  CHECK_THROWS_AS(r.counter("bad-name", "help"), MetricsError);
  CHECK_THROWS_AS(r.counter("ok", "help", {{"le", "1"}}), MetricsError);
  CHECK_THROWS_AS(r.histogram("h", "help", {1, 0.5}), MetricsError);
  r.gauge_fn("g", "help", {}, [] { return 1.0; });
  CHECK_THROWS_AS(r.gauge_fn("g", "help", {}, [] { return 2.0; }), MetricsError);
}

TEST_CASE("metrics: concurrent increments are all counted") {
  Registry r;
  Counter& c = r.counter("c_total", "c");
  Histogram& h = r.histogram("h_seconds", "h", latency_buckets());
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.observe(0.001);
      }
    });
  for (auto& t : ts) t.join();
  CHECK(c.value() == 40000);
  CHECK(h.snapshot().count == 40000);
}
