// Parse throughput of the INF engine over in-memory inputs (no file I/O): the shipped quokka.inf, a
// synthetic large INF in ASCII and in UTF-16LE, and the shared corpus (concatenated, and file by file).
//
// For each input: Memchr (the newline-counting floor), Parse (Document::parse: decode, tokenize, build
// the model, select [Strings]), Full (Parse + every key and field read back with substitution) and
// ReadBack (the read-back alone over an already parsed document). Bytes/s come from SetBytesProcessed;
// files/s is a rate counter. Run with --benchmark_filter=Corpus to pick inputs.
#include <benchmark/benchmark.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "isodrv/inf.h"

namespace {

namespace inf = isodrv::inf;
namespace fs = std::filesystem;

struct Input {
  std::string name;
  std::vector<std::string> docs;  // raw bytes of each document
  std::size_t bytes = 0;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A large INF shaped like real network and device packages: models, install sections with
// CopyFiles/AddReg/AddService, quoted registry data with embedded commas and doubled quotes,
// comments, continuation lines, %strkey% and %dirid% tokens, and a [Strings] section at the end.
std::string synthetic_inf(std::size_t target_bytes) {
  std::string s;
  s.reserve(target_bytes + 4096);
  s += "; Synthetic INF for parser benchmarks. Generated; not a real package.\r\n"
       "[Version]\r\n"
       "Signature   = \"$Windows NT$\"\r\n"
       "Class       = Net\r\n"
       "ClassGuid   = {4d36e972-e325-11ce-bfc1-08002be10318}\r\n"
       "Provider    = %ManufacturerName%\r\n"
       "CatalogFile = synth.cat\r\n"
       "DriverVer   = 01/15/2025,10.0.26100.1\r\n"
       "PnpLockdown = 1\r\n\r\n"
       "[Manufacturer]\r\n"
       "%ManufacturerName% = Synth, NTamd64.10.0...19041, NTarm64.10.0...19041\r\n\r\n"
       "[DestinationDirs]\r\n"
       "DefaultDestDir = 13\r\n\r\n";
  std::string strings =
      "[Strings]\r\n"
      "ManufacturerName = \"Synthetic Devices, Inc.\"\r\n"
      "REG_DWORD        = 0x00010001\r\n"
      "REG_SZ           = 0x00000000\r\n";
  for (std::size_t i = 0; s.size() + strings.size() < target_bytes; ++i) {
    const std::string n = std::to_string(i);
    s += "[Synth.NTamd64.10.0...19041]\r\n"
         "%Dev" + n + ".DeviceDesc% = Dev" + n + "_Install, PCI\\VEN_8086&DEV_" + n +
         "&SUBSYS_00008086, PCI\\VEN_8086&DEV_" + n + "\r\n\r\n"
         "[Dev" + n + "_Install.NT]\r\n"
         "Characteristics = 0x84 ; NCF_PHYSICAL | NCF_HAS_UI\r\n"
         "BusType         = 5\r\n"
         "CopyFiles       = Dev" + n + "_CopyFiles\r\n"
         "AddReg          = Dev" + n + "_AddReg, \\\r\n"
         "                  Common_AddReg\r\n\r\n"
         "[Dev" + n + "_Install.NT.Services]\r\n"
         "AddService = synth" + n + ", 2, Dev" + n + "_Service_Inst, Dev" + n + "_EventLog_Inst\r\n\r\n"
         "[Dev" + n + "_Service_Inst]\r\n"
         "DisplayName    = %Dev" + n + ".ServiceName%\r\n"
         "ServiceType    = 1 ; SERVICE_KERNEL_DRIVER\r\n"
         "StartType      = 3\r\n"
         "ErrorControl   = 1\r\n"
         "ServiceBinary  = %13%\\synth" + n + ".sys\r\n"
         "LoadOrderGroup = NDIS\r\n\r\n"
         "[Dev" + n + "_AddReg]\r\n"
         "HKR, Ndi\\params\\Speed" + n + ", ParamDesc, 0, %Speed%\r\n"
         "HKR, Ndi\\params\\Speed" + n + ", default,   0, \"0\"\r\n"
         "HKR, Ndi\\params\\Speed" + n + "\\enum, \"0\", 0, \"Auto, negotiated\"\r\n"
         "HKR, Ndi\\params\\Speed" + n + "\\enum, \"1\", 0, \"10 Mb/s \"\"half\"\" duplex\"\r\n"
         "HKR,, DeviceCharacteristics, %REG_DWORD%, 0x100\r\n"
         "HKR,, Security,, \"D:P(A;;GA;;;SY)(A;;GA;;;BA)\"\r\n"
         "HKR,, EnumPropPages32,, \"synthprop.dll,SynthPropPageProvider\"\r\n\r\n"
         "[Dev" + n + "_CopyFiles]\r\n"
         "synth" + n + ".sys,,,0x00004000 ; COPYFLG_IN_USE_RENAME\r\n\r\n"
         "[Dev" + n + "_EventLog_Inst]\r\n"
         "AddReg = Dev" + n + "_EventLog_AddReg\r\n\r\n"
         "[Dev" + n + "_EventLog_AddReg]\r\n"
         "HKR,,EventMessageFile,0x00020000,\"%%SystemRoot%%\\System32\\netevent.dll;%12%\\synth" + n + ".sys\"\r\n"
         "HKR,,TypesSupported,0x00010001,7\r\n\r\n";
    strings += "Dev" + n + ".DeviceDesc  = \"Synthetic Ethernet Adapter " + n + " (10/100/1000)\"\r\n";
    strings += "Dev" + n + ".ServiceName = \"Synthetic Ethernet Miniport " + n + "\"\r\n";
  }
  strings += "Speed            = \"Speed & Duplex\"\r\n";
  return s + "\r\n" + strings;
}

// UTF-16LE with a BOM; the input is ASCII.
std::string to_utf16le(std::string_view ascii) {
  std::string out;
  out.reserve(2 + ascii.size() * 2);
  out += "\xFF\xFE";
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// The corpus files listed in MANIFEST.tsv (first column), or every .inf/.inx under the directory.
std::vector<fs::path> corpus_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::ifstream manifest(dir / "MANIFEST.tsv");
  if (manifest) {
    std::string line;
    bool header = true;
    while (std::getline(manifest, line)) {
      if (header) { header = false; continue; }
      auto tab = line.find('\t');
      if (tab == 0 || line.empty()) continue;
      fs::path p = dir / line.substr(0, tab);
      if (fs::is_regular_file(p)) out.push_back(p);
    }
    return out;
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    auto ext = it->path().extension().string();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (it->is_regular_file() && (ext == ".inf" || ext == ".inx")) out.push_back(it->path());
  }
  return out;
}

inline void mix(std::uint64_t& h, std::uint64_t v) { h = (h ^ v) * 0x100000001B3ULL; }

// Reads every key and field back with substitution into one reused buffer.
std::uint64_t read_back(const inf::Document& doc, std::string& out) {
  std::uint64_t h = 0;
  for (std::size_t s = 0, ns = doc.section_count(); s < ns; ++s) {
    for (inf::Line line : doc.section_at(s)) {
      if (auto raw = line.raw_key()) {
        out.clear();
        doc.substitute(*raw, out);
        mix(h, out.size());
      }
      for (std::size_t i = 0, nf = line.field_count(); i < nf; ++i) {
        out.clear();
        line.field_into(i, out);
        mix(h, out.size());
      }
    }
  }
  return h;
}

void set_rates(benchmark::State& state, const Input& in) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.bytes));
  state.counters["files/s"] = benchmark::Counter(static_cast<double>(state.iterations() * in.docs.size()),
                                                 benchmark::Counter::kIsRate);
  state.counters["input_bytes"] = static_cast<double>(in.bytes);
}

