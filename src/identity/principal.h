// Principal: who is calling — the result of authentication, the input of authorisation.
// Roles are the coarse kinds of user (DESIGN.md "Who uses it"); scopes are what a department
// system's API key may do (`receipt:issue`). Value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tongban::identity {

enum class Role : uint8_t {
  kCitizen = 1,           // 办事群众, by citizen ID number
  kEnterprise = 2,        // 企业, by USCC
  kStaff = 3,             // 窗口人员 and other department staff
  kDepartmentSystem = 4,  // 部门系统 (hospital, insurer, registry...), by API key
  kAuditor = 5,           // 审计 / 见证
  kAdmin = 6,             // 运维 / administrator
};

std::string_view RoleName(Role role);  // "citizen", "enterprise", "staff", ...
Result<Role> ParseRole(std::string_view name);

struct Principal {
  int64_t account_id = 0;
  Role role = Role::kCitizen;
  int64_t session_id = 0;             // 0 for API keys
  int64_t expires_at = 0;             // session tokens: unix seconds when the token expires
  std::vector<std::string> scopes;    // API keys only, e.g. "receipt:issue"
  std::string api_key_id;             // API keys only (the public part, never the secret)
  // Acting for another person (header X-Act-For, identity/attorney.h): account_id and role above
  // are then the principal's — whom the caller acts for — and these name the caller (the agent),
  // the power of attorney and its scopes. 0 / empty when the caller acts for themself.
  int64_t agent_account_id = 0;
  int64_t attorney_id = 0;
  std::vector<std::string> act_scopes;  // e.g. "receipts.view", "services.apply:senior_card"

  bool acting() const { return attorney_id != 0; }
  // True when not acting, or when the attorney grants `scope` (a handler's finer check, e.g. the
  // service item of an application).
  bool MayAct(std::string_view scope) const {
    if (!acting()) return true;
    for (const auto& s : act_scopes) {
      if (s == scope) return true;
    }
    return false;
  }

  bool HasScope(std::string_view scope) const {
    for (const auto& s : scopes) {
      if (s == scope) return true;
    }
    return false;
  }
};

}  // namespace tongban::identity
