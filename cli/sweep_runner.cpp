#include "cli/sweep_runner.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/simulate_scenario.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {

models::PointResult evaluate_point(const models::Study& study, const models::StudyPoint& point,
                                   const models::ModelFileReader& model_files) {
  models::PointResult r;
  r.index = point.index;
  r.values = point.values;
  const std::string label = "point " + std::to_string(point.index);
  try {
    models::Scenario s;
    try {
      s = models::parse_scenario(point.scenario, model_files);
    } catch (const sim::InputError& e) {
      throw InputFailure(label + ": " + e.pointer() + ": " + e.what());
    }
    const ScenarioOutputs o = simulate_scenario(s, label, false, false);
    for (const std::string& f : study.fields) {
      const auto ptr = nlohmann::json::json_pointer(f);
      r.fields.push_back(o.summary.contains(ptr) ? o.summary.at(ptr) : nlohmann::json(nullptr));
    }
    r.ok = true;
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = e.what();
    r.fields.assign(study.fields.size(), nullptr);
  }
  return r;
}

SweepRun run_points(const SweepWork& work, int jobs, std::ofstream& out, std::size_t max_points, bool show_progress) {
  const std::vector<std::size_t>& todo = work.todo;
  Progress progress(work.total, work.already, show_progress && isatty(STDERR_FILENO));
  const std::size_t limit = max_points > 0 ? std::min(max_points, todo.size()) : todo.size();
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  SweepRun run;
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < limit;) {
      models::PointResult r = evaluate_point(*work.study, models::study_point(*work.study, *work.base, todo[i]), work.model_files);
      {
        std::lock_guard<std::mutex> lock(mutex);
        out << r.to_json().dump() << "\n" << std::flush;
        run.rows.push_back(std::move(r));
      }
      if (show_progress) progress.tick();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (show_progress) progress.finish();
  run.interrupted = limit < todo.size();
  return run;
}

}  // namespace v3sim::cli
