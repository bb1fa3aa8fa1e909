// Unified diffs of two versions of an INF, over the decoded lines (Myers' O(ND) algorithm), so a
// UTF-16 file shows as text; the edits themselves never go through this.
#include <algorithm>

#include "isodrv/fix.h"
#include "isodrv/inf.h"

namespace isodrv::fix {
namespace {

std::vector<std::string_view> lines_of(const std::string& text) {
  std::vector<std::string_view> out;
  std::string_view t = text;
  while (!t.empty()) {
    std::size_t nl = t.find('\n');
    std::string_view l = t.substr(0, nl);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back(l);
    if (nl == std::string_view::npos) break;
    t.remove_prefix(nl + 1);
  }
  return out;
}

std::string decoded(std::string_view bytes, unsigned codepage) {
  inf::DecodeOptions o;
  o.codepage = codepage;
  auto d = inf::decode(bytes, o);
  return d.ok() ? std::string(d->view(bytes)) : std::string(bytes);
}

enum class Op : char { keep = ' ', del = '-', add = '+' };

using Lines = std::vector<std::string_view>;

// Myers' V array: the furthest x reached on each diagonal k = x - y, for k in [-max, max]. The
// diagonal is signed by nature; the offset by max makes every index it is read at non-negative.
class Furthest {
 public:
  explicit Furthest(long max) : max_(max), x_(static_cast<std::size_t>(2 * max + 2), 0) {}
  long& operator[](long k) { return x_[static_cast<std::size_t>(k + max_)]; }
  long operator[](long k) const { return x_[static_cast<std::size_t>(k + max_)]; }

 private:
  long max_;
  std::vector<long> x_;
};

// Whether the step onto diagonal k at distance d comes down from diagonal k + 1 (an insertion)
// rather than across from k - 1 (a deletion).
bool from_above(const Furthest& v, long k, long d) { return k == -d || (k != d && v[k - 1] < v[k + 1]); }

// Myers' greedy forward search: the V array before each distance d, up to the one that reaches
// the end of both a and b. Line numbers are longs because diagonals are signed; they index a and
// b only while 0 <= x < n and 0 <= y < m.
std::vector<Furthest> forward_trace(const Lines& a, const Lines& b) {
  const long n = static_cast<long>(a.size()), m = static_cast<long>(b.size()), max = n + m;
  Furthest v(max);
  std::vector<Furthest> trace;
  for (long d = 0; d <= max; ++d) {
    trace.push_back(v);
    for (long k = -d; k <= d; k += 2) {
      long x = from_above(v, k, d) ? v[k + 1] : v[k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) ++x, ++y;
      v[k] = x;
      if (x >= n && y >= m) return trace;
    }
  }
  return trace;
}

// The edit script from a to b: the forward search's path traced back from the end.
std::vector<Op> script(const Lines& a, const Lines& b) {
  const std::vector<Furthest> trace = forward_trace(a, b);
  std::vector<Op> ops;
  long x = static_cast<long>(a.size()), y = static_cast<long>(b.size());
  for (long d = static_cast<long>(trace.size()) - 1; d >= 0; --d) {
    if (d == 0) {
      while (x > 0 && y > 0) ops.push_back(Op::keep), --x, --y;
      break;
    }
    const Furthest& vd = trace[static_cast<std::size_t>(d)];
    const long k = x - y;
    const bool down = from_above(vd, k, d);
    const long pk = down ? k + 1 : k - 1;
    const long px = vd[pk], py = px - pk;
    while (x > px && y > py) ops.push_back(Op::keep), --x, --y;
    ops.push_back(down ? Op::add : Op::del);
    x = px;
    y = py;
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& path, unsigned codepage) {
  if (before == after) return {};
  const std::string ta = decoded(before, codepage), tb = decoded(after, codepage);
  const auto a = lines_of(ta), b = lines_of(tb);
  const std::vector<Op> ops = script(a, b);
  std::string out = "--- a/" + path + "\n+++ b/" + path + "\n";
  constexpr std::size_t kContext = 3;
  std::size_t i = 0;
  while (i < ops.size()) {
    if (ops[i] == Op::keep) {
      ++i;
      continue;
    }
    // A hunk: from kContext kept lines before the change to kContext after the last change that is
    // no more than 2 * kContext kept lines from the next.
    std::size_t start = i >= kContext ? i - kContext : 0, end = i;
    for (std::size_t keep = 0; end < ops.size() && keep <= 2 * kContext; ++end) keep = ops[end] == Op::keep ? keep + 1 : 0;
    while (end > i && ops[end - 1] == Op::keep) --end;
    end = std::min(ops.size(), end + kContext);
    std::size_t la = 0, lb = 0;
    for (std::size_t k = 0; k < start; ++k) {
      if (ops[k] != Op::add) ++la;
      if (ops[k] != Op::del) ++lb;
    }
    std::string body;
    std::size_t na = 0, nb = 0, ia = la, ib = lb;
    for (std::size_t k = start; k < end; ++k) {
      if (ops[k] == Op::add) body += "+" + std::string(b[ib++]) + "\n", ++nb;
      else if (ops[k] == Op::del) body += "-" + std::string(a[ia++]) + "\n", ++na;
      else body += " " + std::string(a[ia++]) + "\n", ++ib, ++na, ++nb;
    }
    out += "@@ -" + std::to_string(na ? la + 1 : la) + "," + std::to_string(na) + " +" + std::to_string(nb ? lb + 1 : lb) +
           "," + std::to_string(nb) + " @@\n" + body;
    i = end;
  }
  return out;
}

}  // namespace isodrv::fix
