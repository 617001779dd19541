// ReceiptPart; see receipt_part.h.
#include "receipt/part/receipt_part.h"

#include <filesystem>
#include <optional>

#include "api/metrics.h"
#include "identity/identity_service.h"
#include "ledger/part/ledger_part.h"
#include "part/config_section.h"
#include "part/part_set.h"
#include "part/demo_data.h"
#include "part/key_files.h"
#include "receipt/custody_issuer_keys.h"
#include "receipt/part/receipt_routes.h"
#include "receipt/part/receipt_handlers.h"

namespace tongban::receipt {
namespace fs = std::filesystem;

std::string ReceiptPart::DefaultConfig(const part::InitChoices&) const {
  return R"([receipt]
retention_years = 30         # e-receipts are kept this long before `tongban receipts destroy`
issuer_key_file = "keys/receipt-issuer.key"    # old deployment-wide issuer key, read if present
                                               # (batches signed before per-issuer keys)
finance_key_file = "keys/receipt-finance.key"  # the finance department's key (batches, QR codes)
)";
}

Status ReceiptPart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("retention_years", config_.retention_years, 1, 100));
  TB_RETURN_IF_ERROR(s.Read("issuer_key_file", config_.issuer_key_file));
  return s.Read("finance_key_file", config_.finance_key_file);
}

Status ReceiptPart::Open(const part::PartContext& context) {
  TB_ASSIGN_OR_RETURN(ledger_, context.Earlier<ledger::LedgerPart>("receipt", "ledger"));
  identity_ = context.identity;
  // My receipts in "download my data" (identity/my_data.h).
  if (identity_ != nullptr) {
    identity_->my_data().Add({.name = "receipts", .title_zh = "电子票据", .title_en = "Receipts",
                              .routes = {"/api/v1/me/receipts"}});
  }
  clock_ = &context.clock;
  const crypto::Suite& suite = ledger_->suite();
  ReceiptServiceOptions options;
  options.hash = suite.hash;
  // The finance department's batch-signing key is created on first start (a deployment
  // initialised before the receipt part existed gets it too), then only read.
  TB_ASSIGN_OR_RETURN(options.finance_key,
                      part::ReadOrCreateKey(context.Resolve(config_.finance_key_file), suite.signature));
  // The old deployment-wide issuer key file is only read when present, to keep the batches it
  // signed verifiable; each issuer now has its own keys, in the platform's custody.
  std::optional<crypto::PublicKey> legacy_issuer_key;
  if (const fs::path path = context.Resolve(config_.issuer_key_file); fs::exists(path)) {
    TB_ASSIGN_OR_RETURN(crypto::PrivateKey legacy,
                        crypto::PrivateKey::ReadPemFile(suite.signature, path.string()));
    legacy_issuer_key = legacy.public_key();
  }
  // The key sealing issuers' private keys at rest (receipt/custody_issuer_keys.h): derived from
  // the ledger's subject secret with a fixed label, so no new secret file has to be kept.
  auto issuer_keys = std::make_shared<CustodyIssuerKeys>(
      context.db, suite.signature, ledger_->DeriveKey("tongban/receipt-issuer-key-seal/v1"),
      context.clock);
  TB_RETURN_IF_ERROR(ProvisionIssuerKeys(context.db, *issuer_keys, legacy_issuer_key, context.clock));
  options.issuer_keys = std::move(issuer_keys);
  options.subject_hash = [ledger = ledger_](std::string_view id) { return ledger->SubjectHash(id); };
  options.retention_years = static_cast<int>(config_.retention_years);
  options.clock = &context.clock;
  options.notify_payers = true;  // notify "receipt.issued" (docs/notifications.md)
  service_ = std::make_unique<ReceiptService>(context.db, std::move(options));
  return Status::Ok();
}

void ReceiptPart::AddRoutes(api::Router& router) {
  api::AddReceiptRoutes(router, api::ReceiptRoutesOptions{.service = service_.get(),
                                                          .reader = &ledger_->log_reader(),
                                                          .sequencer = &ledger_->sequencer(),
                                                          .identity = identity_});
}