void BM_Memchr(benchmark::State& state, const Input* in) {
  for (auto _ : state) {
    std::uint64_t n = 0;
    for (const auto& d : in->docs) {
      const char* p = d.data();
      const char* end = p + d.size();
      while (p < end) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (!nl) break;
        ++n;
        p = static_cast<const char*>(nl) + 1;
      }
    }
    benchmark::DoNotOptimize(n);
  }
  set_rates(state, *in);
}

void BM_Parse(benchmark::State& state, const Input* in) {
  for (auto _ : state) {
    for (const auto& d : in->docs) {
      auto doc = inf::Document::parse(d);
      benchmark::DoNotOptimize(doc);
    }
  }
  set_rates(state, *in);
}

void BM_Full(benchmark::State& state, const Input* in) {
  std::string out;
  out.reserve(8192);
  for (auto _ : state) {
    for (const auto& d : in->docs) {
      auto doc = inf::Document::parse(d);
      if (doc.ok()) benchmark::DoNotOptimize(read_back(doc.value(), out));
    }
  }
  set_rates(state, *in);
}

void BM_ReadBack(benchmark::State& state, const Input* in) {
  std::vector<inf::Document> docs;
  for (const auto& d : in->docs) {
    auto doc = inf::Document::parse(d);
    if (doc.ok()) docs.push_back(std::move(doc.value()));
  }
  std::string out;
  out.reserve(8192);
  for (auto _ : state) {
    for (const auto& doc : docs) benchmark::DoNotOptimize(read_back(doc, out));
  }
  set_rates(state, *in);
}

