#include "report/schedule_json.hpp"

#include "models/schedule/notation.hpp"

namespace v3sim::report {

nlohmann::json schedule_json(const models::Schedule& s) {
  using nlohmann::json;
  json ranks = json::array();
  for (int r = 0; r < s.ranks; ++r) {
    json ops = json::array();
    for (const auto& op : s.programs[r]) {
      json o = {{"op", models::format_op(s, op)},
                {"kind", models::op_kind_letter(op.kind)},
                {"lane", op.a.lane},
                {"stage", op.a.stage},
                {"microbatch", op.a.microbatch}};
      if (op.kind == models::OpKind::kFB)
        o["backward"] = {{"lane", op.b.lane}, {"stage", op.b.stage}, {"microbatch", op.b.microbatch}};
      ops.push_back(std::move(o));
    }
    ranks.push_back({{"rank", r}, {"parameter_copies", s.parameter_copies(r)}, {"ops", std::move(ops)}});
  }
  return {{"kind", models::schedule_kind_name(s.spec.kind)},
          {"stages", s.spec.stages},
          {"ranks", s.ranks},
          {"microbatches", s.spec.microbatches},
          {"chunks", s.spec.chunks},
          {"programs", std::move(ranks)}};
}

}  // namespace v3sim::report
