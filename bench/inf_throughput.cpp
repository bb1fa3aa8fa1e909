// Single-threaded throughput driver for the INF engine over real files: reads each file and either
// counts its newlines (the memchr baseline), parses it, or parses it and reads every key and field back.
//
//   inf_throughput [--mode parse|full|view|memchr] [--copy] [--repeat N] [--tsv] [--quiet]
//                  [--tokenizer oracle|scalar|sse2|avx2] FILE... | --list LISTFILE
//
// --tokenizer forces one tokenizer path (src/inf/structural.h); the default is the best the CPU runs.
// full reads every key and field back as copies (Line::key_into / field_into into one string); view
// reads the same keys and fields as the package model does, through inf::key_view / field_view
// (a view of the document, or a substitution stored in a StringArena reset per document), and
// checksums them exactly as full does, so the two modes print the same checksum.
//
// LISTFILE holds one path per line. Every mode reads files with open + fstat + read, so the ratios
// between modes isolate the engine's cost. The memchr loop reads into one reused buffer; parse and
// full read each file with isodrv::read_input, the reader Document::load uses (a string of the file's
// own, sized from fstat with room to decode in place and not zero-filled before the read where the
// library has resize_and_overwrite), and hand it to Document::parse(std::string&&), as load does, so
// the document keeps the caller's bytes instead of a copy. With --copy they use the reused buffer and
// Document::parse(std::string_view) instead, which copies the bytes. The report gives bytes, files,
// seconds, MB/s (10^6 bytes), files/s, the process's peak RSS (getrusage ru_maxrss) and, from counting
// operator new/delete, the heap that one open Document needed at its peak relative to its file's size.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "inf/structural.h"
#include "isodrv/inf.h"
#include "isodrv/inf_arena.h"
#include "isodrv/input.h"

