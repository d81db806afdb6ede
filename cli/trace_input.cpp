#include "cli/trace_input.hpp"

#include "cli/json_locator.hpp"
#include "cli/scenario_loader.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {

calibration::ProfilerTrace load_trace(const std::string& path) {
  try {
    return calibration::read_profiler_trace(path);
  } catch (const sim::InputError& e) {
    // The reader's messages start with the file; a pointer, when there is one, goes after it.
    std::string msg = e.what();
    if (e.pointer().empty()) throw InputFailure(msg);
    const std::string prefix = path + ": ";
    if (msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
    throw InputFailure(prefix + e.pointer() + ": " + msg);
  }
}

TraceInput load_trace_input(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const InputFailure&) {
    text.clear();  // the trace reader names what is wrong with the file
  }
  TraceInput in;
  if (text.find(calibration::kTraceFiguresKind) == std::string::npos) {
    in.trace = load_trace(path);
    in.figures.summary = calibration::summarize(*in.trace);
    in.figures.source = path;
    in.kernels = in.trace->kernels.size();
    return in;
  }
  const nlohmann::json doc = read_json_file(path, text);
  try {
    in.figures = calibration::trace_figures_from_json(doc);
  } catch (const sim::InputError& e) {
    throw InputFailure(path + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " +
                       e.what());
  }
  return in;
}

models::Scenario load_training_scenario(const std::string& path, const std::vector<std::string>& sets,
                                        bool need_chunk_pair) {
  models::Scenario s = load_scenario(path, sets);
  if (!s.training) throw InputFailure(path + ": expected a training scenario (a \"model\" on a \"cluster\")");
  if (need_chunk_pair && !s.training->chunk_pair)
    throw InputFailure(path + ": /schedule/kind: expected \"chunk_pair\" (the trace holds one overlapped chunk pair)");
  return s;
}

}  // namespace v3sim::cli
