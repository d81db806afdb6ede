#include "cli/mpi_world.hpp"

#include <cstdlib>

#ifdef V3SIM_WITH_MPI
#include <mpi.h>
#endif

namespace v3sim::cli {
namespace {

bool launched_by_mpirun() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(var) != nullptr) return true;
  return false;
}

#ifdef V3SIM_WITH_MPI
bool active = false;
void finalize() {
  if (active) MPI_Finalize();
}
#endif

}  // namespace

MpiWorld::MpiWorld() {
#ifdef V3SIM_WITH_MPI
  if (!launched_by_mpirun()) return;
  MPI_Init(nullptr, nullptr);
  active = true;
  std::atexit(finalize);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  (void)launched_by_mpirun;
#endif
}

MpiWorld& MpiWorld::get() {
  static MpiWorld world;
  return world;
}

std::vector<std::string> MpiWorld::gather(const std::string& mine) const {
  if (size_ == 1) return {mine};
#ifdef V3SIM_WITH_MPI
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank_ == 0) {
    int total = 0;
    for (int r = 0; r < size_; ++r) offsets[static_cast<std::size_t>(r)] = total, total += lengths[static_cast<std::size_t>(r)];
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> parts;
  if (rank_ == 0)
    for (int r = 0; r < size_; ++r)
      parts.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                 static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
  return parts;
#else
  return {mine};
#endif
}

void MpiWorld::barrier() const {
#ifdef V3SIM_WITH_MPI
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

}  // namespace v3sim::cli
