#include "report/output_set.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace v3sim::report {
namespace {

namespace fs = std::filesystem;

const std::string kStagingMark = ".v3sim-staging-";

// Test hook: V3SIM_KILL_AT_WRITE_STEP=N kills the process (SIGKILL, as an
// out-of-memory kill or a lost node would) at the N-th step of a publish, so
// the suite can check every intermediate state.
void step(int& n) {
  static const char* at = std::getenv("V3SIM_KILL_AT_WRITE_STEP");
  ++n;
  if (at != nullptr && std::atoi(at) == n) ::kill(::getpid(), SIGKILL);
}

void write_whole(const fs::path& path, const std::string& contents) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw OutputError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno ? errno : EIO)));
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) throw OutputError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno ? errno : EIO)));
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// Staging directories beside DIR left by killed runs (their process is gone).
void remove_stale_staging(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  const std::string prefix = "." + name + kStagingMark;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    if (entry.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(entry.c_str() + prefix.size(), nullptr, 10);
    if (!process_alive(pid)) fs::remove_all(it->path(), ec);
  }
}

// DIR may be replaced when it is absent, empty, or holds only a set v3sim
// published (its manifest's files) and v3sim's own hidden files.
}  // namespace

void check_output_dir(const fs::path& dir, const std::vector<std::string>& own_hidden) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(dir, ec);
  if (!fs::exists(st)) return;
  if (!fs::is_directory(st))
    throw OutputError(fmt::format("cannot write the outputs to {}: it exists and is not a directory", dir.string()));
  std::vector<std::string> listed;
  std::ifstream manifest(dir / kManifestName);
  if (manifest) {
    const nlohmann::json m = nlohmann::json::parse(manifest, nullptr, false);
    if (m.is_object() && m.contains("files") && m["files"].is_array())
      for (const auto& f : m["files"])
        if (f.is_object() && f.contains("name") && f["name"].is_string()) listed.push_back(f["name"]);
  }
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name == kManifestName || std::find(listed.begin(), listed.end(), name) != listed.end()) continue;
    bool own = false;
    for (const std::string& p : own_hidden) own |= name.rfind(p, 0) == 0;
    if (!own)
      throw OutputError(fmt::format("cannot replace {}: it holds {}, which v3sim did not write there (choose another "
                                    "--out or empty the directory)",
                                    dir.string(), name));
  }
}

namespace {

// rename(2) that swaps two existing paths atomically (Linux 3.15+).
bool exchange(const fs::path& a, const fs::path& b) {
#ifdef SYS_renameat2
  constexpr unsigned kRenameExchange = 2;  // RENAME_EXCHANGE
  return ::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), kRenameExchange) == 0;
#else
  (void)a;
  (void)b;
  return false;
#endif
}

}  // namespace

std::string content_hash(const std::string& contents) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : contents) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

namespace {

// File i of a set, its name and contents, wherever they are held.
using FileView = std::function<std::pair<const std::string*, const std::string*>(std::size_t)>;

void publish(const fs::path& dir_in, std::size_t count, const FileView& file_at, const std::vector<std::string>& own_hidden) {
  const fs::path dir = dir_in.has_filename() ? dir_in : dir_in.parent_path();
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  const std::string name = dir.filename().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw OutputError(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
  remove_stale_staging(parent, name);
  check_output_dir(dir, own_hidden);

  const fs::path staging = parent / ("." + name + kStagingMark + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  if (!fs::create_directory(staging, ec) || ec)
    throw OutputError(fmt::format("cannot create {}: {}", staging.string(), ec ? ec.message() : "exists"));
  int n = 0;
  try {
    nlohmann::json manifest = {{"files", nlohmann::json::array()}};
    for (std::size_t i = 0; i < count; ++i) {
      const auto [file, contents] = file_at(i);
      write_whole(staging / *file, *contents);
      manifest["files"].push_back({{"name", *file}, {"bytes", contents->size()}, {"fnv1a64", content_hash(*contents)}});
      step(n);
    }
    write_whole(staging / kManifestName, manifest.dump(2) + "\n");
    step(n);
    if (fs::exists(fs::symlink_status(dir))) {
      if (!exchange(staging, dir)) {
        // No atomic exchange on this file system: move the old set aside
        // first, so DIR is briefly absent but never mixed.
        const fs::path old = parent / ("." + name + kStagingMark + std::to_string(::getpid()) + "-old");
        fs::rename(dir, old);
        step(n);
        fs::rename(staging, dir);
        fs::remove_all(old, ec);
        return;
      }
      step(n);
      fs::remove_all(staging, ec);  // now the old set
    } else {
      fs::rename(staging, dir);
    }
    step(n);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(staging, ec);
    throw OutputError(fmt::format("cannot publish {}: {}", dir.string(), e.code().message()));
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
}

}  // namespace

void publish_output_set(const fs::path& dir, const OutputFiles& files, const std::vector<std::string>& own_hidden) {
  publish(dir, files.size(), [&](std::size_t i) { return std::pair{&files[i].first, &files[i].second}; }, own_hidden);
}

void publish_output_set(const fs::path& dir, std::size_t count, const FileMaker& file, const std::vector<std::string>& own_hidden) {
  std::pair<std::string, std::string> held;
  publish(dir, count, [&](std::size_t i) {
    held = file(i);
    return std::pair{&held.first, &held.second};
  }, own_hidden);
}

void write_file_atomically(const fs::path& path, const std::string& contents) {
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw OutputError(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
  if (fs::is_directory(path, ec)) throw OutputError(fmt::format("cannot write {}: it is a directory", path.string()));
  const fs::path tmp = parent / ("." + path.filename().string() + kStagingMark + std::to_string(::getpid()));
  try {
    write_whole(tmp, contents);
  } catch (const OutputError&) {
    fs::remove(tmp, ec);
    throw;
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);
    throw OutputError(fmt::format("cannot write {}: {}", path.string(), why));
  }
}

}  // namespace v3sim::report
