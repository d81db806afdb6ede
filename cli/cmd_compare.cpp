// v3sim compare SCENARIO --schedules dualpipe,1f1b,zb1p [--set ...] [--out DIR]
// v3sim compare INFERENCE_SCENARIO... [--vary overlap,eplb] [--set ...] [--out DIR]
#include <algorithm>
#include <filesystem>
#include <limits>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/run_progress.hpp"
#include "cli/scenario_loader.hpp"
#include "models/simulate.hpp"
#include "models/training/training_step.hpp"
#include "report/csv_table.hpp"
#include "report/output_set.hpp"
#include "report/compare_report.hpp"
#include "report/inference_compare.hpp"
#include "report/serving_compare.hpp"
#include "sim/engine.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

struct CompareArgs {
  std::vector<std::string> scenarios;
  std::vector<std::string> schedules;
  std::vector<std::string> vary;
  std::vector<std::string> sets;
  std::string out = "out/compare";
  bool csv = false;  // also compare.csv
  bool json = false; // compare.json to stdout instead of the table
};

// Writes the comparison set and tells the user: the table, or with --json
// the comparison itself.
void publish_comparison(const CompareArgs& a, const nlohmann::json& doc, const nlohmann::json& rows, std::string html,
                        const std::string& table, const std::vector<std::string>& columns = {}) {
  std::vector<std::pair<std::string, std::string>> files = {{"compare.json", doc.dump(2) + "\n"},
                                                            {"compare.html", std::move(html)}};
  if (a.csv) files.push_back({"compare.csv", report::json_rows_csv(rows, columns)});
  try {
    report::publish_output_set(a.out, files);
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::string names;
  for (const auto& [name, content] : files) names += (names.empty() ? "" : ",") + name;
  std::cout << (a.json ? doc.dump(2) + "\n" : table);
  (a.json ? std::cerr : std::cout) << "wrote " << a.out << "/{" << names << "}\n";
}

report::CompareRow training_row(const models::Scenario& s) {
  const models::TrainingResult r = [&] {
    const RunProgressLine progress;
    return models::simulate_training(*s.cluster, *s.training);
  }();
  report::CompareRow row;
  row.step_s = r.step_time_s;
  row.bytes = true;
  double bubble = 0;
  for (const models::TrainingRank& k : r.ranks) {
    bubble += sim::to_seconds(k.bubble);
    row.max_bubble_s = std::max(row.max_bubble_s, sim::to_seconds(k.bubble));
    row.peak_activations = std::max(row.peak_activations, k.memory.activations);
    row.parameters = std::max(row.parameters, k.memory.parameters);
  }
  row.bubble_fraction = bubble / (r.step_time_s * static_cast<double>(r.ranks.size()));
  row.pipeline = r.pipeline;
  row.components = r.components;  // the page draws their communication lanes
  for (const models::PartPlan& p : r.plan.parts) row.layers_per_part.push_back(p.layers);
  row.compute_min_s = std::numeric_limits<double>::infinity();
  for (const models::TrainingRank& k : r.ranks) {
    row.compute_min_s = std::min(row.compute_min_s, sim::to_seconds(k.compute));
    row.compute_max_s = std::max(row.compute_max_s, sim::to_seconds(k.compute));
    row.exposed_comm_max_s = std::max(row.exposed_comm_max_s, sim::to_seconds(k.exposed_comm));
    row.host_wait_max_s = std::max(row.host_wait_max_s, sim::to_seconds(k.host_wait));
  }
  return row;
}

// One --schedules entry: a kind, and for interleaved_1f1b optionally its
// chunks per rank ("interleaved_1f1b:4").
struct ScheduleChoice {
  std::string kind;
  int chunks = 0;  // 0: the scenario's
};

ScheduleChoice parse_choice(const std::string& entry) {
  ScheduleChoice c;
  const std::size_t colon = entry.find(':');
  c.kind = entry.substr(0, colon);
  if (const auto& known = models::schedule_kind_names(); std::find(known.begin(), known.end(), c.kind) == known.end()) {
    std::string msg = "compare: --schedules: unknown schedule '" + c.kind + "'";
    if (auto near = sim::nearest(c.kind, known)) msg += " (did you mean '" + *near + "'?)";
    throw InputFailure(msg + "; `v3sim list` names them");
  }
  if (colon == std::string::npos) return c;
  const std::string n = entry.substr(colon + 1);
  if (c.kind != "interleaved_1f1b" || n.empty() || n.size() > 2 ||
      !std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) || std::stoi(n) < 2)
    throw InputFailure("compare: --schedules: '" + entry +
                       "': expected KIND, or interleaved_1f1b:CHUNKS with 2 to 99 chunks per rank");
  c.chunks = std::stoi(n);
  return c;
}

