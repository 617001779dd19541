// A licence's ledger anchor; see ledger_anchor.h.
#include "license/ledger_anchor.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ledger/entry_leaf.h"
#include "ledger/log_storage.h"
#include "license/license_repo.h"

namespace tongban::license {
namespace {

const std::vector<std::string>& LifecycleActions() {
  static const std::vector<std::string> kActions{"issue",  "renew",  "suspend",
                                                 "resume", "revoke", "expire"};
  return kActions;
}

std::string Text(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Why the stored licence `l` does not match event document `doc` of `e`; empty when it does.
std::string Mismatch(const License& l, const LicenseEvent& e, const boost::json::object& doc,
                     crypto::HashAlgorithm hash) {
  if (l.status == LicenseStatus::kSuperseded) {
    if (e.action != "renew" || Text(doc, "previous") != l.id) {
      return "the stored licence is superseded, but no renewal on the ledger names it";
    }
  } else {
    if (Text(doc, "license_id") != l.id) return "the licence's event names another licence";
    if (Text(doc, "status") != LicenseStatusName(l.status)) {
      return "the stored status (" + std::string(LicenseStatusName(l.status)) +
             ") is not the one on the ledger (" + Text(doc, "status") + ")";
    }
  }
  if (Text(doc, "type") != l.type || Text(doc, "issuer") != l.issuer) {
    return "the stored type or issuer is not the one on the ledger";
  }
  if (Text(doc, "fields_hash") != crypto::ToHex(crypto::Hash(hash, l.fields_json))) {
    return "the stored licence fields are not the ones on the ledger";
  }
  // Documents written before expires_at was recorded (license migration v4) lack it.
  if (const boost::json::value* exp = doc.if_contains("expires_at");
      exp && (!exp->is_int64() || exp->as_int64() != l.expires_at)) {
    return "the stored expiry date is not the one on the ledger";
  }
  return "";
}

}  // namespace

Result<LedgerAnchor> FindLedgerAnchor(store::Tx& tx, const License& l, crypto::HashAlgorithm hash,
                                      const std::array<uint8_t, 32>& subject) {
  LedgerAnchor a;
  std::optional<LicenseEvent> e;
  if (l.status == LicenseStatus::kSuperseded) {
    if (!l.replaced_by.empty()) {
      TB_ASSIGN_OR_RETURN(e, LicenseRepo::LatestEvent(tx, l.replaced_by, {"renew"}));
    }
  } else {
    TB_ASSIGN_OR_RETURN(e, LicenseRepo::LatestEvent(tx, l.id, LifecycleActions()));
  }
  if (!e) {
    a.license_id = l.id;
    a.problem = "the licence has no lifecycle event to match a ledger entry";
    return a;
  }
  a.event_id = e->id;
  a.license_id = e->license_id;
  a.action = e->action;
  a.document = e->document;
  a.hint = e->ledger_hint;
  a.known_leaf = e->leaf_index;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(e->document, ec);
  const boost::json::value* time = doc.is_object() ? doc.as_object().if_contains("time") : nullptr;
  if (ec || !doc.is_object() || !time || !time->is_int64() || time->as_int64() < 0) {
    a.problem = "the licence's event document is malformed";
    return a;
  }
  a.problem = Mismatch(l, *e, doc.as_object(), hash);
  a.entry.type = "license." + e->action;
  a.entry.subject = subject;
  a.entry.document = crypto::Hash(hash, e->document);
  a.entry.time_micros = time->as_int64();
  return a;
}

Result<std::optional<uint64_t>> FindAnchorLeaf(store::Tx& tx, const LedgerAnchor& anchor) {
  return ledger::FindEntryLeaf(tx, anchor.entry, anchor.hint, anchor.known_leaf);
}

}  // namespace tongban::license
