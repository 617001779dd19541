// Tests for Status, Result<T>, the ErrorCode -> HTTP mapping and the propagation macros.
#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace tongban {
namespace {

TEST(HttpStatusFor, EveryCodeMapsOnce) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnprocessable), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(ErrorCodeName, IsStableLowerCase) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidArgument), "invalid_argument");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotFound), "not_found");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnavailable), "unavailable");
}

TEST(Status, FactoriesAndToString) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  Status s = Status::InvalidField("id_number", "wrong check digit");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "id_number: wrong check digit");
  ASSERT_EQ(s.fields().size(), 1u);
  EXPECT_EQ(s.fields()[0].field, "id_number");
  EXPECT_EQ(s.ToString(), "invalid_argument: id_number: wrong check digit");
  EXPECT_EQ(Status::NotFound("receipt", "R1").message(), "receipt not found: R1");
  EXPECT_EQ(Status::NotFound("receipt").message(), "receipt not found");
}

TEST(Status, DetailIsKeptApartFromMessage) {
  Status s = Status::Unavailable("database busy").WithDetail("SQLITE_BUSY on ledger_queue");
  EXPECT_EQ(s.message(), "database busy");
  EXPECT_EQ(s.detail(), "SQLITE_BUSY on ledger_queue");
  EXPECT_EQ(s.ToString().find("SQLITE"), std::string::npos);
}

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  TB_ASSIGN_OR_RETURN(int h, Half(v));
  TB_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int v) {
  TB_RETURN_IF_ERROR(Half(v).status());
  return Status::Ok();
}

Result<std::unique_ptr<int>> MakeBox(int v) {
  if (v < 0) return Status::OutOfRange("negative");
  return std::make_unique<int>(v);
}

Result<int> Unbox(int v) {
  TB_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(v));  // move-only value
  return *box;
}

TEST(Macros, AssignOrReturnPropagatesAndAssigns) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> odd = Quarter(6);  // 6 -> 3 -> odd
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "odd");
  EXPECT_EQ(Quarter(5).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(*Unbox(7), 7);
  EXPECT_EQ(Unbox(-1).status().code(), ErrorCode::kOutOfRange);
}

TEST(Macros, ReturnIfError) {
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).message(), "odd");
}

TEST(Result, ValueAndStatus) {
  Result<std::string> r(std::string("张伟"));
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(*r, "张伟");
  EXPECT_EQ(r->size(), 6u);
  EXPECT_TRUE(r.status().ok());
  Result<std::string> e(Status::NotFound("citizen"));
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tongban
