#pragma once
// A calibration profile: the fitted parameters of the kernel cost model, each
// with its provenance. Profiles are JSON files under calibration/profiles/,
// compiled into the library; scenarios name one ("calibration": "h800-published").
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace v3sim::calibration {

// Where a number comes from: a published table, a probe run, a fit.
struct Provenance {
  std::string source;
  std::string note;
};

// Parameters of the GEMM time model (docs/calibration.md gives the formula).
struct GemmParams {
  double compute_efficiency = 0.85;  // share of tensor peak in the compute-bound limit
  double hbm_efficiency = 0.8;       // share of HBM peak a GEMM streams its operands at
  double fixed_us = 5;               // launch, prologue and epilogue per kernel
  double k_block_ns = 40;            // latency floor of one 128-byte K step of a tile's main loop
};

// Parameters of one kernel class (calibration/reference/kernel_classes.json),
// fitted on kernel data (a profiler trace, the probes). A memory-bound class
// moves its bytes at `gb_per_s` when holding `at_sms` SMs (and
// proportionally less on fewer), plus `launch_us` per kernel; a GEMM,
// attention or all-to-all class takes `time_scale` times the model's time
// for its shape (the weight-gradient GEMMs' own efficiency, the slowdown of
// kernels running beside the communication kernels), plus `launch_us`.
struct KernelClassParams {
  double gb_per_s = 0;  // 0: HBM peak x memory_efficiency
  int at_sms = 0;       // 0: all the GPU's SMs
  double launch_us = 0;
  double time_scale = 1;
  // Optional compute roof of a memory-bound class that turns compute-bound at
  // high arithmetic intensity (FlashMLA decoding); 0: none.
  double tflops = 0;
  Provenance provenance;
};

struct Profile {
  std::string name;
  std::string description;
  std::string hardware;  // the GPU the numbers were taken on
  GemmParams gemm;
  double attention_forward_efficiency = 0.5;   // share of BF16 peak
  double attention_backward_efficiency = 0.4;
  double memory_efficiency = 0.8;              // share of HBM peak for element-wise kernels
  // Optional (0: not measured). What one SM of a memory-bound kernel moves
  // (reads plus writes), which caps kernels on few SMs.
  double memory_gb_per_s_per_sm = 0;
  // Optional (0: the hardware preset's). What one SM of the dispatch/combine
  // kernel moves.
  double comm_gb_per_s_per_sm = 0;
  // How much longer compute kernels take while a communication kernel runs
  // beside them on the other SMs (HBM and L2 contention); 1: no slowdown.
  double overlap_compute_slowdown = 1;
  // How much longer a kernel of the main / the second compute stream takes
  // while the other compute stream runs one (the two share the compute SMs);
  // 1: not measured, the streams run as if each had the SMs to itself.
  double main_beside_second_slowdown = 1;
  double second_beside_main_slowdown = 1;
  // Optional (0: the host never holds the GPU back). The host's time to
  // issue one kernel: the framework's ops on the CPU thread that launches
  // it, forward and backward (autograd's thread). Belongs to the framework
  // and host CPU the trace was taken on.
  double host_forward_us_per_launch = 0;
  double host_backward_us_per_launch = 0;
  std::map<std::string, Provenance> provenance;  // parameter name -> where it comes from
  // Per kernel class; a class absent here is costed by the defaults above.
  std::map<std::string, KernelClassParams> kernel_classes;
  // The framework's small element-wise kernels per layer and component,
  // keyed "attention(F)", "mlp(B)" ... (counted from a profiler trace).
  std::map<std::string, int> framework_launches;
  Provenance framework_launches_provenance;

  // The class's parameters, or defaults (scale 1, nothing else) when absent.
  const KernelClassParams& kernel_class(const std::string& name) const;
};

const std::vector<std::string>& profile_names();

// A profile from its JSON form (calibration/profiles/*.json): every parameter
// is {"value": x, "source": "...", "note": "..."}. Strict: throws
// sim::InputError with the JSON pointer (under `pointer`) of a bad field.
Profile parse_profile(const nlohmann::json& doc, const std::string& pointer = "");

// The JSON form parse_profile reads back (what `v3sim calibrate` writes).
nlohmann::json profile_to_json(const Profile& p);

// A built-in profile by name, or a profile file when `name` ends in ".json"
// (read relative to the working directory). Throws sim::InputError naming
// `pointer` for an unknown name or an unreadable file.
Profile load_profile(const std::string& name, const std::string& pointer);

// The named built-in profile. Throws sim::InputError(pointer, ...) for an
// unknown name, with the nearest known one suggested.
const Profile& named_profile(const std::string& name, const std::string& pointer);

}  // namespace v3sim::calibration
