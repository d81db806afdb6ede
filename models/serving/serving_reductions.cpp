#include "models/serving/serving_reductions.hpp"

#include <fmt/format.h>

namespace v3sim::models {

void name_reductions(const ServingSpec& spec, ServingResult& r) {
  if (spec.prices.fixed) {
    r.reductions.push_back("step prices fixed (abstract mode): every prefill and every decode step takes the given time");
  } else {
    r.reductions.push_back(fmt::format(
        "step prices from a response surface over the step model (prefill: tokens per GPU x attention length; decode: "
        "requests per GPU x mean KV length), bilinear in the logs; measured against the step model at {} of the run's queries drawn at random: "
        "prefill max {:.1f}% mean {:.1f}%, decode max {:.1f}% mean {:.1f}%",
        r.prefill_price_error.points, 100 * r.prefill_price_error.max_relative, 100 * r.prefill_price_error.mean_relative,
        100 * r.decode_price_error.max_relative, 100 * r.decode_price_error.mean_relative));
    if (spec.prices.envelope)
      r.reductions.push_back(fmt::format(
          "the step model runs on each unit's per-layer envelope (one GPU as slow as the slowest in every stage and "
          "exchange of every layer: an upper bound of the lockstep unit); measured against every GPU at {} of the "
          "run's queries drawn at random: prefill max {:.1f}% mean {:.1f}%, decode max {:.1f}% mean {:.1f}%",
          r.prefill_envelope_error.points, 100 * r.prefill_envelope_error.max_relative,
          100 * r.prefill_envelope_error.mean_relative, 100 * r.decode_envelope_error.max_relative,
          100 * r.decode_envelope_error.mean_relative));
    r.reductions.push_back("a decode unit's step is priced at its busiest GPU's state as if every GPU held it (the step model's symmetric senders)");
  }
  r.reductions.push_back(fmt::format(
      "prefill: a prompt runs on one DP rank, chunked there; a step is priced by the step model at the mean rank's tokens "
      "and attention length plus the busiest rank's rank-local compute (attention, dense and shared-expert layers, head) "
      "and the longest exchanges beyond the mean rank's (exact for balanced ranks); measured against the step model given each rank's batch at {} "
      "of the run's steps drawn at random: max {:.1f}% mean {:.1f}%",
      r.prefill_ranks_error.points, 100 * r.prefill_ranks_error.max_relative, 100 * r.prefill_ranks_error.mean_relative));
  r.reductions.push_back("KV transfer at one GPU's NIC rate less half the expert-parallel exchanges' busy share of the busier end's NIC (max-min sharing; the end's current step, the decode pool's latest steps averaged); its own effect on the exchanges is not modelled");
  r.reductions.push_back("one prefix cache shared by the whole prefill pool; decode admits a request only with KV room for its prompt and whole output (no preemption)");
  r.reductions.push_back("a request's decode steps are drawn from the MTP acceptance law when it is admitted, its KV grown evenly over them (exact at admission and completion)");
  if (spec.source.synthetic && spec.source.gen.hit_ratio >= 0)
    r.reductions.push_back(fmt::format("prefix hits given by the source: {:.1f}% of every prompt, read from the last cache tier (no LRU)",
                                       100 * spec.source.gen.hit_ratio));
  if (spec.has_fleet && spec.fleet.autoscale.policy != ScalingPolicy::kFixed)
    r.reductions.push_back(fmt::format(
        "autoscaling every {:.0f} s on the last interval: prefill busy share of its serving unit-seconds; decode occupancy "
        "(requests and KV reserved over what its serving GPUs hold) at the interval's end; the SLO policy the interval's "
        "p90 TTFT (prefill) and TPOT (decode)",
        spec.fleet.autoscale.interval_s));
  if (const auto& e = r.fleet.eplb; e && !spec.prices.fixed)
    r.reductions.push_back(fmt::format(
        "experts re-planned on a drifting load: a step priced at its {:.0f}-s epoch's middle, its price the surfaces' "
        "times a load factor at the step's batch (batches 8x apart, one length); measured against the step model at "
        "{} and {} of the run's epochs: prefill max {:.1f}% mean {:.1f}%, decode max {:.1f}% mean {:.1f}%; a unit pauses "
        "after a re-plan for its busiest GPU's experts to load (an upper bound)",
        e->epoch_s, e->load_factor_error[0].points, e->load_factor_error[1].points,
        100 * e->load_factor_error[0].max_relative, 100 * e->load_factor_error[0].mean_relative,
        100 * e->load_factor_error[1].max_relative, 100 * e->load_factor_error[1].mean_relative));
}

}  // namespace v3sim::models
