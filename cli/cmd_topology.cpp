// v3sim topology SCENARIO [--set ...] [--dot FILE]: build the scenario's
// cluster graph and print its counts.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "report/output_set.hpp"
#include "topologies/build_cluster.hpp"
#include "topologies/dot.hpp"

namespace v3sim::cli {

void add_topology_command(CLI::App& app) {
  struct Args {
    std::string scenario;
    std::vector<std::string> sets;
    std::string dot;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("topology", "Build a scenario's cluster graph and print its counts");
  cmd->add_option("scenario", args->scenario, "Scenario JSON file with a `cluster` object")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--dot", args->dot, "Also write the graph as Graphviz DOT to this file");
  cmd->callback([args] {
    const models::Scenario s = load_scenario(args->scenario, args->sets);
    if (!s.cluster) throw InputFailure(args->scenario + ": /cluster: missing required field 'cluster'");
    const topologies::Cluster c = topologies::build_cluster(s.cluster->spec);
    const auto& f = c.fabric;
    std::cout << fmt::format(
        "cluster: {} nodes of {} x {} ({} GPUs), {} NICs\n"
        "fabric: {}, {} plane(s), {}-port switches: {} leaves, {} spines, {} cores ({} switches)\n"
        "links: {} cables ({} directed links)\n"
        "bisection bandwidth: {:.1f} TB/s ({:.1f} GB/s per GPU)\n",
        c.nodes, c.gpus_per_node, s.cluster->gpu.name, c.gpus.size(), c.nics.size(), f.kind, f.planes,
        s.cluster->spec.fabric.switch_ports, f.leaves, f.spines, f.cores, c.switch_count(), c.cable_count(),
        c.edges.size(), f.bisection_bandwidth / 1e12, f.bisection_bandwidth / 1e9 / static_cast<double>(c.gpus.size()) * 2);
    if (!args->dot.empty()) {
      const std::filesystem::path p(args->dot);
      try {
        report::write_file_atomically(p, topologies::to_dot(c));
      } catch (const report::OutputError& e) {
        throw InputFailure(e.what());
      }
      std::cout << "wrote " << args->dot << "\n";
    }
  });
}

}  // namespace v3sim::cli
