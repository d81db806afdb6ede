// v3sim sweep STUDY [--out DIR] [--jobs N] [--resume]: every point of a study,
// on threads, and across ranks under mpirun; results.csv, results.json and
// report.html written once all points are in (docs/studies.md).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/json_locator.hpp"
#include "cli/mpi_world.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/sweep_runner.hpp"
#include "report/atomic_file.hpp"
#include "report/study_results.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

namespace fs = std::filesystem;

struct SweepArgs {
  std::string study;
  std::string out;
  int jobs = 0;  // 0: one per core
  bool resume = false;
  std::size_t max_points = 0;
  bool quiet = false;
};

struct LoadedStudy {
  models::Study study;
  std::vector<models::StudyPoint> points;
};

LoadedStudy load(const std::string& path) {
  std::string text;
  const nlohmann::json doc = read_json_file(path, text);
  LoadedStudy l;
  try {
    l.study = models::parse_study(doc);
    const fs::path base = fs::path(path).parent_path() / l.study.base;
    std::string base_text;
    l.points = models::expand_study(l.study, read_json_file(base.string(), base_text));
  } catch (const sim::InputError& e) {
    throw InputFailure(path + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " +
                       e.what());
  }
  return l;
}

std::vector<std::string> journals(const fs::path& dir) {
  std::vector<std::string> files;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(".progress-", 0) == 0) files.push_back(e.path().string());
    }
  std::sort(files.begin(), files.end());
  return files;
}

void sweep(const SweepArgs& a) {
  const MpiWorld& world = MpiWorld::get();
  const LoadedStudy l = load(a.study);
  const fs::path dir = a.out.empty() ? fs::path("out") / fs::path(a.study).stem() : fs::path(a.out);
  fs::create_directories(dir);
  std::vector<models::PointResult> done;
  if (a.resume) {
    done = read_journals(journals(dir));
  } else if (world.rank() == 0) {
    for (const std::string& f : journals(dir)) fs::remove(f);
  }
  world.barrier();
  std::set<std::size_t> finished;
  for (const models::PointResult& r : done) finished.insert(r.index);
  std::vector<const models::StudyPoint*> todo;
  for (const models::StudyPoint& p : l.points)
    if (p.index % static_cast<std::size_t>(world.size()) == static_cast<std::size_t>(world.rank()) &&
        !finished.count(p.index))
      todo.push_back(&p);
  const int jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string journal = (dir / (".progress-" + std::to_string(world.rank()) + ".jsonl")).string();
  SweepRun run = run_points(l.study, todo, jobs, journal, a.max_points, l.points.size(), finished.size(),
                            !a.quiet && world.rank() == 0);

  // Every rank's new rows to rank 0, which writes the results.
  std::string mine;
  for (const models::PointResult& r : run.rows) mine += r.to_json().dump() + "\n";
  mine += run.interrupted ? "interrupted\n" : "";
  const std::vector<std::string> parts = world.gather(mine);
  if (world.rank() != 0) return;
  bool interrupted = false;
  std::vector<models::PointResult> rows = done;
  for (const std::string& part : parts) {
    interrupted |= part.find("interrupted\n") != std::string::npos;
    std::size_t start = 0;
    for (std::size_t end; (end = part.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string line = part.substr(start, end - start);
      if (line != "interrupted") rows.push_back(models::PointResult::from_json(nlohmann::json::parse(line)));
    }
  }
  if (interrupted) {
    std::cout << "sweep stopped after " << rows.size() << " of " << l.points.size()
              << " points; run again with --resume to finish\n";
    return;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.index < y.index; });
  std::size_t failed = 0;
  for (const models::PointResult& r : rows) failed += !r.ok;
  try {
    report::write_files_atomically(
        dir, {{"results.json", report::study_results_json(l.study, rows).dump(2) + "\n"},
              {"results.csv", report::study_results_csv(l.study, rows)},
              {"report.html", report::study_html_report(l.study, rows)}});
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  for (const std::string& f : journals(dir)) fs::remove(f);
  std::cout << "sweep " << (l.study.name.empty() ? a.study : l.study.name) << ": " << rows.size() << " points, "
            << failed << " failed; wrote " << dir.string() << "/{results.csv,results.json,report.html}\n";
  for (const models::PointResult& r : rows)
    if (!r.ok) std::cerr << "point " << r.index << " failed: " << r.error << "\n";
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run every point of a study (threads; ranks under mpirun)");
  cmd->add_option("study", args->study, "Study JSON file (docs/studies.md)")->required();
  cmd->add_option("--out", args->out, "Output directory (default out/STUDY-NAME)");
  cmd->add_option("--jobs", args->jobs, "Threads per process (default: one per core)")->check(CLI::Range(1, 1024));
  cmd->add_flag("--resume", args->resume, "Keep the points an interrupted sweep finished");
  cmd->add_flag("--quiet", args->quiet, "No progress on stderr");
  cmd->add_option("--max-points", args->max_points, "Stop after this many points (simulates an interruption)");
  cmd->callback([args] { sweep(*args); });
}

}  // namespace v3sim::cli
