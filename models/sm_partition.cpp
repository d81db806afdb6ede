#include "models/sm_partition.hpp"

#include <limits>
#include <stdexcept>

namespace v3sim::models {

double SmPartition::comm_cap(double bytes_per_s_per_sm) const {
  if (offload) return std::numeric_limits<double>::infinity();
  if (comm_sms < 1 || comm_sms >= total_sms) throw std::invalid_argument("comm_sms must leave SMs for compute");
  return comm_sms * bytes_per_s_per_sm;
}

}  // namespace v3sim::models
