// The ledger queue as tests see it: how many entries wait for the sequencer.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "ledger/log_storage.h"
#include "store/database.h"

namespace tongban::testing {

// The ledger queue's depth (0, and a failure, when it cannot be read).
inline int64_t QueueDepth(store::Database& db) {
  int64_t depth = 0;
  EXPECT_TRUE(db.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto q, ledger::ReadQueueStats(tx));
    depth = static_cast<int64_t>(q.depth);
    return Status::Ok();
  }).ok());
  return depth;
}

}  // namespace tongban::testing
