// Status and Result<T>: errors as values at every module boundary.
//
// A Status carries a protocol-neutral ErrorCode, a message safe to show a client, an optional
// list of field-level reasons (for RFC 9457 `errors`), and an internal detail that is logged but
// never sent. The one mapping from ErrorCode to HTTP status lives in HttpStatusFor().
// Thread-compatible value types.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tongban {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed: 400 (422 for semantic rules)
  kUnprocessable,       // well-formed but violates a rule (e.g. items do not add up): 422
  kUnauthenticated,     // no or bad credentials: 401
  kPermissionDenied,    // authenticated, but not allowed: 403
  kNotFound,            // 404
  kConflict,            // state conflict (already claimed, duplicate number): 409
  kAlreadyExists,       // unique key exists: 409
  kFailedPrecondition,  // the record is not in a state that allows this: 409
  kResourceExhausted,   // rate limited or quota: 429 with Retry-After
  kOutOfRange,          // numeric overflow, index beyond tree size: 400
  // kUnavailable: a dependency (database busy, sequencer queue full) cannot serve now.
  // HTTP callers reply 503 with Retry-After; store callers may retry the transaction.
  kUnavailable,
  kDataLoss,            // stored data fails its own integrity check (tampering): 500
  kInternal,            // our bug: 500
};

// Stable lower-case name of a code, used in problem+json `type` URIs and in logs.
std::string_view ErrorCodeName(ErrorCode code);

// The single mapping from an error code to an HTTP status.
int HttpStatusFor(ErrorCode code);

// One field-level reason: which input field was wrong and why (RFC 9457 extension `errors`).
struct FieldError {
  std::string field;   // JSON pointer or parameter name, e.g. "/items/0/amount_fen" or "id_number"
  std::string reason;  // human-readable, safe to send to the client
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::vector<FieldError> fields = {}) {
    return Status(ErrorCode::kInvalidArgument, std::move(message), std::move(fields));
  }
  // A single field is wrong: message is "<field>: <reason>".
  static Status InvalidField(std::string field, std::string reason);
  static Status Unprocessable(std::string message, std::vector<FieldError> fields = {}) {
    return Status(ErrorCode::kUnprocessable, std::move(message), std::move(fields));
  }
  static Status Unauthenticated(std::string message) {
    return Status(ErrorCode::kUnauthenticated, std::move(message));
  }
  static Status PermissionDenied(std::string message) {
    return Status(ErrorCode::kPermissionDenied, std::move(message));
  }
  // NotFound("receipt", "33010126 0000000001") -> "receipt not found: ...".
  static Status NotFound(std::string_view what, std::string_view key = {});
  static Status Conflict(std::string message) {
    return Status(ErrorCode::kConflict, std::move(message));
  }
  static Status AlreadyExists(std::string message) {
    return Status(ErrorCode::kAlreadyExists, std::move(message));
  }
  static Status FailedPrecondition(std::string message) {
    return Status(ErrorCode::kFailedPrecondition, std::move(message));
  }
  static Status ResourceExhausted(std::string message) {
    return Status(ErrorCode::kResourceExhausted, std::move(message));
  }
  static Status OutOfRange(std::string message) {
    return Status(ErrorCode::kOutOfRange, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(ErrorCode::kUnavailable, std::move(message));
  }
  static Status DataLoss(std::string message) {
    return Status(ErrorCode::kDataLoss, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(ErrorCode::kInternal, std::move(message));
  }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // Safe to show a client.
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& fields() const { return fields_; }
  // Internal detail for logs only (SQL error text, OpenSSL error queue); never sent to clients.
  const std::string& detail() const { return detail_; }

  // Adds internal detail (for logs) and returns *this, for chaining.
  Status& WithDetail(std::string detail) & {
    detail_ = std::move(detail);
    return *this;
  }
  Status&& WithDetail(std::string detail) && {
    detail_ = std::move(detail);
    return std::move(*this);
  }

  // "invalid_argument: id_number: wrong check digit"
  std::string ToString() const;

 private:
  Status(ErrorCode code, std::string message, std::vector<FieldError> fields = {})
      : code_(code), message_(std::move(message)), fields_(std::move(fields)) {}

  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::vector<FieldError> fields_;
  std::string detail_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result<T> needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error, or an OK status when ok(). On a named Result a reference (so
  // `r.status().fields()` stays valid as long as `r`); on a temporary a copy, so a reference to
  // the status of a Result that is gone cannot be kept.
  const Status& status() const& { return ok() ? OkStatus() : std::get<Status>(v_); }
  Status status() && { return ok() ? Status::Ok() : std::get<Status>(std::move(v_)); }

 private:
  static const Status& OkStatus() {
    static const Status ok;
    return ok;
  }
  std::variant<T, Status> v_;
};

}  // namespace tongban

// Propagates a non-OK Status from an expression returning Status.
#define TB_RETURN_IF_ERROR(expr)               \
  do {                                         \
    ::tongban::Status tb_status_ = (expr);     \
    if (!tb_status_.ok()) return tb_status_;   \
  } while (0)

#define TB_CONCAT_INNER_(a, b) a##b
#define TB_CONCAT_(a, b) TB_CONCAT_INNER_(a, b)
// TB_ASSIGN_OR_RETURN(auto x, MakeX()); declares x from a Result or returns its Status.
#define TB_ASSIGN_OR_RETURN(lhs, expr) \
  TB_ASSIGN_OR_RETURN_IMPL_(TB_CONCAT_(tb_result_, __LINE__), lhs, expr)
#define TB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
