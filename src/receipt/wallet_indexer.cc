// The wallet indexer; see wallet_indexer.h. SQL: receipt_repo.cc.
#include "receipt/wallet_indexer.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "receipt/receipt_repo.h"

namespace tongban::receipt {

Result<size_t> WalletIndexer::IndexOnce(size_t max_rows) {
  // Look in a read snapshot first, so an idle indexer never takes the write lock.
  bool any = false;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(any, ReceiptRepo::AnyQueuedForWallet(tx));
    return Status::Ok();
  }));
  if (!any) return size_t{0};
  size_t moved = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    moved = 0;
    TB_ASSIGN_OR_RETURN(auto rows,
                        ReceiptRepo::QueuedForWallet(tx, static_cast<int64_t>(max_rows)));
    if (rows.empty()) return Status::Ok();
    // Sorted by key: neighbouring inserts land on the same index pages.
    std::vector<std::pair<int64_t, int64_t>> keys;
    keys.reserve(rows.size());
    for (const auto& r : rows) keys.emplace_back(r.payer_key, r.receipt_id);
    std::sort(keys.begin(), keys.end());
    TB_RETURN_IF_ERROR(ReceiptRepo::InsertWalletKeys(tx, keys));
    TB_ASSIGN_OR_RETURN(int64_t n,
                        ReceiptRepo::DeleteQueuedForWallet(tx, rows.front().id, rows.back().id));
    if (n != static_cast<int64_t>(rows.size())) {
      return Status::Unavailable("receipt wallet queue changed during indexing; retry");
    }
    moved = rows.size();
    return Status::Ok();
  }));
  return moved;
}

void WalletIndexer::Start(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto moved = IndexOnce(kRowsPerMove);
      lock.lock();
      if (moved.ok() && *moved == kRowsPerMove) continue;  // more may be waiting
      cv_.wait_for(lock, interval, [&] { return stop_; });
    }
  });
}

void WalletIndexer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tongban::receipt
