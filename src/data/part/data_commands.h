// `tongban data generate`: a synthetic county (data/synthetic.h) of any size pushed into the
// configured database through DataService::Push, as each dataset's owner department would, with a
// progress bar; for benchmarks (1,000,000 people) and trials. The records go in rounds of a few
// thousand people, each dataset's lines one push, so memory stays bounded however many people are
// asked for; the ledger entries of the records are integrated before the command returns. Run it
// again with the same --seed and nothing changes (every record comes back unchanged).
#pragma once

#include <cstdint>
#include <filesystem>

#include "part/commands.h"

namespace tongban::data {

struct DataGenerateOptions {
  std::filesystem::path config = "tongban.toml";
  int64_t people = 0;
  int64_t enterprises = 0;  // 0: one per 20 people, at least 500
  uint64_t seed = 20261207;
};
// Exit 0 on success (prints what was loaded), 1 with the reason otherwise.
int RunDataGenerate(const part::Commands& commands, const DataGenerateOptions& options);

// Adds `tongban data generate`; the options must outlive the parse and the run.
void AddDataCommands(part::Commands& commands, DataGenerateOptions& generate);

}  // namespace tongban::data
