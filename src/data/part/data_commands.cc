// `tongban data generate`; see data_commands.h. Wiring only: SyntheticCounty makes the records,
// LoadSyntheticCounty pushes them.
#include "data/part/data_commands.h"

#include <chrono>
#include <cstdio>

#include "data/part/data_part.h"
#include "data/part/synthetic_load.h"
#include "part/progress.h"

namespace tongban::data {

int RunDataGenerate(const part::Commands& commands, const DataGenerateOptions& options) {
  auto fail = [](const Status& s) { return part::FailCommand("data generate", s); };
  if (options.people < 1 || options.people > 100'000'000) {
    return fail(Status::InvalidField("--people", "must be 1-100000000"));
  }
  if (options.enterprises < 0 || options.enterprises > 10'000'000) {
    return fail(Status::InvalidField("--enterprises", "must be 0-10000000 (0: one per 20 people, at least 500)"));
  }
  auto program = commands.Open(options.config);
  if (!program.ok()) return fail(program.status());
  auto data = (*program)->parts().Require<DataPart>("data generate", "data");
  if (!data.ok()) return fail(data.status());
  DataService& service = (*data)->service();
  auto pushers = DepartmentSystems((*data)->identity(), service.catalogue(), "data");
  if (!pushers.ok()) return fail(pushers.status());

  SyntheticLoadOptions load;
  load.county.people = options.people;
  load.county.enterprises = options.enterprises;
  load.county.seed = options.seed;
  load.county.today = ChinaDate(SystemClock().Now());
  load.push_lines = std::min<int64_t>(load.push_lines, (*data)->config().max_push_lines);
  const int64_t enterprises =
      options.enterprises > 0 ? options.enterprises : std::max<int64_t>(500, options.people / 20);
  part::ProgressBar progress("generating " + std::to_string(options.people) + " people and " +
                                 std::to_string(enterprises) + " enterprises",
                             options.people + enterprises);
  int64_t shown = 0;
  load.progress = [&](int64_t people, int64_t firms) {
    progress.Advance(people + firms - shown);
    shown = people + firms;
  };
  const auto start = std::chrono::steady_clock::now();
  auto result = LoadSyntheticCounty(service, *pushers, load);
  if (!result.ok()) return fail(result.status());
  progress.Finish();
  const double pushed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Integrate the records' ledger entries now (no server may be running to do it).
  if (Status s = (*program)->Stop(); !s.ok()) return fail(s);
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("generated %lld people and %lld enterprises: %lld record versions stored, %lld already there; "
              "pushed in %.1f s (%.0f records/s), ledger integrated after %.1f s\n",
              static_cast<long long>(result->people), static_cast<long long>(result->enterprises),
              static_cast<long long>(result->accepted), static_cast<long long>(result->unchanged), pushed_s,
              static_cast<double>(result->accepted + result->unchanged) / std::max(pushed_s, 1e-9), total_s);
  return 0;
}

void AddDataCommands(part::Commands& commands, DataGenerateOptions& generate) {
  CLI::App* group = commands.AddGroup("data", "Public data platform administration");
  const part::Commands* c = &commands;
  CLI::App* cmd = commands.Add(
      group, "generate",
      "Push a synthetic county (people, households, enterprises; no real person's data) into the database",
      [c, &generate] { return RunDataGenerate(*c, generate); });
  part::Commands::AddConfigOption(cmd, generate.config);
  cmd->add_option("--people", generate.people, "How many people (households are never split)")->required();
  cmd->add_option("--enterprises", generate.enterprises, "How many enterprises (default: one per 20 people, at least 500)");
  cmd->add_option("--seed", generate.seed, "The generator's seed: the same seed gives the same county");
}

}  // namespace tongban::data
