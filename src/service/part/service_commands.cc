// `tongban rules test` and `tongban rules replay`; see service_commands.h.
#include "service/part/service_commands.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "ledger/part/ledger_part.h"
#include "part/key_files.h"
#include "service/part/service_part.h"
#include "service/rule_book.h"
#include "service/rules/examples.h"

namespace tongban::service {
namespace {

void PrintRefusal(const Status& s) {
  if (s.fields().empty()) {
    std::printf("  %s\n", std::string(s.message()).c_str());
    return;
  }
  for (const FieldError& f : s.fields()) std::printf("  %s: %s\n", f.field.c_str(), f.reason.c_str());
}

// Runs one rule file's examples; returns the number of failures (a refused file counts as one).
int TestOne(const RuleFile& rules, const std::optional<RuleFile>& examples) {
  auto table = RuleBook::ParseOne(rules, ServiceCatalogue::Builtin(), data::Catalogue::Builtin(),
                                  license::Catalogue::Builtin());
  if (!table.ok()) {
    std::printf("REFUSED %s\n", rules.name.c_str());
    PrintRefusal(table.status());
    return 1;
  }
  if (!examples) {
    std::printf("NO EXAMPLES %s (write them beside it, in %s)\n", rules.name.c_str(),
                (rules.name.substr(0, rules.name.size() - 5) + ".test.toml").c_str());
    return 1;
  }
  auto results = rules::RunExamples(*table, examples->name, examples->text);
  if (!results.ok()) {
    std::printf("REFUSED %s\n", examples->name.c_str());
    PrintRefusal(results.status());
    return 1;
  }
  int failed = 0;
  std::printf("%s (%s version %d): %zu examples\n", rules.name.c_str(), table->item().c_str(), table->version(),
              results->size());
  for (const rules::ExampleResult& r : *results) {
    if (r.passed) {
      std::printf("  PASS %s\n", r.name.c_str());
    } else {
      ++failed;
      std::printf("  FAIL %s (%s:%d): %s\n", r.name.c_str(), examples->name.c_str(), r.line, r.message.c_str());
    }
  }
  return failed;
}

int RunTest(const RulesCommandOptions& options) {
  std::vector<std::pair<RuleFile, std::optional<RuleFile>>> work;
  if (options.files.empty()) {
    std::vector<RuleFile> examples = RuleBook::BuiltinExamples();
    for (RuleFile& r : RuleBook::BuiltinFiles()) {
      const std::string stem = r.name.substr(0, r.name.size() - 5);
      std::optional<RuleFile> beside;
      for (const RuleFile& e : examples) {
        if (e.name == stem + ".test.toml") beside = e;
      }
      work.emplace_back(std::move(r), std::move(beside));
    }
  }
  for (const std::string& f : options.files) {
    auto text = part::ReadTextFile(f);
    if (!text.ok()) return part::FailCommand("rules test", text.status());
    std::filesystem::path beside = f;
    beside.replace_extension(".test.toml");
    std::optional<RuleFile> examples;
    if (std::filesystem::exists(beside)) {
      auto t = part::ReadTextFile(beside);
      if (!t.ok()) return part::FailCommand("rules test", t.status());
      examples = RuleFile{beside.string(), std::move(*t)};
    }
    work.emplace_back(RuleFile{f, std::move(*text)}, std::move(examples));
  }
  int failed = 0;
  for (const auto& [rules, examples] : work) failed += TestOne(rules, examples);
  std::printf(failed == 0 ? "all examples pass\n" : "%d example(s) or file(s) failed\n", failed);
  return failed == 0 ? 0 : 1;
}

// The index of the log's leaf that is `entry` (whatever its index), searching from the newest
// leaf back: decisions are recent. nullopt when the log does not hold it (yet).
Result<std::optional<uint64_t>> FindInLog(store::Database& db, const ledger::Entry& entry) {
  std::optional<uint64_t> found;
  TB_RETURN_IF_ERROR(db.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(ledger::LogState state, ledger::ReadLogState(tx));
    constexpr uint64_t kChunk = 4096;
    for (uint64_t end = state.size; end > 0 && !found;) {
      const uint64_t begin = end > kChunk ? end - kChunk : 0;
      TB_ASSIGN_OR_RETURN(auto entries, ledger::ReadEntries(tx, begin, end));
      for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        auto e = ledger::ParseEntry(it->entry);
        if (e.ok() && e->type == entry.type && e->document == entry.document && e->subject == entry.subject &&
            e->time_micros == entry.time_micros) {
          found = it->index;
          break;
        }
      }
      end = begin;
    }
    return Status::Ok();
  }));
  return found;
}

