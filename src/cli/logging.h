// Process logging: JSON lines on stderr with UTC timestamps, through a buffered sink that writes
// in blocks (at least every second, at once for warnings and errors) instead of one write(2) per
// access-log line. Call SetUpLogging() once at start, FlushLogs() before exit.
#pragma once

#include <string>

namespace tongban::cli {

void SetUpLogging(const std::string& level);
void FlushLogs();

}  // namespace tongban::cli
