#include "ep_workload.hpp"

#include <stdexcept>

#include "ep_routing.hpp"
#include "fill.hpp"

namespace v3sim::probes {

EpWorkload::EpWorkload(const EpShape& shape, int home_device, int target_device, std::uint64_t seed,
                       cudaStream_t stream)
    : shape_(shape) {
  if (shape.hidden <= 0 || shape.hidden % kChannelsPerWarpStep != 0)
    throw std::invalid_argument("EpWorkload: hidden must be a positive multiple of 256");
  const EpRouting routing = make_routing(shape.tokens, shape.topk, shape.experts, seed);
  const auto tokens = static_cast<std::size_t>(shape.tokens);
  const auto hidden = static_cast<std::size_t>(shape.hidden);
  const std::size_t copies = tokens * static_cast<std::size_t>(shape.topk);

  input_ = DeviceBuffer(tokens * hidden * 2, home_device);
  row_ = DeviceBuffer(copies * sizeof(std::int32_t), home_device);
  weight_ = DeviceBuffer(copies * sizeof(float), home_device);
  output_ = DeviceBuffer(tokens * hidden * 2, home_device);
  recv_payload_ = DeviceBuffer(copies * hidden, target_device);
  recv_scales_ = DeviceBuffer(copies * (hidden / kChannelsPerScale) * sizeof(float), target_device);
  expert_out_ = DeviceBuffer(copies * hidden * 2, target_device);

  CUDA_CHECK(cudaMemcpyAsync(row_.get(), routing.row.data(), row_.bytes(), cudaMemcpyHostToDevice, stream));
  CUDA_CHECK(cudaMemcpyAsync(weight_.get(), routing.weight.data(), weight_.bytes(), cudaMemcpyHostToDevice, stream));
  // Activations of RMSNorm'd scale; zeros would make every scale the same.
  fill_bf16(input_.get(), tokens * hidden, static_cast<std::uint32_t>(seed), 2.0f, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  {
    ScopedDevice on(target_device);  // fill the target's buffer from the target
    fill_bf16(expert_out_.get(), copies * hidden, static_cast<std::uint32_t>(seed) + 1, 1.0f, nullptr);
    CUDA_CHECK(cudaDeviceSynchronize());
  }
}

void EpWorkload::dispatch(cudaStream_t stream, const SmBoundLaunch& launch, unsigned* started) const {
  DispatchParams p;
  p.input = input_.get();
  p.row = row_.as<const std::int32_t>();
  p.recv_payload = recv_payload_.get();
  p.recv_scales = recv_scales_.as<float>();
  p.tokens = shape_.tokens;
  p.hidden = shape_.hidden;
  p.topk = shape_.topk;
  p.started = started;
  launch_dispatch(p, launch, stream);
}

void EpWorkload::combine(cudaStream_t stream, const SmBoundLaunch& launch) const {
  CombineParams p;
  p.expert_out = expert_out_.get();
  p.row = row_.as<const std::int32_t>();
  p.weight = weight_.as<const float>();
  p.output = output_.get();
  p.tokens = shape_.tokens;
  p.hidden = shape_.hidden;
  p.topk = shape_.topk;
  launch_combine(p, launch, stream);
}

EpBytes EpWorkload::dispatch_bytes() const {
  const double tokens = shape_.tokens;
  const double hidden = shape_.hidden;
  const double copies = tokens * shape_.topk;
  const double fp8_token = hidden + hidden / kChannelsPerScale * 4;
  return {tokens * hidden * 2 + copies * 4, copies * fp8_token, copies * fp8_token};
}

EpBytes EpWorkload::combine_bytes() const {
  const double tokens = shape_.tokens;
  const double hidden = shape_.hidden;
  const double copies = tokens * shape_.topk;
  return {copies * hidden * 2 + copies * 8, tokens * hidden * 2, copies * hidden * 2};
}

}  // namespace v3sim::probes
