#include "report/trace_writer.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>

namespace v3sim::report {
namespace {

// Microseconds with nanosecond precision, without a trailing ".000".
void append_us(std::string& out, sim::Time t) {
  const sim::Time whole = t / 1000, frac = t % 1000;
  // The hot paths of a large trace: formats compiled, not parsed per event.
  if (frac == 0)
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), whole);
  else if (t >= 0)
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}.{:03}"), whole, frac);
  else
    fmt::format_to(std::back_inserter(out), "{}", static_cast<double>(t) / 1000.0);
}

}  // namespace

TraceWriter::TraceWriter() { out_ = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":["; }

std::string TraceWriter::quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    switch (c) {
      case '"': q += "\\\""; break;
      case '\\': q += "\\\\"; break;
      case '\n': q += "\\n"; break;
      case '\t': q += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          q += fmt::format("\\u{:04x}", static_cast<int>(c));
        else
          q += c;
    }
  }
  return q + "\"";
}

void TraceWriter::begin_event() {
  if (!first_) out_ += ',';
  first_ = false;
  out_ += '\n';
}

void TraceWriter::append_args(const TraceArgs& args) {
  if (args.empty()) return;
  out_ += ",\"args\":{";
  for (std::size_t i = 0; i < args.size(); ++i)
    fmt::format_to(std::back_inserter(out_), FMT_COMPILE("{}\"{}\":{}"), i ? "," : "", args[i].first, args[i].second);
  out_ += '}';
}

void TraceWriter::process_name(int pid, std::string_view name) {
  begin_event();
  fmt::format_to(std::back_inserter(out_), "{{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":{},\"args\":{{\"name\":{}}}}}",
                 pid, quote(name));
}

void TraceWriter::process_sort_index(int pid, int index) {
  begin_event();
  fmt::format_to(std::back_inserter(out_),
                 "{{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":{},\"args\":{{\"sort_index\":{}}}}}", pid, index);
}

void TraceWriter::process_labels(int pid, std::string_view labels) {
  begin_event();
  fmt::format_to(std::back_inserter(out_),
                 "{{\"ph\":\"M\",\"name\":\"process_labels\",\"pid\":{},\"args\":{{\"labels\":{}}}}}", pid, quote(labels));
}

void TraceWriter::thread_sort_index(int pid, int tid, int index) {
  begin_event();
  fmt::format_to(std::back_inserter(out_),
                 "{{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":{},\"tid\":{},\"args\":{{\"sort_index\":{}}}}}", pid,
                 tid, index);
}

void TraceWriter::thread_name(int pid, int tid, std::string_view name) {
  begin_event();
  fmt::format_to(std::back_inserter(out_),
                 "{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":{},\"tid\":{},\"args\":{{\"name\":{}}}}}", pid, tid,
                 quote(name));
}

void TraceWriter::complete(std::string_view name, std::string_view cat, int pid, int tid, sim::Time start,
                           sim::Time dur, const TraceArgs& args) {
  begin_event();
  fmt::format_to(std::back_inserter(out_), FMT_COMPILE("{{\"ph\":\"X\",\"name\":{},\"cat\":{},\"pid\":{},\"tid\":{},\"ts\":"),
                 quote(name), quote(cat), pid, tid);
  append_us(out_, start);
  out_ += ",\"dur\":";
  append_us(out_, dur);
  append_args(args);
  out_ += '}';
}

void TraceWriter::async_span(std::string_view name, std::string_view cat, int pid, int tid, sim::Time start,
                             sim::Time end, const TraceArgs& args) {
  const std::uint64_t id = next_id_++;
  for (const char* ph : {"b", "e"}) {
    begin_event();
    fmt::format_to(std::back_inserter(out_), "{{\"ph\":\"{}\",\"name\":{},\"cat\":{},\"id\":{},\"pid\":{},\"tid\":{},\"ts\":", ph,
                   quote(name), quote(cat), id, pid, tid);
    append_us(out_, ph[0] == 'b' ? start : end);
    if (ph[0] == 'b') append_args(args);
    out_ += '}';
  }
}

void TraceWriter::counter(std::string_view name, int pid, sim::Time at, std::string_view series, double value) {
  begin_event();
  fmt::format_to(std::back_inserter(out_), "{{\"ph\":\"C\",\"name\":{},\"pid\":{},\"ts\":", quote(name), pid);
  append_us(out_, at);
  fmt::format_to(std::back_inserter(out_), ",\"args\":{{{}:{}}}}}", quote(series), value);
}

void TraceWriter::counter(std::string_view name, int pid, sim::Time at,
                          const TraceArgs& values) {
  begin_event();
  fmt::format_to(std::back_inserter(out_), "{{\"ph\":\"C\",\"name\":{},\"pid\":{},\"ts\":", quote(name), pid);
  append_us(out_, at);
  append_args(values);
  out_ += '}';
}

void TraceWriter::flow(std::string_view name, std::string_view cat, int pid, int tid, sim::Time from, int to_pid, int to_tid,
                       sim::Time to) {
  const std::uint64_t id = next_id_++;
  begin_event();
  fmt::format_to(std::back_inserter(out_), "{{\"ph\":\"s\",\"name\":{},\"cat\":{},\"id\":{},\"pid\":{},\"tid\":{},\"ts\":",
                 quote(name), quote(cat), id, pid, tid);
  append_us(out_, from);
  out_ += '}';
  begin_event();
  fmt::format_to(std::back_inserter(out_),
                 "{{\"ph\":\"f\",\"bp\":\"e\",\"name\":{},\"cat\":{},\"id\":{},\"pid\":{},\"tid\":{},\"ts\":", quote(name),
                 quote(cat), id, to_pid, to_tid);
  append_us(out_, to);
  out_ += '}';
}

void TraceWriter::top_level(std::string_view key, std::string json_value) {
  fmt::format_to(std::back_inserter(top_level_), ",\n{}:{}", quote(key), json_value);
}

std::string TraceWriter::finish() {
  out_ += "\n]";
  out_ += top_level_;
  out_ += "}\n";
  return std::move(out_);
}

}  // namespace v3sim::report
