// The demo's powers of attorney; see attorney_demo.h.
#include "identity/part/attorney_demo.h"

namespace tongban::identity {

Status LoadAttorneyDemo(part::DemoData& demo, AttorneyService& attorneys) {
  using part::SyntheticCitizenId;
  TB_ASSIGN_OR_RETURN(int64_t mother,
                      demo.AddAccount({.login = "13800000021", .role = Role::kCitizen, .display_name = "王秀英",
                                       .subject_id = SyntheticCitizenId("330106", "19480305", "026"),
                                       .region_code = "330106"}));
  TB_RETURN_IF_ERROR(demo.AddAccount({.login = "13800000022", .role = Role::kCitizen, .display_name = "刘建国",
                                      .subject_id = SyntheticCitizenId("330106", "19750611", "031"),
                                      .region_code = "330106"})
                         .status());
  const int64_t now = attorneys.NowSeconds();
  TB_RETURN_IF_ERROR(attorneys
                         .Create({.kind = AttorneyKind::kAttorney, .principal_account = mother,
                                  .agent_login = "13800000022",
                                  .scopes = {"receipts.view", "services.view",
                                             "services.apply:senior_preferential_card"},
                                  .valid_until = now + 180 * 86400, .created_by = mother})
                         .status());
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* admin, demo.Find("admin"));
  TB_RETURN_IF_ERROR(attorneys
                         .RecordGuardianship({.guardian_login = "13800000002",
                                              .child_subject = SyntheticCitizenId("330421", "20160815", "047"),
                                              .child_name = "陈小雨", .relation = "parent",
                                              .evidence = "出生医学证明（示范）"},
                                             admin->id)
                         .status());
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* company, demo.Find("enterprise-hz-demo"));
  return attorneys
      .Create({.kind = AttorneyKind::kEnterpriseAgent, .principal_account = company->id,
               .agent_login = "13800000001", .scopes = {"licenses.view", "licenses.present", "services.view"},
               .valid_until = now + 365 * 86400, .created_by = company->id})
      .status();
}

}  // namespace tongban::identity
