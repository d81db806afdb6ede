#pragma once
// Context parallelism's ring exchange of K and V, priced by a closed form
// (a named shortcut: the engine does not simulate the ring's steps). Each of
// the `steps` transfers of `bytes_per_step` to the next GPU of the ring runs
// beside the attention of the chunk that arrived before it
// (`attention_per_step_s`); what a transfer takes beyond that attention is
// exposed: steps x max(0, transfer - attention).
namespace v3sim::models {

inline double context_ring_exposed_s(double bytes_per_step, double bytes_per_s, double attention_per_step_s, int steps) {
  if (steps <= 0 || !(bytes_per_s > 0)) return 0;
  const double transfer = bytes_per_step / bytes_per_s;
  return steps * (transfer > attention_per_step_s ? transfer - attention_per_step_s : 0);
}

}  // namespace v3sim::models
