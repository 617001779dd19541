// DataRepo: every SQL statement of the data part, over the caller's transaction (as
// license/license_repo.h). Rows map to the types of data_service.h; JSON columns (fields,
// elements) are stored as text. Stateless; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/data_service.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::data {

struct RecordRow {
  int64_t id = 0;
  std::string dataset;
  std::string subject_id;
  std::string key;
  int64_t version = 0;
  std::string fields;  // canonical JSON (record.h)
  std::string owner;   // department key
  int64_t pushed_by = 0;
  int64_t created_at = 0;  // unix seconds
  int64_t feed_seq = 0;    // its place in the change feed (commit order); set by InsertRecord's caller
};

// One batch of versions delivered to an agreement's consumer by the change feed.
struct DeliveryRow {
  int64_t agreement_id = 0;
  std::string consumer;  // department key
  int64_t consumer_account = 0;
  std::string dataset;
  std::vector<std::string> elements;
  int64_t from_seq = 0;
  int64_t to_seq = 0;
  int64_t records = 0;
  AccessRecord trace;  // at_micros, document, entry, hint
};

class DataRepo {
 public:
  static std::vector<store::Migration> Migrations();

  // kAlreadyExists when (dataset, key, version) is stored.
  static Status InsertRecord(store::Tx& tx, const RecordRow& row);
  static Result<std::optional<RecordRow>> FindRecord(store::Tx& tx, std::string_view dataset,
                                                     std::string_view key, int64_t version);
  // The subject of any stored version of (dataset, key), nullopt when none is stored.
  static Result<std::optional<std::string>> RecordSubject(store::Tx& tx, std::string_view dataset,
                                                          std::string_view key);
  // The newest version of the subject's record `key` of `dataset`; nullopt when none is the
  // subject's.
  static Result<std::optional<RecordRow>> LatestRecord(store::Tx& tx, std::string_view subject_id,
                                                       std::string_view dataset, std::string_view key);
  // The newest version of each of the subject's records (one dataset, or all when empty).
  static Result<std::vector<RecordRow>> LatestRecords(store::Tx& tx, std::string_view subject_id,
                                                      std::string_view dataset);

  static Result<int64_t> InsertAgreement(store::Tx& tx, const Agreement& a, int64_t requested_by);
  static Result<std::optional<Agreement>> GetAgreement(store::Tx& tx, int64_t id);
  // Sets the state (only from `from`); false when the row was not in `from` any more.
  static Result<bool> SetAgreementState(store::Tx& tx, int64_t id, AgreementState from,
                                        AgreementState to, std::string_view reason,
                                        int64_t account, int64_t at);
  static Result<std::vector<Agreement>> ListAgreements(store::Tx& tx, std::string_view department);

  static Result<int64_t> InsertGrant(store::Tx& tx, const Grant& g);
  static Result<std::optional<Grant>> GetGrant(store::Tx& tx, int64_t id);
  static Result<bool> WithdrawGrant(store::Tx& tx, int64_t id, int64_t at);
  static Result<std::vector<Grant>> ListGrants(store::Tx& tx, std::string_view subject_id);

  static Result<int64_t> InsertAccess(store::Tx& tx, std::string_view subject_id, int64_t reader_account,
                                      const AccessRecord& a);
  static Result<std::vector<AccessRecord>> ListAccess(store::Tx& tx, std::string_view subject_id,
                                                      int64_t before_id, int limit);
  static Status SetAccessLeaf(store::Tx& tx, int64_t id, uint64_t leaf);

  static Result<DataStats> Counts(store::Tx& tx);

  // The change feed. AdvanceFeedHead takes `n` sequence numbers (the head row stays locked until
  // commit, so numbers commit in order) and returns the new head; FeedHead reads it.
  static Result<int64_t> AdvanceFeedHead(store::Tx& tx, int64_t n);
  static Result<int64_t> FeedHead(store::Tx& tx);
  // Versions of `dataset` after `after_seq`, in feed order, at most `limit`.
  static Result<std::vector<RecordRow>> FeedRecords(store::Tx& tx, std::string_view dataset,
                                                    int64_t after_seq, int limit);
  static Result<int64_t> InsertDelivery(store::Tx& tx, const DeliveryRow& d);
  // Deliveries that carried a version of the subject's records, newest first.
  static Result<std::vector<AccessRecord>> ListDeliveries(store::Tx& tx, std::string_view subject_id, int limit);
  static Status SetDeliveryLeaf(store::Tx& tx, int64_t id, uint64_t leaf);
};

// A stored version's fields as a JSON object; kDataLoss when the column is not one.
Result<boost::json::object> StoredFields(const RecordRow& row);

// Element lists as stored: a JSON array of strings (as text for columns, as an array inside
// ledger documents).
boost::json::array ElementsArray(const std::vector<std::string>& elements);
std::string ElementsJson(const std::vector<std::string>& elements);
std::vector<std::string> ParseElements(std::string_view json);

}  // namespace tongban::data
