// Internal: rewriting our `?` placeholders into PostgreSQL's `$1, $2, ...`.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tongban::store::internal {

// Replaces each `?` outside string literals ('...', E'...'), quoted identifiers ("..."),
// dollar-quoted strings ($tag$...$tag$) and comments (-- ..., /* ... */) with $1, $2, ... in
// order; `*count` receives the number of placeholders. PostgreSQL's jsonb `?` operators are
// therefore not usable in our SQL: write jsonb_exists(...) instead.
std::string QuestionToDollar(std::string_view sql, int* count);

}  // namespace tongban::store::internal
