#pragma once
// Writing outputs atomically: every file goes to a temporary name beside its
// target and is renamed into place only once all of them were written, so a
// failed run leaves no partial output.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace v3sim::report {

// Writes each (name, contents) under dir; throws std::runtime_error on failure
// after removing whatever temporary files it made.
void write_files_atomically(const std::filesystem::path& dir,
                            const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace v3sim::report
