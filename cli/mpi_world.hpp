#pragma once
// The MPI job this process belongs to, when v3sim is built with MPI and
// started by mpirun; otherwise a world of one. Only sweeps use it.
#include <string>
#include <vector>

namespace v3sim::cli {

class MpiWorld {
 public:
  // Initialises MPI once, only when launched by an MPI starter (so a plain
  // `v3sim` never pays for it); finalised at exit.
  static MpiWorld& get();
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Every rank's string, in rank order, at rank 0; empty elsewhere.
  std::vector<std::string> gather(const std::string& mine) const;
  void barrier() const;

 private:
  MpiWorld();
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace v3sim::cli
