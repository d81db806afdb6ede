#include "timing.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "gates.hpp"

namespace v3sim::probes {

HostGate::HostGate() {
  CUDA_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&host_), 2 * sizeof(int), cudaHostAllocMapped));
  host_[0] = 0;
  host_[1] = 0;
  // 64-bit processes always have unified addressing, under which pinned host
  // memory is reachable from every device at its host address (no
  // cudaHostGetDevicePointer, which also wants cudaDeviceMapHost set first).
  device_ = host_;
}

HostGate::~HostGate() { (void)cudaFreeHost(host_); }

void HostGate::hold(cudaStream_t stream) {
  reinterpret_cast<volatile int*>(host_)[1] = 0;
  launch_host_gate(device_, ++generation_, device_ + 1, stream);
}

void HostGate::release() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  reinterpret_cast<volatile int*>(host_)[0] = generation_;
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

void HostGate::check() const {
  if (reinterpret_cast<volatile int*>(host_)[1] != 0)
    throw std::runtime_error(
        "the host gate kernel timed out, so the timing includes host time (are kernels serialised, e.g. by "
        "CUDA_LAUNCH_BLOCKING=1?)");
}

L2Flusher::L2Flusher(const DeviceInfo& device)
    : buffer_(std::max<std::size_t>(std::size_t{256} << 20, 2 * static_cast<std::size_t>(device.l2_bytes)),
              device.index) {}

void L2Flusher::flush(cudaStream_t stream) {
  value_ = (value_ + 1) & 0xff;
  CUDA_CHECK(cudaMemsetAsync(buffer_.get(), value_, buffer_.bytes(), stream));
}

std::vector<double> Harness::measure(cudaStream_t stream, int warmup, int repeats, int batch, const Op& op) {
  std::vector<double> seconds;
  for (int run = 0; run < warmup + repeats; ++run) {
    flusher_.flush(stream);
    gate_.hold(stream);
    CUDA_CHECK(cudaEventRecord(start_.get(), stream));
    for (int b = 0; b < batch; ++b) op(stream, iteration_++);
    CUDA_CHECK(cudaEventRecord(stop_.get(), stream));
    gate_.release();
    CUDA_CHECK(cudaEventSynchronize(stop_.get()));
    CUDA_CHECK(cudaGetLastError());
    gate_.check();
    if (run >= warmup) seconds.push_back(elapsed_seconds(start_, stop_) / batch);
  }
  return seconds;
}

void Harness::prime(cudaStream_t stream, const Op& op) {
  flusher_.flush(stream);
  op(stream, iteration_++);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  CUDA_CHECK(cudaGetLastError());
}

Harness::Batched Harness::measure_batched(cudaStream_t stream, int warmup, int repeats, const Op& op) {
  prime(stream, op);
  const std::vector<double> warm = measure(stream, 0, std::max(warmup, 1), 1, op);
  Batched result;
  result.batch = batch_for(*std::min_element(warm.begin(), warm.end()));
  result.seconds = measure(stream, 0, repeats, result.batch, op);
  return result;
}

int batch_for(double seconds_per_execution) {
  constexpr double kTargetRunSeconds = 0.5e-3;
  if (!(seconds_per_execution > 0)) return 1;
  const double batch = std::round(kTargetRunSeconds / seconds_per_execution);
  return static_cast<int>(std::clamp(batch, 1.0, 64.0));
}

}  // namespace v3sim::probes
