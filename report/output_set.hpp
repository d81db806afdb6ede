#pragma once
// Writing outputs all or nothing. A run's files form a set: they are written
// into a staging directory beside DIR and published in one rename (an atomic
// exchange when DIR already holds an older set), so at every instant DIR holds
// either the old complete set or the new one, never a mix, whether the run
// fails or is killed. A manifest, written into the set last, names its files
// with their sizes and hashes; it also marks DIR as v3sim's, so that a
// directory holding anything else is never replaced. Staging directories of
// killed runs are removed by the next publish beside them. (docs/outputs.md)
#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace v3sim::report {

inline constexpr const char* kManifestName = ".v3sim-set.json";

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using OutputFiles = std::vector<std::pair<std::string, std::string>>;  // name, contents

// Publishes `files` as the directory `dir`. Throws OutputError (nothing
// published, DIR untouched) when DIR exists but is not v3sim's or a write
// fails. Hidden files whose names start with a prefix in `own_hidden` (a
// sweep's journals) may sit in DIR and are dropped with the old set.
void publish_output_set(const std::filesystem::path& dir, const OutputFiles& files,
                        const std::vector<std::string>& own_hidden = {});

// The same for a set too large to hold at once (an export of thousands of
// traces): `file(i)` makes file i of `count` when it is written, and its
// contents are dropped before the next. A throw from `file` publishes nothing.
using FileMaker = std::function<std::pair<std::string, std::string>(std::size_t)>;
void publish_output_set(const std::filesystem::path& dir, std::size_t count, const FileMaker& file,
                        const std::vector<std::string>& own_hidden = {});

// Throws OutputError when `dir` exists and publish_output_set would refuse
// it: a check to make before spending time on what it will hold.
void check_output_dir(const std::filesystem::path& dir, const std::vector<std::string>& own_hidden = {});

// One file replaced by rename: readers see the old or the new file whole.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// The 64-bit FNV-1a hash the manifest records, in hex.
std::string content_hash(const std::string& contents);

}  // namespace v3sim::report
