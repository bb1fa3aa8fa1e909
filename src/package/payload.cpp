// Payload resolution (SourceDisksNames/SourceDisksFiles), catalogs and the package hash.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

#include "isodrv/package.h"

namespace isodrv::package {
namespace fs = std::filesystem;

namespace {

// normalize_relative_path's value written to `out` (cleared first; reused by payload_files for
// every entry); false, `out` unspecified, where that returns nullopt.
bool normalize_into(std::string_view path, std::string& out) {
  out.clear();
  if (path.size() >= 2 && path[1] == ':') return false;
  if (!path.empty() && (path[0] == '\\' || path[0] == '/')) {
    // A leading separator in a SourceDisksNames path means "from the root of the medium",
    // which for a package folder is the INF's folder.
    path.remove_prefix(1);
    if (!path.empty() && (path[0] == '\\' || path[0] == '/')) return false;  // UNC
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '\\' || path[i] == '/') {
      std::string_view part = path.substr(start, i - start);
      start = i + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") return false;
      if (!out.empty()) out.push_back('/');
      out.append(part);
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> normalize_relative_path(std::string_view path) {
  std::string out;
  if (!normalize_into(path, out)) return std::nullopt;
  return out;
}

namespace {

// The non-empty parts joined with a backslash into `out` (cleared first: one buffer for every entry).
void join_rel(std::initializer_list<std::string_view> parts, std::string& out) {
  out.clear();
  for (auto p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out.push_back('\\');
    out.append(p);
  }
}

struct Disk {
  std::string path;
};

void read_disks(const inf::Document& doc, std::string_view section, std::vector<std::pair<std::string, Disk>>& disks) {
  auto s = doc.section(section);
  if (!s) return;
  disks.reserve(disks.size() + s->line_count());
  for (inf::Line l : *s) {
    if (!l.has_key()) continue;
    std::string id;
    l.key_into(id);
    Disk d;
    l.field_into(3, d.path);  // "" when the line has no fourth field
    auto it = std::find_if(disks.begin(), disks.end(), [&](auto& p) { return inf::iequals(p.first, id); });
    if (it == disks.end()) disks.emplace_back(id, d);
    else it->second = d;
  }
}

// "<base>.<arch>" in `buf`: the decorated section names are built per INF, and a std::string of
// "SourceDisksFiles.amd64" is too long for its inline buffer (an allocation each).
std::string_view with_arch(std::string_view base, inf::Arch arch, std::array<char, 48>& buf) {
  const std::string_view a = inf::arch_name(arch);
  if (base.size() + 1 + a.size() > buf.size()) return {};
  std::copy(base.begin(), base.end(), buf.begin());
  buf[base.size()] = '.';
  std::copy(a.begin(), a.end(), buf.begin() + static_cast<std::ptrdiff_t>(base.size() + 1));
  return std::string_view(buf.data(), base.size() + 1 + a.size());
}

}  // namespace

std::vector<PayloadFile> payload_files(const inf::Document& doc, inf::Arch arch) {
  std::array<char, 48> buf{};
  std::vector<std::pair<std::string, Disk>> disks;
  read_disks(doc, "SourceDisksNames", disks);
  read_disks(doc, with_arch("SourceDisksNames", arch, buf), disks);

  std::vector<PayloadFile> out;
  std::string joined;  // disk path, subdir and name of an entry, one buffer for every entry
  auto add_from = [&](const std::optional<inf::Section>& s, bool decorated) {
    if (!s) return;
    for (inf::Line l : *s) {
      auto key = l.raw_key();
      if (!key || key->empty()) continue;
      PayloadFile f;
      l.key_into(f.name);  // substituted, as copy-list names are (a raw key means a key)
      f.line = l;
      f.decorated = decorated;
      if (l.has_key()) {
        l.field_into(0, f.disk_id);  // each "" when the field is absent
        l.field_into(1, f.subdir);
      }
      const Disk* disk = nullptr;  // the last SourceDisksNames entry of that id
      for (const auto& [id, d] : disks) {
        if (inf::iequals(id, f.disk_id)) disk = &d;
      }
      if (disk) f.disk_path = disk->path;
      join_rel({f.disk_path, f.subdir, f.name}, joined);
      if (!normalize_into(joined, f.relative_path)) f.relative_path.clear();
      auto it = std::find_if(out.begin(), out.end(), [&](const PayloadFile& o) { return inf::iequals(o.name, f.name); });
      if (it == out.end()) out.push_back(std::move(f));
      else if (decorated) *it = std::move(f);
    }
  };
  // Room for every entry of both sections at once (a decorated entry of an undecorated name
  // replaces it, so this is an upper bound).
  const std::optional<inf::Section> plain = doc.section("SourceDisksFiles");
  const std::optional<inf::Section> decorated = doc.section(with_arch("SourceDisksFiles", arch, buf));
  out.reserve((plain ? plain->line_count() : 0) + (decorated ? decorated->line_count() : 0));
  add_from(plain, false);
  add_from(decorated, true);
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

constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(const unsigned char* md, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

bool digest_file(EVP_MD_CTX* ctx, const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf, static_cast<std::size_t>(in.gcount()));
  }
  return !in.bad();
}

bool within(const fs::path& base, const fs::path& p) {
  auto b = base.lexically_normal().string();
  auto s = p.lexically_normal().string();
  if (!b.empty() && b.back() == '/') b.pop_back();
  return s == b || (s.size() > b.size() && s.compare(0, b.size(), b) == 0 && s[b.size()] == '/');
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, len);
}

std::optional<std::string> sha256_file(const std::string& path) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  bool ok = digest_file(ctx, path);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return to_hex(md, len);
}

Result<LocatedFile> locate_package_file(const std::string& dir, const std::string& relative_path) {
  auto rel = normalize_relative_path(relative_path);
  if (!rel || rel->empty()) {
    return Error(Errc::path_escape, "'" + relative_path + "' is an absolute path or leaves the package folder");
  }
  std::error_code ec;
  fs::path base = fs::weakly_canonical(dir.empty() ? fs::path(".") : fs::path(dir), ec);
  fs::path cur = base;
  std::size_t start = 0;
  while (start <= rel->size()) {
    std::size_t slash = rel->find('/', start);
    std::string part = rel->substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    fs::path exact = cur / part;
    if (fs::exists(fs::symlink_status(exact, ec))) {
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
      if (!found) return Error(Errc::file_not_found, "'" + *rel + "' is not in the package folder");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  // Follow links: the file must still be inside the package folder.
  fs::path resolved = fs::canonical(cur, ec);
  if (ec) return Error(Errc::file_not_found, "'" + *rel + "' cannot be resolved");
  if (!within(base, resolved)) {
    return Error(Errc::path_escape, "'" + *rel + "' resolves outside the package folder (through a link)");
  }
  // A payload is a regular file: a folder cannot be copied, and reading a FIFO would wait forever.
  const auto type = fs::status(resolved, ec).type();
  if (type == fs::file_type::directory) return Error(Errc::read_fault, "'" + *rel + "' is a directory, not a file");
  if (type != fs::file_type::regular) {
    return Error(Errc::read_fault, "'" + *rel + "' is not a regular file (a FIFO, socket or device)");
  }
  return LocatedFile{*rel, resolved.string()};
}

std::vector<PayloadFile> staged_payload(const Package& pkg) {
  std::vector<PayloadFile> out;
  for (const auto& f : pkg.payload) {
    bool copied = std::any_of(pkg.copies.begin(), pkg.copies.end(),
                              [&](const FileCopy& c) { return inf::iequals(c.source_name, f.name); });
    if (copied) out.push_back(f);
  }
  return out;
}

std::optional<std::string> package_hash(const inf::Document& doc, const std::string& inf_dir, inf::Arch arch) {
  inf::Target t;
  t.arch = arch;
  Package pkg = build_package(doc, t);
  std::vector<std::pair<std::string, std::string>> present;  // (lower-case relative path, host path)
  for (const auto& f : staged_payload(pkg)) {
    auto loc = locate_package_file(inf_dir, f.relative_path);
    if (!loc.ok() || !fs::is_regular_file(loc->host_path)) return std::nullopt;
    present.emplace_back(inf::to_lower_ascii(loc->relative_path), loc->host_path);
  }
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, doc.bytes().data(), doc.bytes().size());
  bool ok = true;
  if (auto cat = catalog_file(doc, arch)) {
    auto loc = locate_package_file(inf_dir, *cat);
    ok = loc.ok() && digest_file(ctx, loc->host_path);
  }
  for (auto& [rel, host] : present) {
    if (!ok) break;
    std::error_code ec;
    std::uint64_t size = fs::file_size(host, ec);
    if (ec) {
      ok = false;
      break;
    }
    EVP_DigestUpdate(ctx, rel.data(), rel.size());
    const unsigned char nul = 0;
    EVP_DigestUpdate(ctx, &nul, 1);
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((size >> (8 * i)) & 0xFF);
    EVP_DigestUpdate(ctx, len, 8);
    ok = digest_file(ctx, host);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_DigestFinal_ex(ctx, md, &md_len);
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return to_hex(md, 8);
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
