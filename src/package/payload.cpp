// Payload resolution (SourceDisksNames/SourceDisksFiles), catalogs and the package hash.
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "isodrv/package.h"

namespace isodrv::package {
namespace fs = std::filesystem;

std::optional<std::string> normalize_relative_path(std::string_view path) {
  if (path.size() >= 2 && path[1] == ':') return std::nullopt;
  if (!path.empty() && (path[0] == '\\' || path[0] == '/')) {
    // A leading separator in a SourceDisksNames path means "from the root of the medium",
    // which for a package folder is the INF's folder.
    path.remove_prefix(1);
    if (!path.empty() && (path[0] == '\\' || path[0] == '/')) return std::nullopt;  // UNC
  }
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '\\' || path[i] == '/') {
      std::string_view part = path.substr(start, i - start);
      start = i + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") return std::nullopt;
      if (!out.empty()) out.push_back('/');
      out.append(part);
    }
  }
  return out;
}

namespace {

std::string join_rel(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out.push_back('\\');
    out.append(p);
  }
  return out;
}

struct Disk {
  std::string path;
};

void read_disks(const inf::Document& doc, std::string_view section, std::vector<std::pair<std::string, Disk>>& disks) {
  auto s = doc.section(section);
  if (!s) return;
  for (inf::Line l : *s) {
    if (!l.has_key()) continue;
    std::string id = *l.key();
    Disk d;
    d.path = l.field_count() > 3 ? l.field(3) : std::string();
    auto it = std::find_if(disks.begin(), disks.end(), [&](auto& p) { return inf::iequals(p.first, id); });
    if (it == disks.end()) disks.emplace_back(id, d);
    else it->second = d;
  }
}

}  // namespace

std::vector<PayloadFile> payload_files(const inf::Document& doc, inf::Arch arch) {
  const std::string suffix = "." + std::string(inf::arch_name(arch));
  std::vector<std::pair<std::string, Disk>> disks;
  read_disks(doc, "SourceDisksNames", disks);
  read_disks(doc, "SourceDisksNames" + suffix, disks);

  std::vector<PayloadFile> out;
  auto add_from = [&](std::string_view section, bool decorated) {
    auto s = doc.section(section);
    if (!s) return;
    for (inf::Line l : *s) {
      auto key = l.raw_key();
      if (!key || key->empty()) continue;
      PayloadFile f;
      f.name = std::string(*key);
      f.line = l;
      f.decorated = decorated;
      f.disk_id = l.field_count() > 0 && l.has_key() ? l.field(0) : std::string();
      f.subdir = l.has_key() && l.field_count() > 1 ? l.field(1) : std::string();
      for (auto& [id, d] : disks) {
        if (inf::iequals(id, f.disk_id)) f.disk_path = d.path;
      }
      auto rel = normalize_relative_path(join_rel({f.disk_path, f.subdir, f.name}));
      f.relative_path = rel ? *rel : std::string();
      auto it = std::find_if(out.begin(), out.end(), [&](const PayloadFile& o) { return inf::iequals(o.name, f.name); });
      if (it == out.end()) out.push_back(std::move(f));
      else if (decorated) *it = std::move(f);
    }
  };
  add_from("SourceDisksFiles", false);
  add_from("SourceDisksFiles" + suffix, true);
  return out;
}

std::optional<std::string> catalog_file(const inf::Document& doc, inf::Arch arch) {
  auto version = doc.section("Version");
  if (!version) return std::nullopt;
  for (std::string key : {"CatalogFile.NT" + std::string(inf::arch_name(arch)), std::string("CatalogFile.NT"),
                          std::string("CatalogFile")}) {
    if (auto l = version->find(key); l && l->field_count() > 0 && !l->field(0).empty()) return l->field(0);
  }
  return std::nullopt;
}

namespace {

bool hash_file(EVP_MD_CTX* ctx, const fs::path& p, bool with_header, const std::string& rel) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec) return false;
  if (with_header) {
    EVP_DigestUpdate(ctx, rel.data(), rel.size());
    const unsigned char nul = 0;
    EVP_DigestUpdate(ctx, &nul, 1);
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((static_cast<std::uint64_t>(size) >> (8 * i)) & 0xFF);
    EVP_DigestUpdate(ctx, len, 8);
  }
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf, static_cast<std::size_t>(in.gcount()));
  }
  return true;
}

// Finds a file case-insensitively below dir, as a Windows file system would.
std::optional<fs::path> find_ci(const fs::path& dir, const std::string& rel) {
  fs::path cur = dir;
  std::size_t start = 0;
  while (start <= rel.size()) {
    std::size_t slash = rel.find('/', start);
    std::string part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    fs::path exact = cur / part;
    std::error_code ec;
    if (fs::exists(exact, ec)) {
      cur = exact;
    } else {
      bool found = false;
      for (auto& e : fs::directory_iterator(cur, ec)) {
        if (inf::iequals(e.path().filename().string(), part)) {
          cur = e.path();
          found = true;
          break;
        }
      }
      if (!found) return std::nullopt;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return cur;
}

}  // namespace

std::optional<std::string> package_hash(const inf::Document& doc, const std::string& inf_dir, inf::Arch arch) {
  auto files = payload_files(doc, arch);
  std::vector<std::pair<std::string, fs::path>> present;
  for (const auto& f : files) {
    if (f.relative_path.empty()) return std::nullopt;
    auto p = find_ci(inf_dir.empty() ? fs::path(".") : fs::path(inf_dir), f.relative_path);
    if (!p || !fs::is_regular_file(*p)) return std::nullopt;
    present.emplace_back(inf::to_lower_ascii(f.relative_path), *p);
  }
  std::sort(present.begin(), present.end(), [](auto& a, auto& b) { return a.first < b.first; });
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, doc.bytes().data(), doc.bytes().size());
  bool ok = true;
  if (auto cat = catalog_file(doc, arch)) {
    auto p = find_ci(inf_dir.empty() ? fs::path(".") : fs::path(inf_dir), *cat);
    if (!p || !hash_file(ctx, *p, false, {})) ok = false;
  }
  for (auto& [rel, p] : present) {
    if (!ok) break;
    ok = hash_file(ctx, p, true, rel);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_DigestFinal_ex(ctx, md, &md_len);
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

std::string driver_store_folder_name(std::string_view inf_file_name, inf::Arch arch, std::string_view hash16) {
  return inf::to_lower_ascii(inf_file_name) + "_" + std::string(inf::arch_name(arch)) + "_" + std::string(hash16);
}

std::string driver_store_path(std::string_view inf_file_name, inf::Arch arch, std::string_view hash16) {
  return "C:\\Windows\\System32\\DriverStore\\FileRepository\\" + driver_store_folder_name(inf_file_name, arch, hash16);
}

inf::DiridContext dirids_for_file(const inf::Document& doc, const std::string& path, inf::Arch arch) {
  inf::DiridContext ctx;
  fs::path p(path);
  std::string dir = p.parent_path().string();
  ctx.src_path = dir.empty() ? "." : dir;
  auto hash = package_hash(doc, dir, arch);
  ctx.driver_store = driver_store_path(p.filename().string(), arch, hash ? *hash : "0000000000000000");
  return ctx;
}

}  // namespace isodrv::package
