// QuestionToDollar: `?` becomes $n only outside literals, quoted names and comments.
#include "store/sql_rewrite.h"

#include <gtest/gtest.h>

namespace tongban::store::internal {
namespace {

std::string Rewrite(std::string_view sql, int expect_count) {
  int n = -1;
  std::string out = QuestionToDollar(sql, &n);
  EXPECT_EQ(n, expect_count) << sql;
  return out;
}

TEST(QuestionToDollar, NumbersPlaceholdersInOrder) {
  EXPECT_EQ(Rewrite("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", 3),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(Rewrite("SELECT 1", 0), "SELECT 1");
}

TEST(QuestionToDollar, SkipsLiteralsIdentifiersAndComments) {
  EXPECT_EQ(Rewrite("SELECT '?', 'it''s ?', \"col?\" FROM t WHERE x = ?", 1),
            "SELECT '?', 'it''s ?', \"col?\" FROM t WHERE x = $1");
  EXPECT_EQ(Rewrite("SELECT ? -- why?\n, /* what? */ ?", 2), "SELECT $1 -- why?\n, /* what? */ $2");
  EXPECT_EQ(Rewrite("SELECT E'a\\'?' , ?", 1), "SELECT E'a\\'?' , $1");
  EXPECT_EQ(Rewrite("SELECT $$ ? $$, $tag$ ? $tag$, ?", 1), "SELECT $$ ? $$, $tag$ ? $tag$, $1");
}

TEST(QuestionToDollar, UnterminatedLiteralDoesNotOverrun) {
  EXPECT_EQ(Rewrite("SELECT 'abc ?", 0), "SELECT 'abc ?");
  EXPECT_EQ(Rewrite("SELECT /* ?", 0), "SELECT /* ?");
}

}  // namespace
}  // namespace tongban::store::internal
