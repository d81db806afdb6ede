#include "calibration/probe_file.hpp"

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace {

constexpr double kMaxSeconds = 1e4;

ProbeTiming read_timing(sim::ObjectReader& c) {
  ProbeTiming t;
  t.median_s = c.number("median_s", 1e-12, kMaxSeconds);
  t.min_s = c.number("min_s", 0, kMaxSeconds);
  t.max_s = c.number("max_s", 0, kMaxSeconds);
  t.runs = static_cast<int>(c.integer("runs", 1, 1 << 20));
  if (t.min_s > t.median_s || t.median_s > t.max_s)
    throw sim::InputError(c.child_pointer("median_s"), "expected min_s <= median_s <= max_s");
  return t;
}

GemmShape read_shape(sim::ObjectReader& c) {
  GemmShape g;
  g.m = c.integer("m", 1, 1LL << 31);
  g.n = c.integer("n", 1, 1LL << 31);
  g.k = c.integer("k", 1, 1LL << 31);
  g.groups = static_cast<int>(c.optional_integer("groups", 1, 1 << 16).value_or(1));
  return g;
}

// Keys a probe may add beyond what the fit reads (statistics, provenance).
const std::vector<std::string> kExtraStats = {"p10_s", "p90_s", "method", "note", "notes"};

std::vector<std::string> with_extras(std::vector<std::string> keys) {
  keys.insert(keys.end(), kExtraStats.begin(), kExtraStats.end());
  return keys;
}

void read_case(ProbeFile& f, const nlohmann::json& value, const std::string& pointer) {
  sim::ObjectReader c(value, pointer);
  const std::string kind = c.one_of("kind", {"gemm", "dispatch", "combine", "hbm_copy", "interference"});
  if (c.has("skipped")) {
    c.string("skipped");
    ++f.skipped;
    return;
  }
  if (kind == "gemm") {
    c.only_keys(with_extras({"kind", "precision", "m", "n", "k", "groups", "sms", "median_s", "min_s", "max_s", "runs"}));
    ProbeGemm g;
    g.precision = c.one_of("precision", {"fp8_e4m3", "bf16"}) == "bf16" ? GemmPrecision::kBf16 : GemmPrecision::kFp8;
    g.shape = read_shape(c);
    g.sms = static_cast<int>(c.integer("sms", 1, f.device.sms));
    g.timing = read_timing(c);
    f.gemms.push_back(g);
  } else if (kind == "interference") {
    c.only_keys(with_extras({"kind", "m", "n", "k", "groups", "gemm_sms", "comm_sms", "gemm_alone_s", "gemm_overlapped_s",
                             "comm_alone_s", "comm_overlapped_s", "runs"}));
    ProbeInterference i;
    i.shape = read_shape(c);
    i.gemm_sms = static_cast<int>(c.integer("gemm_sms", 1, f.device.sms));
    i.comm_sms = static_cast<int>(c.integer("comm_sms", 1, f.device.sms));
    i.gemm_alone_s = c.number("gemm_alone_s", 1e-12, kMaxSeconds);
    i.gemm_overlapped_s = c.number("gemm_overlapped_s", 1e-12, kMaxSeconds);
    i.comm_alone_s = c.number("comm_alone_s", 1e-12, kMaxSeconds);
    i.comm_overlapped_s = c.number("comm_overlapped_s", 1e-12, kMaxSeconds);
    c.integer("runs", 1, 1 << 20);
    f.interference.push_back(i);
  } else if (kind == "hbm_copy") {
    c.only_keys(with_extras({"kind", "sms", "bytes", "median_s", "min_s", "max_s", "runs"}));
    ProbeTransfer t{kind, "local", static_cast<int>(c.integer("sms", 0, f.device.sms)), c.number("bytes", 1, 1e15), {}};
    t.timing = read_timing(c);
    f.transfers.push_back(t);
  } else {
    c.only_keys(with_extras({"kind", "sms", "tokens", "hidden", "topk", "experts", "target", "bytes_read", "bytes_written",
                             "logical_bytes", "median_s", "min_s", "max_s", "runs"}));
    ProbeTransfer t;
    t.kind = kind;
    t.sms = static_cast<int>(c.integer("sms", 1, f.device.sms));
    c.integer("tokens", 1, 1 << 30);
    c.integer("hidden", 1, 1 << 20);
    c.integer("topk", 1, 1024);
    c.integer("experts", 1, 1 << 20);
    t.target = c.one_of("target", {"local", "peer"});
    c.number("bytes_read", 0, 1e15);
    c.number("bytes_written", 0, 1e15);
    // Token copies moved (DeepEP's accounting): for combine the written
    // output is the reduced one, topk times smaller than what was moved.
    t.bytes = c.number("logical_bytes", 1, 1e15);
    t.timing = read_timing(c);
    f.transfers.push_back(t);
  }
}

}  // namespace

ProbeFile read_probe_file(const nlohmann::json& doc, const std::string& path) {
  ProbeFile f;
  f.path = path;
  sim::ObjectReader in(doc, "");
  in.only_keys({"format", "probe", "date", "host", "device", "versions", "repeats", "warmup", "notes", "cases"});
  in.one_of("format", {"v3sim-probes/1"});
  f.probe = in.one_of("probe", {"gemm", "alltoall", "hbm", "interference"});
  f.date = in.string("date");
  {
    sim::ObjectReader d = in.object("device");
    d.only_keys({"name", "sms", "compute_capability", "memory_bytes", "l2_bytes", "sm_clock_khz", "memory_clock_khz",
                 "memory_bus_bits", "gpus"});
    f.device.name = d.string("name");
    f.device.sms = static_cast<int>(d.integer("sms", 1, 100000));
    f.device.compute_capability = d.string("compute_capability");
    f.device.memory_bytes = d.number("memory_bytes", 1, 1e15);
    f.device.gpus = static_cast<int>(d.optional_integer("gpus", 1, 1 << 16).value_or(1));
  }
  in.object("versions");
  const nlohmann::json* cases = in.child("cases");
  if (cases == nullptr) throw sim::InputError("/cases", "missing required field 'cases' (the file may be truncated)");
  if (!cases->is_array()) throw sim::InputError("/cases", "expected an array of cases");
  for (std::size_t i = 0; i < cases->size(); ++i) read_case(f, (*cases)[i], "/cases/" + std::to_string(i));
  if (f.gemms.empty() && f.transfers.empty() && f.interference.empty())
    throw sim::InputError("/cases", "expected at least one measured (not skipped) case");
  return f;
}

}  // namespace v3sim::calibration
