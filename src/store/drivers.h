// Internal: the driver factories behind Database::Open, and URL parsing shared by them.
// Not part of the store's public surface; include only from src/store/*.cc and store tests.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/database.h"

namespace tongban::store::internal {

// `path` is a file path or ":memory:"; `params` are the URL's query parameters.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const std::map<std::string, std::string>& params,
                                             const DatabaseOptions& options);
// `conninfo` is the libpq URI with our own parameters removed.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo,
                                               const std::map<std::string, std::string>& params,
                                               const DatabaseOptions& options);

// Applies the parameters every driver understands (max_attempts, busy_timeout_ms, pool_size,
// ...) to `options`, erasing them from `params`. kInvalidArgument for a bad value.
Status TakeCommonParams(std::map<std::string, std::string>& params, DatabaseOptions& options);

// A plain `INSERT INTO t (a, b) VALUES (?, ?)`: only placeholders, no ON CONFLICT, RETURNING or
// expressions. Drivers batch such statements in bulk (PostgreSQL: COPY; SQLite: multi-row VALUES).
struct PlainInsert {
  std::string table;
  std::string columns;  // "a, b" as written
  int placeholders = 0;
};
std::optional<PlainInsert> ParsePlainInsert(std::string_view sql);

// Percent-decodes a URL component. kInvalidArgument for a malformed escape.
Result<std::string> PercentDecode(std::string_view s);

}  // namespace tongban::store::internal
