#include "calibration/reference_table.hpp"

#include <string_view>

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace embedded {
extern const std::string_view kDeepGemmH800Json;
}

namespace {

const std::vector<std::string> kKinds = {"normal", "grouped_contiguous", "grouped_masked"};
constexpr long long kMaxDim = 1LL << 24;

ReferenceSource read_source(sim::ObjectReader in) {
  in.only_keys({"title", "repository", "commit", "date", "note"});
  ReferenceSource s;
  s.title = in.string("title");
  s.repository = in.string("repository");
  s.commit = in.string("commit");
  s.date = in.string("date");
  s.note = in.optional_string("note").value_or("");
  return s;
}

DeviceRates read_device(sim::ObjectReader in, std::string& name) {
  in.only_keys({"name", "sms", "fp8_tflops", "bf16_tflops", "hbm_tb_per_s"});
  name = in.string("name");
  DeviceRates d;
  d.total_sms = static_cast<int>(in.integer("sms", 1, 10000));
  d.fp8_tflops = in.number("fp8_tflops", 1e-3, 1e6);
  d.bf16_tflops = in.number("bf16_tflops", 1e-3, 1e6);
  d.hbm_tb_per_s = in.number("hbm_tb_per_s", 1e-3, 1e4);
  return d;
}

ReferenceCase read_case(sim::ObjectReader in, const DeviceRates& d, GemmPrecision prec) {
  in.only_keys({"kind", "m", "n", "k", "groups", "sms", "tflops", "note"});
  ReferenceCase c;
  c.kind = in.one_of("kind", kKinds);
  GemmSample& s = c.sample;
  s.shape.m = in.integer("m", 1, kMaxDim);
  s.shape.n = in.integer("n", 1, kMaxDim);
  s.shape.k = in.integer("k", 1, kMaxDim);
  // A normal GEMM is one group; a grouped one has several.
  // (a masked one may hold a single expert's rows).
  s.shape.groups = static_cast<int>(c.kind == "normal"             ? in.integer("groups", 1, 1)
                                    : c.kind == "grouped_masked" ? in.integer("groups", 1, 4096)
                                                                 : in.integer("groups", 2, 4096));
  if (c.kind == "grouped_contiguous" && s.shape.m % 128 != 0)
    throw sim::InputError(in.child_pointer("m"), "the contiguous layout needs m (rows per group) to be a multiple of 128");
  s.sms = static_cast<int>(in.optional_integer("sms", 1, d.total_sms).value_or(d.total_sms));
  c.tflops = in.number("tflops", 1e-6, 1e6);
  c.note = in.optional_string("note").value_or("");
  s.precision = prec;
  s.seconds = s.shape.flops() / (c.tflops * 1e12);
  s.label = (s.shape.groups > 1 ? std::to_string(s.shape.groups) + "x" : std::string()) + std::to_string(s.shape.m) +
            "x" + std::to_string(s.shape.n) + "x" + std::to_string(s.shape.k);
  return c;
}

}  // namespace

std::vector<GemmSample> ReferenceTable::samples() const {
  std::vector<GemmSample> out;
  for (const ReferenceCase& c : cases) out.push_back(c.sample);
  return out;
}

ReferenceTable read_reference_table(const nlohmann::json& doc, const std::string& pointer) {
  sim::ObjectReader in(doc, pointer);
  in.only_keys({"comment", "source", "device", "precision", "cases"});
  in.optional_string("comment");
  ReferenceTable t;
  t.source = read_source(in.object("source"));
  t.device = read_device(in.object("device"), t.device_name);
  const GemmPrecision prec = in.one_of("precision", {"fp8", "bf16"}) == "fp8" ? GemmPrecision::kFp8 : GemmPrecision::kBf16;
  const nlohmann::json* cases = in.child("cases");
  const std::string cases_pointer = in.child_pointer("cases");
  if (!cases) throw sim::InputError(cases_pointer, "missing required field 'cases'");
  if (!cases->is_array() || cases->empty())
    throw sim::InputError(cases_pointer, "expected a non-empty array of cases, got " + sim::json_type_name(*cases));
  for (std::size_t i = 0; i < cases->size(); ++i)
    t.cases.push_back(read_case(sim::ObjectReader((*cases)[i], cases_pointer + "/" + std::to_string(i)), t.device, prec));
  return t;
}

const ReferenceTable& deepgemm_h800_reference() {
  static const ReferenceTable table = read_reference_table(nlohmann::json::parse(embedded::kDeepGemmH800Json));
  return table;
}

}  // namespace v3sim::calibration
