#include "report/atomic_file.hpp"

#include <fstream>
#include <stdexcept>

namespace v3sim::report {

void write_files_atomically(const std::filesystem::path& dir,
                            const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory " + dir.string() + ": " + ec.message());
  std::vector<fs::path> temps;
  auto cleanup = [&] {
    for (const auto& t : temps) fs::remove(t, ec);
  };
  for (const auto& [name, contents] : files) {
    const fs::path tmp = dir / ("." + name + ".tmp");
    temps.push_back(tmp);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) {
      cleanup();
      throw std::runtime_error("cannot write " + (dir / name).string());
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    fs::rename(temps[i], dir / files[i].first, ec);
    if (ec) {
      cleanup();
      throw std::runtime_error("cannot rename into " + (dir / files[i].first).string() + ": " + ec.message());
    }
  }
}

}  // namespace v3sim::report