int RunReplay(const part::Commands& commands, const RulesCommandOptions& options) {
  if ((options.decision > 0) == !options.case_number.empty()) {
    std::fprintf(stderr, "tongban rules replay: name one of --decision or --case\n");
    return 2;
  }
  auto program = commands.Open(options.config);
  if (!program.ok()) return part::FailCommand("rules replay", program.status());
  auto service = (*program)->parts().Require<ServicePart>("rules replay", "service");
  if (!service.ok()) return part::FailCommand("rules replay", service.status());
  auto ledger = (*program)->parts().Require<ledger::LedgerPart>("rules replay", "ledger");
  if (!ledger.ok()) return part::FailCommand("rules replay", ledger.status());
  CaseService& cases = (*service)->service();
  std::vector<int64_t> ids;
  if (options.decision > 0) {
    ids.push_back(options.decision);
  } else {
    auto found = cases.DecisionIdsOf(options.case_number);
    if (!found.ok()) return part::FailCommand("rules replay", found.status());
    ids = std::move(found).value();
    if (ids.empty()) std::printf("case %s has no automatic decisions\n", options.case_number.c_str());
  }
  int bad = 0;
  for (int64_t id : ids) {
    auto replay = cases.ReplayDecision(id);
    if (!replay.ok()) {
      ++bad;
      std::printf("decision %lld: cannot replay: %s\n", static_cast<long long>(id), replay.status().ToString().c_str());
      continue;
    }
    const DecisionRecord& d = replay->decision;
    std::printf("decision %lld: task %lld, %s, rules %s…, on %s: recorded %s, replayed %s\n",
                static_cast<long long>(id), static_cast<long long>(d.task_id), d.item.c_str(),
                d.rule_hash.substr(0, 16).c_str(), d.decided_on.c_str(), d.outcome.c_str(),
                std::string(rules::OutcomeName(replay->replayed.outcome)).c_str());
    std::string in_log = "its ledger entry is not in the log yet (still queued: serve the deployment to integrate it)";
    auto index = FindInLog((*program)->db(), replay->entry);
    if (!index.ok()) {
      ++bad;
      std::printf("  cannot read the log: %s\n", index.status().ToString().c_str());
      continue;
    }
    if (*index) in_log = "its ledger entry is leaf " + std::to_string(**index);
    if (replay->same) {
      std::printf("  SAME: outcome, rows and ledger document agree; %s\n", in_log.c_str());
    } else {
      ++bad;
      std::printf("  DIFFERENT: %s\n", replay->difference.c_str());
    }
  }
  (void)(*program)->Stop();
  return bad == 0 ? 0 : 1;
}

}  // namespace

void AddRulesCommands(part::Commands& commands, RulesCommandOptions& options) {
  CLI::App* group = commands.AddGroup("rules", "The 秒批 decision rules: run their examples, replay decisions");
  CLI::App* test = commands.Add(group, "test", "Run the examples beside rule files (FILE.test.toml); "
                                               "no FILE: the built-in rules",
                                [&options] { return RunTest(options); });
  test->add_option("files", options.files, "Rule files (TOML, docs/rules.md)");
  const part::Commands* c = &commands;
  CLI::App* replay = commands.Add(group, "replay",
                                  "Re-evaluate stored automatic decisions from the database and check them "
                                  "against their records and ledger entries",
                                  [c, &options] { return RunReplay(*c, options); });
  part::Commands::AddConfigOption(replay, options.config);
  replay->add_option("--decision", options.decision, "A decision id");
  replay->add_option("--case", options.case_number, "Every decision of a case (its number)");
}

}  // namespace tongban::service
