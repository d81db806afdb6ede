#include "cli/sweep_journal.hpp"

#include <fstream>
#include <set>

#include "cli/scenario_loader.hpp"
#include "report/output_set.hpp"

namespace v3sim::cli {

JournalKey journal_key(const nlohmann::json& study_doc, const nlohmann::json& base_doc, std::size_t points) {
  return {report::content_hash(study_doc.dump() + "\n" + base_doc.dump()), points};
}

std::string journal_header(const JournalKey& key) {
  return nlohmann::json{{"v3sim_sweep_journal", 1}, {"study_hash", key.hash}, {"points", key.points}}.dump();
}

std::vector<models::PointResult> read_journals(const std::vector<std::string>& files, const JournalKey& key,
                                               const models::Study& study) {
  std::vector<models::PointResult> rows;
  std::set<std::size_t> seen;
  for (const std::string& f : files) {
    std::ifstream in(f);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const nlohmann::json head = lines.empty() ? nlohmann::json() : nlohmann::json::parse(lines[0], nullptr, false);
    if (!head.is_object() || !head.contains("study_hash") || head["study_hash"] != key.hash ||
        head.value("points", std::size_t{0}) != key.points)
      throw InputFailure(f + ":1: this journal was written for another version of the study or its base scenario "
                             "(or is not a sweep journal); run without --resume to start over");
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const std::string where = f + ":" + std::to_string(i + 1) + ": ";
      const nlohmann::json j = nlohmann::json::parse(lines[i], nullptr, false);
      if (j.is_discarded() && i + 1 == lines.size()) break;  // torn by a kill
      models::PointResult r;
      try {
        r = models::PointResult::from_json(j);
      } catch (const std::exception& e) {
        throw InputFailure(where + "not a journal row (" + e.what() + "; expected index, values, status, error, fields)");
      }
      if (r.index >= key.points)
        throw InputFailure(where + "point " + std::to_string(r.index) + " is not in the study's " +
                           std::to_string(key.points) + " points");
      if (r.values != models::point_values(study, r.index))
        throw InputFailure(where + "point " + std::to_string(r.index) + " has other axis values than the study's");
      if (r.fields.size() != study.fields.size())
        throw InputFailure(where + "expected " + std::to_string(study.fields.size()) + " fields, got " +
                           std::to_string(r.fields.size()));
      if (!seen.insert(r.index).second)
        throw InputFailure(where + "point " + std::to_string(r.index) + " appears twice in the journals");
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

}  // namespace v3sim::cli
