// `isodrv inf dump`: the parsed model of one INF as SetupAPI would return it (DESIGN.md §4).
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "isodrv/inf.h"
#include "isodrv/package.h"

namespace isodrv::cli {
namespace {

struct DumpOptions {
  std::string file;
  bool json = false;
  std::string lang = "0409";
  std::string arch = "amd64";
  unsigned codepage = 1252;
};

std::string_view note_name(inf::NoteKind k) {
  switch (k) {
    case inf::NoteKind::field_truncated: return "field_truncated";
    case inf::NoteKind::substitution_truncated: return "substitution_truncated";
    case inf::NoteKind::text_after_section: return "text_after_section";
    case inf::NoteKind::unterminated_quote: return "unterminated_quote";
    case inf::NoteKind::line_before_section: return "line_before_section";
    case inf::NoteKind::nul_character: return "nul_character";
    case inf::NoteKind::ctrl_z_end: return "ctrl_z_end";
    case inf::NoteKind::continuation_at_eof: return "continuation_at_eof";
  }
  return "unknown";
}

nlohmann::json flags_json(const inf::DecodeFlags& f) {
  nlohmann::json out = nlohmann::json::array();
  if (f.utf8_without_bom) out.push_back("utf8_without_bom");
  if (f.odd_length_utf16) out.push_back("odd_length_utf16");
  if (f.unpaired_surrogate) out.push_back("unpaired_surrogate");
  if (f.non_ascii_ansi) out.push_back("non_ascii_ansi");
  if (f.embedded_nul) out.push_back("embedded_nul");
  if (f.ctrl_z) out.push_back("ctrl_z");
  return out;
}

// `inf dump --json`: sections, lines and fields as parsed, with the decoding flags and notes.
void print_json(const inf::Document& d, const std::string& file) {
  nlohmann::json j;
  j["path"] = file;
  j["encoding"] = inf::encoding_name(d.encoding());
  j["ok"] = true;
  j["error"] = nullptr;
  auto& sections = j["sections"] = nlohmann::json::array();
  for (std::size_t s = 0; s < d.section_count(); ++s) {
    inf::Section sec = d.section_at(s);
    nlohmann::json js;
    js["name"] = sec.name();
    js["line"] = sec.line();
    auto& lines = js["lines"] = nlohmann::json::array();
    for (inf::Line l : sec) {
      nlohmann::json jl;
      jl["line"] = l.line();
      if (auto k = l.key()) jl["key"] = *k;
      else jl["key"] = nullptr;
      auto& fields = jl["fields"] = nlohmann::json::array();
      for (std::size_t i = 0; i < l.field_count(); ++i) fields.push_back(l.field(i));
      lines.push_back(std::move(jl));
    }
    sections.push_back(std::move(js));
  }
  j["decode_flags"] = flags_json(d.decode_flags());
  auto& notes = j["notes"] = nlohmann::json::array();
  for (const auto& n : d.notes()) {
    notes.push_back({{"kind", note_name(n.kind)}, {"line", n.line}, {"column", n.column}});
  }
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// `inf dump`: sections, lines and fields as parsed, one line each.
void print_text(const inf::Document& d, const std::string& file) {
  std::cout << file << ": " << inf::encoding_name(d.encoding()) << ", " << d.section_count()
            << " sections, " << d.line_count() << " lines\n";
  for (std::size_t s = 0; s < d.section_count(); ++s) {
    inf::Section sec = d.section_at(s);
    std::cout << "\n[" << sec.name() << "]    ; line " << sec.line() << "\n";
    for (inf::Line l : sec) {
      std::cout << "  " << l.line() << ": ";
      if (l.has_key()) std::cout << *l.key() << " = ";
      for (std::size_t i = 0; i < l.field_count(); ++i) {
        if (i) std::cout << ", ";
        std::cout << '"' << l.field(i) << '"';
      }
      std::cout << "\n";
    }
  }
  for (const auto& n : d.notes()) {
    std::cout << file << ":" << n.line << ":" << n.column << ": note: " << note_name(n.kind) << "\n";
  }
}

int run_dump(const DumpOptions& o) {
  auto arch = inf::parse_arch(o.arch);
  if (!arch) {
    std::cerr << "isodrv: unknown architecture '" << o.arch << "' (x86, amd64, arm, arm64, ia64)\n";
    return kExitUsage;
  }
  unsigned long langid = 0;
  try {
    std::size_t used = 0;
    langid = std::stoul(o.lang, &used, 16);
    if (used != o.lang.size() || langid > 0xFFFF) throw std::invalid_argument("lang");
  } catch (const std::exception&) {
    std::cerr << "isodrv: --lang takes a 4-digit hexadecimal LANGID such as 0409\n";
    return kExitUsage;
  }
  inf::ParseOptions opts;
  opts.langid = static_cast<std::uint16_t>(langid);
  opts.decode.codepage = o.codepage;
  auto doc = inf::Document::load(o.file, opts);
  if (!doc.ok()) {
    const Error& e = doc.error();
    if (o.json) {
      nlohmann::json j;
      j["path"] = o.file;
      j["encoding"] = nullptr;
      j["ok"] = false;
      j["error"] = {{"name", errc_name(e.code)}, {"line", e.line}, {"message", e.message}};
      j["sections"] = nlohmann::json::array();
      std::cout << j.dump(2) << "\n";
    }
    std::cerr << "isodrv: " << e.to_string() << " (" << errc_name(e.code) << ")\n";
    return exit_for(e);
  }
  doc->set_dirids(package::dirids_for_file(*doc, o.file, *arch));

  if (o.json) {
    print_json(*doc, o.file);
    return kExitOk;
  }
  print_text(*doc, o.file);
  return kExitOk;
}

}  // namespace

void register_inf_commands(CLI::App& app, Context& ctx) {
  auto* inf_cmd = app.add_subcommand("inf", "Read INF files the way SetupAPI does");
  inf_cmd->require_subcommand(1);
  auto opts = std::make_shared<DumpOptions>();
  auto* dump = inf_cmd->add_subcommand("dump", "Print the parsed model of an INF, as SetupAPI would return it");
  dump->add_flag("--json", opts->json, "JSON output");
  dump->add_option("--lang", opts->lang, "LANGID for [Strings.LLLL] selection, hexadecimal (default 0409)");
  dump->add_option("--arch", opts->arch, "Target architecture (default amd64)");
  dump->add_option("--codepage", opts->codepage, "ANSI code page for files without a BOM (default 1252)");
  dump->add_option("FILE", opts->file, "INF file")->required();
  dump->callback([opts, &ctx] { ctx.exit_code = combine_exit(ctx.exit_code, run_dump(*opts)); });
}

}  // namespace isodrv::cli