std::vector<std::unique_ptr<Input>> g_inputs;

Input* add_input(std::string name, std::vector<std::string> docs) {
  auto in = std::make_unique<Input>();
  in->name = std::move(name);
  in->docs = std::move(docs);
  for (const auto& d : in->docs) in->bytes += d.size();
  if (in->docs.size() == 1) {
    // A single-document input must open, or Parse would time an early error return.
    if (auto doc = inf::Document::parse(in->docs[0]); !doc.ok()) {
      std::fprintf(stderr, "inf_parse_bench: input %s does not open: %s\n", in->name.c_str(),
                   doc.error().to_string().c_str());
    }
  }
  g_inputs.push_back(std::move(in));
  return g_inputs.back().get();
}

void build_inputs() {
  fs::path quokka = fs::path(ISODRV_SOURCE_DIR) / "examples" / "quokka" / "quokka.inf";
  if (fs::is_regular_file(quokka)) add_input("quokka", {slurp(quokka)});

  std::string synth = synthetic_inf(8u << 20);
  add_input("synthetic_ascii_8MB", {synth});
  add_input("synthetic_utf16le_16MB", {to_utf16le(synth)});

  fs::path corpus = ISODRV_CORPUS_DIR;
  auto files = fs::is_directory(corpus) ? corpus_files(corpus) : std::vector<fs::path>{};
  if (files.empty()) {
    std::fprintf(stderr, "inf_parse_bench: corpus not found at %s; corpus inputs skipped\n", corpus.c_str());
    return;
  }
  std::vector<std::string> each;
  for (const auto& f : files) each.push_back(slurp(f));
  // The corpus as one document: every file decoded to UTF-8 and joined, behind a UTF-8 BOM.
  std::string joined = "\xEF\xBB\xBF";
  for (const auto& b : each) {
    auto dec = inf::decode(b);
    if (!dec.ok()) continue;
    joined += dec.value().view(b);
    joined += "\r\n";
  }
  add_input("corpus_concat_utf8", {std::move(joined)});
  add_input("corpus_files", std::move(each));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  build_inputs();
  for (const auto& in : g_inputs) {
    const Input* p = in.get();
    benchmark::RegisterBenchmark(("Memchr/" + in->name).c_str(), BM_Memchr, p)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Parse/" + in->name).c_str(), BM_Parse, p)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Full/" + in->name).c_str(), BM_Full, p)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("ReadBack/" + in->name).c_str(), BM_ReadBack, p)->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
