#pragma once
// A tiny metrics registry that renders the Prometheus text exposition format (version 0.0.4).
// Metrics are created once (at start-up) and then updated lock-free through the references
// returned; render() reads them all. Histograms are exposed as Prometheus summaries
// (quantile 0.5/0.9/0.99/0.999 in seconds, plus _sum and _count).
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*; label values are escaped. Adding a metric with a
// name and labels already present returns the existing one. Throws std::invalid_argument on
// a bad name or on reusing a name with another type.
//
// Callback metrics (add_*_fn) are read when rendered: a tool whose tallies already live in its
// own atomics (wvsim's fleet_stats) exposes them without keeping a second copy. A callback
// histogram is exposed as a Prometheus histogram (cumulative _bucket{le=...} in seconds, then
// _sum and _count), which Grafana turns into percentiles over any window; a bucket's count
// includes values up to 0.8% above its `le` (the histogram's own bucket width).
//
// Threading: add_* and render() are serialised by an internal mutex; the returned references
// stay valid for the registry's lifetime and may be updated from any thread.
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/concurrent_histogram.hpp"
#include "metrics/counter.hpp"

namespace wv::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class registry {
public:
    counter& add_counter(const std::string& name, const std::string& help, const labels& l = {});
    gauge& add_gauge(const std::string& name, const std::string& help, const labels& l = {});
    concurrent_histogram& add_histogram(const std::string& name, const std::string& help, const labels& l = {});
    // Callbacks, called by render() under the registry's mutex (so they must not call back in).
    void add_counter_fn(const std::string& name, const std::string& help, std::function<double()> read,
                        const labels& l = {});
    void add_gauge_fn(const std::string& name, const std::string& help, std::function<double()> read,
                      const labels& l = {});
    void add_histogram_fn(const std::string& name, const std::string& help, std::function<histogram()> read,
                          const labels& l = {});
    // A histogram kept elsewhere, exposed like add_histogram()'s: a Prometheus summary.
    void add_summary_fn(const std::string& name, const std::string& help, std::function<histogram()> read,
                        const labels& l = {});
    // The `le` bounds of callback histograms, in seconds (+Inf follows).
    static const std::vector<double>& histogram_bounds_s();

    std::string render() const;

private:
    enum class kind { counter, gauge, summary, counter_fn, gauge_fn, histogram_fn, summary_fn };
    struct family {
        kind k;
        std::string help;
        std::map<std::string, void*> series;  // rendered label set -> metric
    };
    void* find_or_add(const std::string& name, const std::string& help, const labels& l, kind k);

    mutable std::mutex m_;
    std::map<std::string, family> families_;
    std::deque<counter> counters_;
    std::deque<gauge> gauges_;
    std::deque<concurrent_histogram> histograms_;
    std::deque<std::function<double()>> value_fns_;
    std::deque<std::function<histogram()>> histogram_fns_;
};

// Escapes a label value for the exposition format (\\, \", \n).
std::string escape_label_value(const std::string& v);

}  // namespace wv::metrics