// ---------------------------------------------------------------------------------------------
// Heap accounting: live and peak bytes of C++ allocations. Single-threaded, so plain counters.
// The cost is a malloc_usable_size call per delete, the same in every mode.
// ---------------------------------------------------------------------------------------------
namespace {
std::size_t g_live = 0;
std::size_t g_peak = 0;
std::uint64_t g_allocs = 0;
bool g_quiet = false;
bool g_copy = false;

void* counted_alloc(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  ++g_allocs;
  g_live += malloc_usable_size(p);
  if (g_live > g_peak) g_peak = g_live;
  return p;
}
void counted_free(void* p) noexcept {
  if (!p) return;
  g_live -= malloc_usable_size(p);
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }

namespace {

namespace inf = isodrv::inf;

enum class Mode { memchr, parse, full, view };

struct Totals {
  std::uint64_t bytes = 0, files = 0, failed = 0, newlines = 0;
  std::uint64_t checksum = 0;
  std::uint64_t lines = 0, fields = 0, substituted_bytes = 0;
  // Largest per-document heap peak, and the file it came from.
  std::uint64_t max_doc_peak = 0, max_doc_peak_file_bytes = 0;
  // Heap peak of the largest file.
  std::uint64_t largest_file = 0, largest_file_peak = 0;
  // Sum of per-document peaks (for a size-weighted ratio).
  std::uint64_t sum_doc_peak = 0;
};

const char* name_of(Mode mode) {
  switch (mode) {
    case Mode::memchr: return "memchr";
    case Mode::parse: return "parse";
    case Mode::full: return "full";
    case Mode::view: return "view";
  }
  return "?";
}

[[noreturn]] void usage(const char* msg) {
  if (msg) std::fprintf(stderr, "inf_throughput: %s\n", msg);
  std::fprintf(stderr,
               "usage: inf_throughput [--mode parse|full|view|memchr] [--copy] [--repeat N] [--tsv] [--quiet]\n"
               "                      [--tokenizer oracle|scalar|sse2|avx2] FILE... | --list LISTFILE\n");
  std::exit(2);
}

// Reads the whole file into buf (reused across files; grows only). Returns the size, or -1.
long read_file(const char* path, std::vector<char>& buf) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return -1;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  // The spare capacity read_input leaves for decoding in place (see src/inf/read_input.cpp).
  if (buf.capacity() < size) buf.reserve(size + size / 4 + 64);
  if (buf.size() < size) buf.resize(size);
  std::size_t got = 0;
  while (got < size) {
    ssize_t r = ::read(fd, buf.data() + got, size - got);
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  return static_cast<long>(got);
}

inline void mix(std::uint64_t& h, std::uint64_t v) { h = (h ^ v) * 0x100000001B3ULL; }

// Reads back everything the model holds, substituting as SetupGetStringField does: keys through
// key_into and fields through field_into (both substitute only what the tokenizer flagged as
// possibly holding a '%', as Line::key() and Line::field() do), into one buffer.
void read_back(const inf::Document& doc, std::string& out, Totals& t) {
  for (std::size_t s = 0, ns = doc.section_count(); s < ns; ++s) {
    inf::Section sec = doc.section_at(s);
    mix(t.checksum, sec.name().size());
    for (inf::Line line : sec) {
      ++t.lines;
      out.clear();
      if (line.key_into(out)) {
        mix(t.checksum, out.size());
        t.substituted_bytes += out.size();
      }
      for (std::size_t i = 0, nf = line.field_count(); i < nf; ++i) {
        out.clear();
        line.field_into(i, out);
        mix(t.checksum, out.size() + (out.empty() ? 0 : static_cast<unsigned char>(out.back())));
        t.substituted_bytes += out.size();
      }
      t.fields += line.field_count();
    }
  }
}

// The same keys and fields read as views (inf::key_view / inf::field_view, as the package model
// reads them): no copy of a field without a token; a substituted one is stored in `arena`, which
// the caller resets after each document. Checksummed exactly as read_back, so the checksums agree.
void view_back(const inf::Document& doc, inf::StringArena& arena, Totals& t) {
  for (std::size_t s = 0, ns = doc.section_count(); s < ns; ++s) {
    inf::Section sec = doc.section_at(s);
    mix(t.checksum, sec.name().size());
    for (inf::Line line : sec) {
      ++t.lines;
      if (const std::optional<std::string_view> key = inf::key_view(line, arena)) {
        mix(t.checksum, key->size());
        t.substituted_bytes += key->size();
      }
      for (std::size_t i = 0, nf = line.field_count(); i < nf; ++i) {
        const std::string_view v = inf::field_view(line, i, arena);
        mix(t.checksum, v.size() + (v.empty() ? 0 : static_cast<unsigned char>(v.back())));
        t.substituted_bytes += v.size();
      }
      t.fields += line.field_count();
    }
  }
}

// What a run reuses from file to file.
struct Sinks {
  std::vector<char> buf;   // the memchr loop's and --copy's read buffer
  std::string out;         // full's read-back string
  inf::StringArena arena;  // view's substitutions, reset after each document
};

void run_one(Mode mode, const std::string& path, Sinks& sinks, Totals& t) {
  std::vector<char>& buf = sinks.buf;
  // The document's heap peak is counted from before its bytes are read, so the bytes it keeps count
  // whether it copied them (--copy) or took them over.
  const std::size_t live_before = g_live;
  g_peak = g_live;
  std::string owned;
  long n = -1;
  if (mode == Mode::memchr || g_copy) {
    n = read_file(path.c_str(), buf);
  } else if (auto r = isodrv::read_input(path)) {
    owned = std::move(*r);
    n = static_cast<long>(owned.size());
  }
  if (n < 0) {
    std::fprintf(stderr, "inf_throughput: cannot read %s\n", path.c_str());
    ++t.failed;
    return;
  }
  const auto size = static_cast<std::uint64_t>(n);
  t.bytes += size;
  ++t.files;
  std::string_view bytes(buf.data(), size);
  if (mode != Mode::memchr && !g_copy) bytes = owned;
  if (mode == Mode::memchr) {
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    std::uint64_t count = 0;
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      if (!nl) break;
      ++count;
      p = static_cast<const char*>(nl) + 1;
    }
    t.newlines += count;
    mix(t.checksum, count);
    return;
  }
  {
    auto doc = g_copy ? inf::Document::parse(bytes, path) : inf::Document::parse(std::move(owned), path);
    if (!doc.ok()) {
      // Files SetupOpenInfFile refuses (no signature, bad header) still cost a full parse; they
      // count in bytes and files, and the first few are named.
      if (t.failed++ < 3 && !g_quiet) std::fprintf(stderr, "inf_throughput: %s\n", doc.error().to_string().c_str());
      mix(t.checksum, 1);
    } else {
      mix(t.checksum, doc.value().line_count());
      if (mode == Mode::full) read_back(doc.value(), sinks.out, t);
      if (mode == Mode::view) {
        view_back(doc.value(), sinks.arena, t);
        sinks.arena.reset();
      }
    }
  }
  const std::uint64_t peak = g_peak - live_before;
  t.sum_doc_peak += peak;
  if (peak > t.max_doc_peak) {
    t.max_doc_peak = peak;
    t.max_doc_peak_file_bytes = size;
  }
  if (size >= t.largest_file) {
    t.largest_file = size;
    t.largest_file_peak = peak;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Mode mode = Mode::full;
  int repeat = 1;
  bool tsv = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--mode") {
      if (++i >= argc) usage("--mode needs a value");
      std::string_view m = argv[i];
      if (m == "parse") mode = Mode::parse;
      else if (m == "full") mode = Mode::full;
      else if (m == "view") mode = Mode::view;
      else if (m == "memchr") mode = Mode::memchr;
      else usage("unknown mode");
    } else if (a == "--repeat") {
      if (++i >= argc) usage("--repeat needs a value");
      repeat = std::max(1, std::atoi(argv[i]));
    } else if (a == "--tsv") {
      tsv = true;
    } else if (a == "--copy") {
      g_copy = true;
    } else if (a == "--tokenizer") {
      if (++i >= argc) usage("--tokenizer needs a value");
      std::string_view t = argv[i];
      bool known = false;
      for (auto k : {inf::Tokenizer::oracle, inf::Tokenizer::scalar, inf::Tokenizer::sse2, inf::Tokenizer::avx2}) {
        if (t != inf::tokenizer_name(k)) continue;
        if (!inf::tokenizer_supported(k)) usage("this CPU cannot run that tokenizer");
        inf::set_tokenizer(k);
        known = true;
      }
      if (!known) usage("unknown tokenizer");
    } else if (a == "--quiet") {
      g_quiet = true;
    } else if (a == "--list") {
      if (++i >= argc) usage("--list needs a file");
      std::ifstream in(argv[i]);
      if (!in) usage("cannot open the list file");
      std::string line;
      while (std::getline(in, line)) {
        if (!line.empty()) files.push_back(line);
      }
    } else if (a == "-h" || a == "--help") {
      usage(nullptr);
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) usage("no input files");