report::CompareRow abstract_row(const models::Scenario& s) {
  report::CompareRow row;
  row.pipeline = models::simulate(s);
  row.step_s = sim::to_seconds(row.pipeline.step_time);
  row.bubble_fraction = row.pipeline.bubble_fraction();
  row.max_bubble_s = sim::to_seconds(row.pipeline.max_bubble());
  for (const models::RankResult& k : row.pipeline.ranks) {
    row.peak_activations = std::max(row.peak_activations, static_cast<double>(k.peak_activations));
    row.parameters = std::max(row.parameters, k.parameter_copies);
  }
  return row;
}

// An inference scenario's variants: itself, and for each --vary axis the
// other setting (overlap off; EPLB replaced by the same slots placed
// without load statistics).
std::vector<std::pair<std::string, std::vector<std::string>>> variants(const std::string& name,
                                                                      const std::vector<std::string>& vary,
                                                                      const models::Scenario& base) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out{{name, {}}};
  const models::Deployment& d = base.inference->deployment;
  for (const std::string& axis : vary) {
    if (axis == "overlap")
      out.push_back({name + " [two_micro_batch " + (d.two_micro_batch ? "off" : "on") + "]",
                     {std::string("/workload/deployment/two_micro_batch=") + (d.two_micro_batch ? "false" : "true")}});
    else if (axis == "eplb")
      out.push_back({name + (d.placement == models::Placement::kEplb ? " [placement static]" : " [placement eplb]"),
                     {std::string("/workload/deployment/placement=\"") +
                      (d.placement == models::Placement::kEplb ? "static" : "eplb") + "\""}});
    else
      throw InputFailure("--vary: unknown axis '" + axis + "' (expected overlap or eplb)");
  }
  return out;
}

void compare_inference(const CompareArgs& a) {
  std::vector<report::InferenceCompareRow> rows;
  for (const std::string& path : a.scenarios) {
    const models::Scenario base = load_scenario(path, a.sets);
    if (!base.inference) throw InputFailure(path + ": expected an inference scenario (workload kind \"inference\") beside the others");
    // Variants go by the scenario's name (its file's name without one).
    const std::string name = base.name.empty() ? std::filesystem::path(path).stem().string() : base.name;
    for (const auto& [label, extra] : variants(name, a.vary, base)) {
      report::InferenceCompareRow row;
      row.label = label;
      std::vector<std::string> sets = a.sets;
      sets.insert(sets.end(), extra.begin(), extra.end());
      try {
        const models::Scenario s = load_scenario(path, sets);
        row.result = models::simulate_inference(*s.cluster, *s.inference);
      } catch (const InputFailure& e) {
        row.error = e.what();
      } catch (const sim::InputError& e) {
        row.error = e.pointer() + ": " + e.what();
      }
      rows.push_back(std::move(row));
    }
  }
  if (std::all_of(rows.begin(), rows.end(), [](const report::InferenceCompareRow& r) { return !r.error.empty(); }))
    throw InputFailure("no variant could run: " + rows.front().error);
  const nlohmann::json doc = report::inference_compare_json(rows);
  publish_comparison(a, doc, doc.at("variants"), report::inference_compare_html("v3sim compare", rows),
                     report::inference_compare_table(rows));
}

// Serving scenarios side by side, each as given (pool sizes, policies,
// traffic and SLOs are their own).
void compare_serving(const CompareArgs& a) {
  if (!a.vary.empty()) throw InputFailure("--vary: serving scenarios are compared as given (vary them in the files or with a study)");
  std::vector<report::ServingCompareRow> rows;
  for (const std::string& path : a.scenarios) {
    report::ServingCompareRow row;
    row.label = path;
    try {
      const models::Scenario s = load_scenario(path, a.sets);
      if (!s.name.empty()) row.label = s.name;
      if (!s.serving) throw InputFailure(path + ": expected a serving scenario (workload kind \"serving\") beside the others");
      row.prefill_units = s.serving->prefill.units;
      row.decode_units = s.serving->decode.units;
      row.result = models::simulate_serving(*s.serving);
    } catch (const InputFailure& e) {
      row.error = e.what();
    } catch (const sim::InputError& e) {
      row.error = e.pointer() + ": " + e.what();
    }
    rows.push_back(std::move(row));
  }
  if (std::all_of(rows.begin(), rows.end(), [](const report::ServingCompareRow& r) { return !r.error.empty(); }))
    throw InputFailure("no scenario could run: " + rows.front().error);
  const nlohmann::json doc = report::serving_compare_json(rows);
  publish_comparison(a, doc, doc.at("variants"), report::serving_compare_html("v3sim compare", rows),
                     report::serving_compare_table(rows));
}

