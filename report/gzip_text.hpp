#pragma once
// Text compressed as a gzip member (RFC 1952) for outputs that users load
// compressed (trace.json.gz: Perfetto and chrome://tracing read it as is).
// The header carries no time stamp and no file name, so the same text always
// gives the same bytes.
#include <string>
#include <string_view>

namespace v3sim::report {

std::string gzip_text(std::string_view text);

}  // namespace v3sim::report