  Sinks sinks;
  sinks.out.reserve(8192);
  const char* mode_name = name_of(mode);

  for (int r = 0; r < repeat; ++r) {
    Totals t;
    const std::uint64_t allocs_before = g_allocs;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& f : files) run_one(mode, f, sinks, t);
    auto t1 = std::chrono::steady_clock::now();
    const std::uint64_t allocs = g_allocs - allocs_before;
    double secs = std::chrono::duration<double>(t1 - t0).count();
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    const double mbps = static_cast<double>(t.bytes) / 1e6 / secs;
    const double fps = static_cast<double>(t.files) / secs;
    const double largest_ratio = t.largest_file ? double(t.largest_file_peak) / double(t.largest_file) : 0;
    const double weighted_ratio = t.bytes ? double(t.sum_doc_peak) / double(t.bytes) : 0;
    if (tsv) {
      // mode bytes files failed seconds mbps files_per_s maxrss_kb largest_file largest_peak weighted_ratio checksum
      std::printf("%s\t%llu\t%llu\t%llu\t%.6f\t%.1f\t%.0f\t%ld\t%llu\t%llu\t%.3f\t%016llx\n", mode_name,
                  (unsigned long long)t.bytes, (unsigned long long)t.files, (unsigned long long)t.failed, secs, mbps,
                  fps, ru.ru_maxrss, (unsigned long long)t.largest_file, (unsigned long long)t.largest_file_peak,
                  weighted_ratio, (unsigned long long)t.checksum);
    } else {
      std::printf("mode %s: %llu bytes, %llu files (%llu failed), %.3f s, %.1f MB/s, %.0f files/s, peak RSS %.1f MiB\n",
                  mode_name, (unsigned long long)t.bytes, (unsigned long long)t.files, (unsigned long long)t.failed,
                  secs, mbps, fps, double(ru.ru_maxrss) / 1024.0);
      std::printf("  %llu heap allocations (%.1f per file)\n", (unsigned long long)allocs,
                  t.files ? double(allocs) / double(t.files) : 0.0);
      if (mode != Mode::memchr) {
        std::printf("  per-document heap peak: largest file %.1f MiB -> %.1f MiB (%.2fx); max %.1f MiB for a "
                    "%.1f MiB file; all files %.2fx of their bytes\n",
                    double(t.largest_file) / 1048576.0, double(t.largest_file_peak) / 1048576.0, largest_ratio,
                    double(t.max_doc_peak) / 1048576.0, double(t.max_doc_peak_file_bytes) / 1048576.0,
                    weighted_ratio);
      }
      if (mode == Mode::full || mode == Mode::view) {
        std::printf("  read back %llu lines, %llu fields, %llu substituted bytes\n", (unsigned long long)t.lines,
                    (unsigned long long)t.fields, (unsigned long long)t.substituted_bytes);
      } else if (mode == Mode::memchr) {
        std::printf("  %llu newlines\n", (unsigned long long)t.newlines);
      }
      std::printf("  checksum %016llx\n", (unsigned long long)t.checksum);
    }
    std::fflush(stdout);
  }
  return 0;
}
