// Loading a synthetic county; see synthetic_load.h.
#include "data/part/synthetic_load.h"

namespace tongban::data {
namespace {

Status PushLines(DataService& service, const Actor& pusher, const std::string& dataset,
                 const std::vector<std::string>& lines, int64_t push_lines, SyntheticLoadResult& out) {
  std::string body;
  for (size_t from = 0; from < lines.size(); from += static_cast<size_t>(push_lines)) {
    const size_t to = std::min(lines.size(), from + static_cast<size_t>(push_lines));
    body.clear();
    for (size_t i = from; i < to; ++i) {
      body += lines[i];
      body += '\n';
    }
    TB_ASSIGN_OR_RETURN(PushResult r, service.Push(pusher, dataset, body, true));
    if (!r.rejected.empty()) {
      const RecordError& e = r.rejected.front();
      return Status::Internal("synthetic " + dataset + " line " + std::to_string(e.line) + " refused: " +
                              e.element + " " + e.reason);
    }
    out.accepted += r.accepted;
    out.unchanged += r.unchanged;
  }
  return Status::Ok();
}

}  // namespace

std::string DepartmentSystemLogin(std::string_view key, std::string_view suffix) {
  const size_t dash = key.find('-');
  if (dash == std::string_view::npos) return std::string(key) + "-" + std::string(suffix);
  return std::string(key.substr(dash + 1)) + "-" + std::string(key.substr(0, dash)) + "-" + std::string(suffix);
}

Result<std::map<std::string, int64_t>> DepartmentSystems(identity::IdentityService& identity,
                                                         const Catalogue& catalogue, std::string_view suffix) {
  std::map<std::string, int64_t> out;
  for (const Department& d : catalogue.departments()) {
    const std::string login = DepartmentSystemLogin(d.key, suffix);
    auto found = identity.FindAccount(login);
    if (found.ok()) {
      out[d.key] = found->id;
      continue;
    }
    if (found.status().code() != ErrorCode::kNotFound) return found.status();
    TB_ASSIGN_OR_RETURN(out[d.key], identity.CreateAccount({.login = login,
                                                            .role = identity::Role::kDepartmentSystem,
                                                            .display_name = d.name_zh + "数据共享系统",
                                                            .subject_id = d.uscc,
                                                            .department = d.name_zh,
                                                            .region_code = d.region}));
  }
  return out;
}

Result<SyntheticLoadResult> LoadSyntheticCounty(DataService& service, const std::map<std::string, int64_t>& pushers,
                                                const SyntheticLoadOptions& options) {
  std::map<std::string, Actor> actors;  // dataset -> its owner's pusher
  for (const Dataset& d : service.catalogue().datasets()) {
    auto it = pushers.find(d.owner);
    if (it == pushers.end()) {
      return Status::FailedPrecondition("no department system account pushes for " + d.owner);
    }
    actors[d.code] = Actor{it->second, d.owner};
  }
  SyntheticCounty county(options.county);
  SyntheticLoadResult out;
  auto push = [&](const SyntheticBatch& batch) -> Status {
    for (const auto& [dataset, lines] : batch) {
      auto actor = actors.find(dataset);
      if (actor == actors.end()) return Status::Internal("synthetic dataset " + dataset + " is not in the catalogue");
      TB_RETURN_IF_ERROR(PushLines(service, actor->second, dataset, lines, options.push_lines, out));
    }
    return Status::Ok();
  };
  const int64_t round = std::max<int64_t>(1, options.batch_people);
  for (SyntheticBatch b = county.NextEnterprises(round); !b.empty(); b = county.NextEnterprises(round)) {
    TB_RETURN_IF_ERROR(push(b));
    out.enterprises = county.enterprises_generated();
    if (options.progress) options.progress(0, out.enterprises);
  }
  for (SyntheticBatch b = county.NextPeople(round); !b.empty(); b = county.NextPeople(round)) {
    TB_RETURN_IF_ERROR(push(b));
    out.people = county.people_generated();
    if (options.progress) options.progress(out.people, out.enterprises);
  }
  return out;
}

}  // namespace tongban::data
