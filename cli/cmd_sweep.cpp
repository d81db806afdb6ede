// v3sim sweep STUDY [--out DIR] [--jobs N] [--resume]: every point of a study,
// on threads, and across ranks under mpirun; results.csv, results.json and
// report.html written once all points are in (docs/studies.md).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/json_locator.hpp"
#include "cli/model_file.hpp"
#include "cli/mpi_world.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/sweep_journal.hpp"
#include "cli/sweep_runner.hpp"
#include "report/output_set.hpp"
#include "report/study_results.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

namespace fs = std::filesystem;

const std::string kJournalPrefix = ".progress-";

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
  nlohmann::json base;
  std::size_t points = 0;
  JournalKey key;
  models::ModelFileReader model_files;  // beside the base scenario
};

[[noreturn]] void fail_at(const std::string& path, const std::string& text, const sim::InputError& e) {
  throw InputFailure(path + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " + e.what());
}

LoadedStudy load(const std::string& path) {
  std::string text;
  const nlohmann::json doc = read_json_file(path, text);
  LoadedStudy l;
  try {
    l.study = models::parse_study(doc);
    l.points = models::point_count(l.study);
    const models::ScaleLimits& limits = size_limits();
    if (limits.enforced && static_cast<double>(l.points) > limits.max_study_points)
      throw sim::InputError("/axes", std::to_string(l.points) + " points pass the limit of " +
                                         std::to_string(static_cast<long long>(limits.max_study_points)) +
                                         " (--no-size-limits lifts it)");
  } catch (const sim::InputError& e) {
    fail_at(path, text, e);
  }
  const fs::path base = fs::path(path).parent_path() / l.study.base;
  std::string base_text;
  try {
    l.base = read_json_file(base.string(), base_text);
  } catch (const InputFailure& e) {
    throw InputFailure(path + ":" + std::to_string(line_of_pointer(text, "/base")) + ": /base: " + e.what());
  }
  l.model_files = model_file_reader(base.string());
  try {
    models::check_axes(l.study, l.base);
  } catch (const sim::InputError& e) {
    fail_at(path, text, e);
  }
  // An axis whose pointer names no field of the scenario would fail every
  // point: refuse the study before running any.
  try {
    (void)models::parse_scenario(models::study_point(l.study, l.base, 0).scenario, l.model_files);
  } catch (const sim::UnknownKeyError& e) {
    for (std::size_t i = 0; i < l.study.axes.size(); ++i)
      if (e.pointer() == l.study.axes[i].pointer)
        fail_at(path, text, sim::InputError("/axes/" + std::to_string(i) + "/pointer",
                                            l.study.axes[i].pointer + " names no field of the scenario: " + e.what()));
  } catch (const sim::InputError&) {
    // A point may fail on its values; that is a result, recorded per point.
  }
  l.key = journal_key(doc, l.base, l.points);
  return l;
}

// A study field that the first point's summary lacks names nothing.
void check_fields(const std::string& path, const models::Study& study, const models::PointResult& first) {
  if (!first.ok) return;
  for (std::size_t i = 0; i < study.fields.size(); ++i)
    if (first.fields[i].is_null()) {
      std::string text;
      (void)read_json_file(path, text);
      fail_at(path, text, sim::InputError("/fields/" + std::to_string(i),
                                          study.fields[i] + " is not in the points' summary.json (docs/outputs.md)"));
    }
}

std::vector<std::string> journals(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kJournalPrefix, 0) == 0) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

fs::path check_dir(const fs::path& dir) {
  try {
    report::check_output_dir(dir, {kJournalPrefix});
  } catch (const report::OutputError& e) {
    throw InputFailure(e.what());
  }
  return dir;
}

