// Route matching by path segments; `{name}` captures one non-empty segment.
#include "api/router.h"

#include <algorithm>

namespace tongban::api {

void Router::AddSchema(std::string name, std::string json_schema) {
  schemas_.emplace(std::move(name), std::move(json_schema));
}

Route& Router::Add(Route route) {
  size_t index = routes_.size();
  size_t brace = route.pattern.find('{');
  if (brace == std::string::npos) {
    exact_[route.pattern].push_back(index);
  } else {
    with_params_.emplace_back(route.pattern.substr(0, brace), index);
  }
  routes_.push_back(std::move(route));
  return routes_.back();
}

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
  std::vector<std::string_view> allowed;  // methods of routes whose pattern matched, for 405
  auto consider = [&](const Route& r, PathParams&& params) {
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      m.kind = MatchKind::kFound;
      m.route = &r;
      m.params = std::move(params);
      return true;
    }
    if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) {
      allowed.push_back(r.method);
    }
    return false;
  };
  bool found = false;
  if (auto it = exact_.find(path); it != exact_.end()) {
    for (size_t i : it->second) {
      if ((found = consider(routes_[i], {}))) break;
    }
  }
  if (!found) {
    PathParams params;
    for (const auto& [prefix, i] : with_params_) {
      if (!path.starts_with(prefix)) continue;
      if (!MatchPattern(routes_[i].pattern, path, params)) continue;
      if ((found = consider(routes_[i], std::move(params)))) break;
    }
  }
  if (!found && !allowed.empty()) {
    m.kind = MatchKind::kMethodNotAllowed;
    for (std::string_view a : allowed) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += a;
    }
  }
  return m;
}

}  // namespace tongban::api