void ReceiptPart::AddMetrics(api::Metrics& metrics) {
  // One query set, cached for 5 s and shared by the gauges of one scrape.
  auto figures = std::make_shared<api::CachedReading<ReceiptStats>>(
      std::chrono::seconds(5), [service = service_.get()]() -> std::optional<ReceiptStats> {
        auto s = service->Stats(1);
        if (!s.ok()) return std::nullopt;
        return std::move(s).value();
      });
  auto gauge = [figures](int64_t ReceiptStats::*field) {
    return [figures, field] {
      auto s = figures->Get();
      return s ? static_cast<double>((*s).*field) : -1.0;
    };
  };
  metrics.AddGauge("tongban_receipts_issued", "Receipts issued (all time).", gauge(&ReceiptStats::issued));
  metrics.AddGauge("tongban_receipts_voided", "Receipts voided (红冲).", gauge(&ReceiptStats::voided));
  metrics.AddGauge("tongban_receipts_destroyed", "Receipt documents destroyed after retention.",
                   gauge(&ReceiptStats::destroyed));
  metrics.AddGauge("tongban_receipt_claims", "Standing (unreversed) reimbursement claims.",
                   gauge(&ReceiptStats::claims));
  metrics.AddGauge("tongban_receipt_claimed_fen", "Fen claimed by standing claims.",
                   gauge(&ReceiptStats::claimed_fen));
  metrics.AddGauge("tongban_receipt_paper_saved_grams",
                   "Paper not printed: receipts issued x grams per receipt (docs/receipt.md).",
                   gauge(&ReceiptStats::paper_saved_grams));
}

namespace {

// Registers a demo hospital as an issuer with numbers first..last of this year's outpatient and
// inpatient codes of Zhejiang (33).
Status RegisterDemoIssuer(ReceiptService& svc, const Clock& clock, const part::DemoData::Account& hospital,
                          std::string_view region, int64_t first, int64_t last) {
  TB_ASSIGN_OR_RETURN(Issuer issuer, svc.RegisterIssuer(hospital.id, hospital.account.subject_id,
                                                        hospital.account.display_name, region));
  const int year = ChinaDate(clock.Now()).year;
  for (auto kind : {ReceiptKind::kOutpatient, ReceiptKind::kInpatient}) {
    TB_ASSIGN_OR_RETURN(auto code, ReceiptCode::Make(33, kind, year));
    TB_RETURN_IF_ERROR(svc.AssignRange(issuer.id, code.str(), first, last).status());
  }
  return Status::Ok();
}

NewReceipt DemoReceipt(const std::string& id, const std::string& name, ReceiptKind kind,
                       std::vector<ReceiptItem> items, int64_t insurance_share_percent) {
  NewReceipt r;
  r.kind = kind;
  r.payer_id_number = id;
  r.payer_name = name;
  r.items = std::move(items);
  for (const auto& i : r.items) r.total_fen += i.amount_fen;
  r.insurance_fen = r.total_fen * insurance_share_percent / 100;
  r.self_fen = r.total_fen - r.insurance_fen;
  r.channel = "medical_insurance";
  return r;
}

}  // namespace