void sweep(const SweepArgs& a) {
  const MpiWorld& world = MpiWorld::get();
  const LoadedStudy l = load(a.study);
  const fs::path dir = check_dir(a.out.empty() ? fs::path("out") / fs::path(a.study).stem() : fs::path(a.out));
  std::vector<models::PointResult> done;
  if (a.resume) {
    done = read_journals(journals(dir), l.key, l.study);
  } else if (world.rank() == 0) {
    for (const std::string& f : journals(dir)) fs::remove(f);
  }
  world.barrier();
  std::set<std::size_t> finished;
  for (const models::PointResult& r : done) finished.insert(r.index);
  SweepWork work{&l.study, &l.base, {}, l.points, finished.size(), l.model_files};
  for (std::size_t p = static_cast<std::size_t>(world.rank()); p < l.points; p += static_cast<std::size_t>(world.size()))
    if (!finished.count(p)) work.todo.push_back(p);

  SweepRun run;
  if (!work.todo.empty() && work.todo.front() == 0) {
    // Point 0 first and alone, before anything is written: its summary tells
    // whether every field exists.
    models::PointResult first = evaluate_point(l.study, models::study_point(l.study, l.base, 0), l.model_files);
    check_fields(a.study, l.study, first);
    run.rows.push_back(std::move(first));
    work.todo.erase(work.todo.begin());
    ++work.already;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputFailure("cannot create " + dir.string() + ": " + ec.message());
  const std::string journal = (dir / (kJournalPrefix + std::to_string(world.rank()) + ".jsonl")).string();
  const bool fresh = !fs::exists(journal);
  std::ofstream out(journal, std::ios::app);
  if (!out) throw InputFailure("cannot write the sweep journal " + journal + ": " + std::strerror(errno ? errno : EIO));
  if (fresh) out << journal_header(l.key) << "\n";
  for (const models::PointResult& r : run.rows) out << r.to_json().dump() << "\n";
  out << std::flush;
  const int jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // --max-points counts point 0 too; 0 means no limit.
  const bool limited = a.max_points > 0;
  const std::size_t left = limited ? a.max_points - std::min(a.max_points, run.rows.size()) : 0;
  SweepRun rest;
  if (limited && left == 0)
    rest.interrupted = !work.todo.empty();
  else
    rest = run_points(work, jobs, out, left, !a.quiet && world.rank() == 0);
  run.interrupted = rest.interrupted;
  for (models::PointResult& r : rest.rows) run.rows.push_back(std::move(r));

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
    std::cout << "sweep stopped after " << rows.size() << " of " << l.points
              << " points; run again with --resume to finish\n";
    return;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.index < y.index; });
  std::size_t failed = 0;
  for (const models::PointResult& r : rows) failed += !r.ok;
  try {
    report::publish_output_set(
        dir,
        {{"results.json", report::study_results_json(l.study, rows).dump(2) + "\n"},
         {"results.csv", report::study_results_csv(l.study, rows)},
         {"report.html", report::study_html_report(l.study, rows)}},
        {kJournalPrefix});
  } catch (const report::OutputError& e) {
    throw InputFailure(e.what());
  }
  std::cout << "sweep " << (l.study.name.empty() ? a.study : l.study.name) << ": " << rows.size() << " points, "
            << failed << " failed; wrote " << dir.string() << "/{results.csv,results.json,report.html}\n";
  for (const models::PointResult& r : rows)
    if (!r.ok) std::cerr << "point " << r.index << " failed: " << r.error << "\n";
  if (failed == rows.size()) throw SimulationFailure("every point of the study failed");
}

}  // namespace

std::string check_study_file(const std::string& path) {
  const LoadedStudy l = load(path);
  return std::to_string(l.points) + " points over " + std::to_string(l.study.axes.size()) + " axes of " + l.study.base;
}

void add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run every point of a study (threads; ranks under mpirun)");
  cmd->add_option("study", args->study, "Study JSON file (docs/studies.md)")->required();
  cmd->add_option("--out", args->out, "Output directory (default out/STUDY-NAME)");
  cmd->add_option("--jobs", args->jobs, "Threads per process (default: one per core)")->check(CLI::Range(1, 1024));
  cmd->add_flag("--resume", args->resume, "Keep the points an interrupted sweep finished");
  cmd->add_flag("--quiet", args->quiet, "No progress on stderr");
  cmd->add_option("--max-points", args->max_points, "Stop after this many points (simulates an interruption)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  cmd->callback([args] { sweep(*args); });
}

}  // namespace v3sim::cli
