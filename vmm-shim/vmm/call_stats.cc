#include "call_stats.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "smccc/known_calls.h"

namespace hypercall::vmm {
namespace {

double MedianUs(std::vector<int64_t> ns) {
  if (ns.empty()) return 0;
  const size_t mid = ns.size() / 2;
  std::nth_element(ns.begin(), ns.begin() + mid, ns.end());
  double median = static_cast<double>(ns[mid]);
  if (ns.size() % 2 == 0) {
    median = (median + *std::max_element(ns.begin(), ns.begin() + mid)) / 2;
  }
  return median / 1e3;
}

double MeanUs(const std::vector<int64_t>& ns) {
  if (ns.empty()) return 0;
  double sum = 0;
  for (int64_t v : ns) sum += static_cast<double>(v);
  return sum / static_cast<double>(ns.size()) / 1e3;
}

}  // namespace

void CallStats::Record(const shim::CallOutcome& outcome) {
  Function& f = functions_[outcome.function_id];
  ++f.calls;
  ++f.dispositions[static_cast<size_t>(outcome.disposition)];
  f.register_reads += outcome.registers.reads;
  f.register_writes += outcome.registers.writes;
  f.latencies_ns.push_back(outcome.latency.count());
}

void CallStats::Merge(const CallStats& other) {
  for (const auto& [fid, o] : other.functions_) {
    Function& f = functions_[fid];
    f.calls += o.calls;
    for (size_t i = 0; i < f.dispositions.size(); ++i) f.dispositions[i] += o.dispositions[i];
    f.register_reads += o.register_reads;
    f.register_writes += o.register_writes;
    f.latencies_ns.insert(f.latencies_ns.end(), o.latencies_ns.begin(), o.latencies_ns.end());
  }
}

uint64_t CallStats::total_calls() const {
  uint64_t total = 0;
  for (const auto& [fid, f] : functions_) total += f.calls;
  return total;
}

std::string CallStats::FormatTable() const {
  if (functions_.empty()) return "no hypercalls\n";
  constexpr char kRow[] = "%-10s  %-24s %8s %9s %11s %11s %9s %7s %7s %9s %9s\n";
  std::string out =
      absl::StrFormat(kRow, "function", "name", "calls", "brokered", "not-planned", "unavailable",
                      "deadline", "reads", "writes", "mean_us", "median_us");
  out += absl::StrFormat(kRow, "", "", "", "", "", "", "exceeded", "/call", "/call", "", "");
  Function total;
  for (const auto& [fid, f] : functions_) {
    const double calls = static_cast<double>(f.calls);
    out += absl::StrFormat("0x%08x  %-24s %8u %9u %11u %11u %9u %7.2f %7.2f %9.1f %9.1f\n", fid,
                           smccc::CallName(fid), f.calls, f.dispositions[0], f.dispositions[1],
                           f.dispositions[2], f.dispositions[3], f.register_reads / calls,
                           f.register_writes / calls, MeanUs(f.latencies_ns),
                           MedianUs(f.latencies_ns));
    total.calls += f.calls;
    for (size_t i = 0; i < total.dispositions.size(); ++i)
      total.dispositions[i] += f.dispositions[i];
    total.register_reads += f.register_reads;
    total.register_writes += f.register_writes;
    total.latencies_ns.insert(total.latencies_ns.end(), f.latencies_ns.begin(),
                              f.latencies_ns.end());
  }
  const double calls = static_cast<double>(total.calls);
  std::string memory;
  for (const auto& [fid, f] : functions_) {
    for (shim::Disposition d :
         {shim::Disposition::kBadAddress, shim::Disposition::kMalformedResult}) {
      const uint64_t n = f.dispositions[static_cast<size_t>(d)];
      if (n == 0) continue;
      absl::StrAppendFormat(&memory, "%s0x%08x %s %u", memory.empty() ? "" : "; ", fid,
                            shim::DispositionName(d), n);
    }
  }
  out += absl::StrFormat("%-10s  %-24s %8u %9u %11u %11u %9u %7.2f %7.2f %9.1f %9.1f\n", "total",
                         "", total.calls, total.dispositions[0], total.dispositions[1],
                         total.dispositions[2], total.dispositions[3], total.register_reads / calls,
                         total.register_writes / calls, MeanUs(total.latencies_ns),
                         MedianUs(total.latencies_ns));
  if (!memory.empty()) out += "memory operands answered locally: " + memory + "\n";
  return out;
}

}  // namespace hypercall::vmm
