// DemoData; see demo_data.h.
#include "part/demo_data.h"

#include "core/citizen_id.h"
#include "core/uscc.h"

namespace tongban::part {

std::string SyntheticCitizenId(std::string_view region6, std::string_view birth8,
                               std::string_view seq3) {
  std::string first17 = std::string(region6) + std::string(birth8) + std::string(seq3);
  return first17 + CitizenId::ComputeCheckChar(first17);
}

std::string SyntheticUscc(std::string_view prefix2, std::string_view region6,
                          std::string_view org_body8) {
  std::string first17 = std::string(prefix2) + std::string(region6) + std::string(org_body8) +
                        Uscc::ComputeOrgCodeCheckChar(org_body8);
  return first17 + Uscc::ComputeCheckChar(first17);
}

Result<int64_t> DemoData::AddAccount(identity::NewAccount account, std::vector<std::string> scopes) {
  if (scopes.empty()) account.password = kDemoPassword;
  TB_ASSIGN_OR_RETURN(int64_t id, identity_.CreateAccount(account));
  DemoCredential c{std::string(identity::RoleName(account.role)), account.display_name,
                   account.login, kDemoPassword};
  if (!scopes.empty()) {
    TB_ASSIGN_OR_RETURN(c.secret, identity_.CreateApiKey(id, scopes, "demo"));
    c.login = "-";
  }
  credentials_.push_back(std::move(c));
  accounts_.push_back(Account{id, std::move(account)});
  return id;
}

Result<const DemoData::Account*> DemoData::Find(std::string_view login) const {
  for (const Account& a : accounts_) {
    if (a.account.login == login) return &a;
  }
  return Status::NotFound("demo account", std::string(login));
}

}  // namespace tongban::part
