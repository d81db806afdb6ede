#pragma once
// The sweep journal: one file per rank in the output directory, a header line
// keyed to a hash of the study and its base scenario, then one JSON line per
// finished point. `--resume` trusts a journal only when its key matches the
// study as it is now and every row is one of its points, once, whole.
#include <cstddef>
#include <string>
#include <vector>

#include "models/study/point_result.hpp"
#include "models/study/study.hpp"

namespace v3sim::cli {

struct JournalKey {
  std::string hash;     // of the study and base documents
  std::size_t points = 0;
};

JournalKey journal_key(const nlohmann::json& study_doc, const nlohmann::json& base_doc, std::size_t points);

std::string journal_header(const JournalKey& key);

// Rows of `files` (their paths, for messages). Throws InputFailure for a
// journal of another study or base, and for a row that is foreign (index out
// of range, other axis values), repeated or short; a torn last line (the
// process killed mid-write) is dropped.
std::vector<models::PointResult> read_journals(const std::vector<std::string>& files, const JournalKey& key,
                                               const models::Study& study);

}  // namespace v3sim::cli