void compare(const CompareArgs& a) {
  const models::Scenario first = load_scenario(a.scenarios.front(), a.sets);
  if ((first.serving || first.inference) && !a.schedules.empty())
    throw InputFailure("compare: --schedules applies to training and abstract scenarios; " + a.scenarios.front() + " is " +
                       (first.serving ? "a serving" : "an inference") + " scenario");
  if (first.serving) return compare_serving(a);
  if (first.inference) return compare_inference(a);
  if (a.scenarios.size() != 1) throw InputFailure("compare: several scenarios are compared only for inference and serving; give one with --schedules");
  if (a.schedules.empty()) throw InputFailure("compare: --schedules is required for a training or abstract scenario");
  std::vector<ScheduleChoice> choices;
  // Split here, not by the option parser: it drops empty entries, and an
  // option left with none takes the next argument ("--schedules ,, --csv").
  for (const std::string& list : a.schedules)
    for (std::size_t from = 0;;) {
      const std::size_t comma = list.find(',', from);
      const std::string entry = list.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
      if (entry.empty()) throw InputFailure("compare: --schedules '" + list + "': an empty entry (expected kinds separated by commas)");
      choices.push_back(parse_choice(entry));
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
  // The placement rule, fixed before any step is run (docs/schedules.md,
  // "Comparing schedules"): a scenario that sets parallelism.layers_per_part
  // keeps it under every schedule; otherwise each schedule gets the balanced
  // split, the one that minimises its own busiest rank's compute.
  const models::Scenario& base = first;
  const bool fixed = !base.training || !base.training->parallel.layers_per_part.empty() ||
                     base.training->parallel.balance_layers;
  std::vector<report::CompareRow> rows;
  for (ScheduleChoice choice : choices) {
    // Interleaving needs two chunks at least: a scenario of one gets two.
    if (base.training && choice.kind == "interleaved_1f1b" && choice.chunks == 0 && base.training->chunks < 2)
      choice.chunks = 2;
    std::vector<std::string> sets = a.sets;
    sets.push_back("/schedule/kind=\"" + choice.kind + "\"");
    if (choice.chunks > 0) sets.push_back("/schedule/chunks=" + std::to_string(choice.chunks));
    // A training scenario's interleaving and Megatron overlap settings go
    // where they apply; another schedule runs without them.
    if (base.training && choice.kind != "interleaved_1f1b") {
      sets.push_back("/schedule/chunks=1");
      sets.push_back("/schedule/microbatch_group=0");
    }
    if (base.training && choice.kind != "interleaved_1f1b" && choice.kind != "1f1b")
      sets.push_back("/schedule/ep_overlap=false");
    if (!fixed) sets.push_back("/parallelism/layers_per_part=\"balanced\"");
    report::CompareRow row;
    try {
      const models::Scenario s = load_scenario(a.scenarios.front(), sets);
      row = s.training ? training_row(s) : abstract_row(s);
      if (s.training) row.placement = fixed ? "the scenario's" : "balanced";
    } catch (const InputFailure& e) {
      row.error = e.what();
    } catch (const sim::InputError& e) {
      row.error = e.pointer() + ": " + e.what();
    } catch (const std::invalid_argument& e) {
      row.error = e.what();
    } catch (const sim::DeadlockError& e) {
      row.error = e.what();
    }
    row.schedule = choice.chunks > 0 ? choice.kind + ":" + std::to_string(choice.chunks) : choice.kind;
    if (base.training && base.training->ep_overlap && (choice.kind == "1f1b" || choice.kind == "interleaved_1f1b"))
      row.schedule += " +ep_overlap";
    rows.push_back(std::move(row));
  }
  if (std::all_of(rows.begin(), rows.end(), [](const report::CompareRow& r) { return !r.error.empty(); }))
    throw InputFailure("no schedule could run: " + rows.front().error);
  const nlohmann::json doc = report::compare_json(a.scenarios.front(), rows);
  publish_comparison(a, doc, doc.at("schedules"), report::compare_html(a.scenarios.front(), rows), report::compare_table(rows),
                     report::compare_columns());
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Run a scenario under several schedules, or inference scenarios and their variants, or serving scenarios; one table, one page");
  cmd->add_option("scenarios", args->scenarios, "Scenario JSON file(s): one with --schedules, or inference or serving scenarios")
      ->required();
  cmd->add_option("--schedules", args->schedules,
                  "Schedule kinds, comma-separated (v3sim list); interleaved_1f1b:V runs V chunks per rank")
      ->allow_extra_args(false);
  cmd->add_option("--vary", args->vary, "Inference: also run each scenario with overlap and/or eplb switched, comma-separated")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Output directory")->capture_default_str();
  cmd->add_flag("--csv", args->csv, "Also write compare.csv: one row per schedule or variant, readable column names");
  cmd->add_flag("--json", args->json, "Print compare.json to stdout instead of the table (messages go to stderr)");
  cmd->callback([args] { compare(*args); });
}

}  // namespace v3sim::cli
