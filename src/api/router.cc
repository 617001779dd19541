// Route matching by path segments; `{name}` captures one non-empty segment.
#include "api/router.h"

namespace tongban::api {

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

bool Router::MatchPattern(std::string_view pattern, std::string_view path, PathParams& params) {
  params.clear();
  size_t pi = 0, si = 0;
  while (true) {
    bool pattern_end = pi >= pattern.size();
    bool path_end = si >= path.size();
    if (pattern_end || path_end) return pattern_end && path_end;
    size_t pe = pattern.find('/', pi + 1);
    size_t se = path.find('/', si + 1);
    if (pe == std::string_view::npos) pe = pattern.size();
    if (se == std::string_view::npos) se = path.size();
    std::string_view pseg = pattern.substr(pi, pe - pi);  // includes leading '/'
    std::string_view sseg = path.substr(si, se - si);
    if (pseg.size() >= 6 && pseg[1] == '{' && pseg.ends_with("...}")) {
      // `{name...}` captures the rest of the path (at least one character), slashes included.
      if (path.size() <= si + 1) return false;
      params.emplace(std::string(pseg.substr(2, pseg.size() - 6)), std::string(path.substr(si + 1)));
      return pe == pattern.size();
    }
    if (pseg.size() >= 3 && pseg[1] == '{' && pseg.back() == '}') {
      if (sseg.size() <= 1) return false;
      params.emplace(std::string(pseg.substr(2, pseg.size() - 3)), std::string(sseg.substr(1)));
    } else if (pseg != sseg) {
      return false;
    }
    pi = pe;
    si = se;
  }
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  PathParams params;
  for (const Route& r : routes_) {
    if (!MatchPattern(r.pattern, path, params)) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      m.kind = MatchKind::kFound;
      m.route = &r;
      m.params = std::move(params);
      m.allow.clear();
      return m;
    }
    m.kind = MatchKind::kMethodNotAllowed;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method;
  }
  return m;
}

}  // namespace tongban::api