// The demo's department systems of this part (synthetic): two hospitals, the insurer and the
// finance bureau. The first hospital's receipts: three for 张伟 — one reimbursed by the demo
// insurer, one voided (partial refund) and replaced — and two for 李娜; the second hospital (its own
// issuer key, like every issuer) one for 李娜, so the published keys show two hospitals' batches.
// The sample receipt's code/number and check code are printed, to try the public verify page.
Status ReceiptPart::LoadDemo(part::DemoData& demo) {
  using identity::NewAccount;
  using identity::Role;
  using part::SyntheticUscc;
  const std::vector<NewAccount> systems = {
      {.login = "hospital-xh-demo", .role = Role::kDepartmentSystem,
       .display_name = "杭州市西湖区示范医院", .subject_id = SyntheticUscc("12", "330106", "H0000002"),
       .department = "杭州市西湖区卫生健康局", .region_code = "330106"},
      {.login = "hospital-hz-demo", .role = Role::kDepartmentSystem,
       .display_name = "杭州市示范第一医院", .subject_id = SyntheticUscc("12", "330100", "H0000001"),
       .department = "杭州市卫生健康委员会", .region_code = "330100"},
      {.login = "insurer-hz-demo", .role = Role::kDepartmentSystem,
       .display_name = "杭州市医疗保障局", .subject_id = SyntheticUscc("11", "330100", "Y0000002"),
       .department = "杭州市医疗保障局", .region_code = "330100"},
      {.login = "finance-hz-demo", .role = Role::kDepartmentSystem,
       .display_name = "杭州市财政局", .subject_id = SyntheticUscc("11", "330100", "F0000004"),
       .department = "杭州市财政局", .region_code = "330100"},
  };
  const std::vector<std::string> scopes = {"receipt:issue", "receipt:issue", "receipt:reimburse",
                                           "receipt:supervise"};
  for (size_t i = 0; i < systems.size(); ++i) {
    TB_RETURN_IF_ERROR(demo.AddAccount(systems[i], {scopes[i]}).status());
  }
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* hospital, demo.Find("hospital-hz-demo"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* second, demo.Find("hospital-xh-demo"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* insurer, demo.Find("insurer-hz-demo"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* zhang_wei, demo.Find("13800000001"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* li_na, demo.Find("13800000002"));
  const std::string& zhang_wei_id = zhang_wei->account.subject_id;
  const std::string& li_na_id = li_na->account.subject_id;
  ReceiptService& svc = *service_;
  auto size = [this] { return ledger_->sequencer().size(); };

  TB_RETURN_IF_ERROR(RegisterDemoIssuer(svc, *clock_, *hospital, "330100", 1, 4'999'999));
  using K = ReceiptKind;
  std::vector<NewReceipt> batch = {
      DemoReceipt(zhang_wei_id, "张伟", K::kOutpatient,
                  {{"西药费", "阿莫西林胶囊 0.25g×24粒", 2, 1850, 3700},
                   {"检查费", "血常规", 1, 2500, 2500},
                   {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}},
                  60),
      DemoReceipt(zhang_wei_id, "张伟", K::kOutpatient,
                  {{"中成药费", "连花清瘟胶囊 0.35g×36粒", 1, 2980, 2980},
                   {"诊疗费", "专家门诊诊查费", 1, 3000, 3000}},
                  50),
      DemoReceipt(li_na_id, "李娜", K::kOutpatient,
                  {{"检查费", "胸部CT平扫", 1, 26000, 26000},
                   {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}},
                  70),
  };
  TB_ASSIGN_OR_RETURN(auto issued, svc.Issue(hospital->id, batch, true, size()));
  std::vector<NewReceipt> inpatient = {
      DemoReceipt(zhang_wei_id, "张伟", K::kInpatient,
                  {{"床位费", "普通病房床位费", 3, 4000, 12000},
                   {"护理费", "二级护理", 3, 2500, 7500},
                   {"手术费", "腹腔镜阑尾切除术", 1, 180000, 180000},
                   {"西药费", "头孢呋辛钠注射液 1.5g", 6, 3650, 21900}},
                  75),
      DemoReceipt(li_na_id, "李娜", K::kInpatient,
                  {{"床位费", "普通病房床位费", 2, 4000, 8000}, {"检验费", "肝功能全套", 1, 9800, 9800}},
                  70)};
  TB_ASSIGN_OR_RETURN(auto issued_in, svc.Issue(hospital->id, inpatient, true, size()));
  // 张伟's inpatient receipt: basic insurance reimburses its share, then the supplementary
  // scheme (补充医疗保险, run by the same bureau here) the rest: fully reimbursed.
  const Receipt& stay = issued_in.front();
  TB_RETURN_IF_ERROR(svc.AddClaim(stay.code, stay.number, insurer->id, "杭州市医疗保障局",
                                  stay.insurance_fen, "YB-DEMO-0001")
                         .status());
  TB_RETURN_IF_ERROR(svc.AddClaim(stay.code, stay.number, insurer->id, "杭州市医疗保障局",
                                  stay.self_fen, "BC-DEMO-0001")
                         .status());
  // 张伟's second outpatient receipt: the expert fee is refunded, so the receipt is voided and
  // replaced by one for the medicine alone.
  const Receipt& refunded = issued[1];
  NewReceipt replacement = DemoReceipt(zhang_wei_id, "张伟", K::kOutpatient,
                                       {{"中成药费", "连花清瘟胶囊 0.35g×36粒", 1, 2980, 2980}}, 50);
  TB_RETURN_IF_ERROR(svc.Void(refunded.code, refunded.number, hospital->id,
                              "退专家门诊诊查费（未就诊）", replacement, size())
                         .status());
  const Receipt& sample = issued.front();
  demo.AddCredential({"receipt", "张伟 门诊 sample receipt",
                      sample.code.str() + "/" + sample.number.ToString(), sample.check.str()});

  TB_RETURN_IF_ERROR(RegisterDemoIssuer(svc, *clock_, *second, "330106", 5'000'000, 9'999'999));
  NewReceipt r = DemoReceipt(li_na_id, "李娜", K::kOutpatient,
                             {{"检查费", "甲状腺彩超", 1, 12000, 12000},
                              {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}},
                             60);
  return svc.Issue(second->id, std::span(&r, 1), false, size()).status();
}

void ReceiptPart::AddCommands(part::Commands& commands) {
  AddReceiptCommands(commands, verify_options_, destroy_options_);
}

Status ReceiptPart::Start() {
  service_->StartWalletIndexer(std::chrono::milliseconds(200));
  return Status::Ok();
}

Status ReceiptPart::Stop() {
  if (service_) service_->StopWalletIndexer();
  return Status::Ok();
}

}  // namespace tongban::receipt
