// WalletIndexer keeps the payers' wallet index (receipt_wallet) off the issue path. An issue
// transaction appends one narrow row per receipt to receipt_wallet_queue (an append, at the
// table's right edge); the indexer moves queued rows, sorted by payer, into the index in bulk,
// on demand (IndexOnce) or on its own background thread (Start / Stop). Index inserts keyed by
// payer land on random pages: done per batch they made the writer rewrite about one 4 KiB index
// page per receipt; done in sorted bulk, neighbouring keys share pages. A receipt is in the
// wallet from its commit on either way: ReceiptRepo::ReceiptsOfPayer reads the index and the
// queue in one snapshot, and a move is one transaction.
//
// A class of its own (ReceiptService owns one and forwards IndexWallet / StartWalletIndexer /
// StopWalletIndexer to it): it is the receipt part's one background worker, with its own thread
// and lifecycle, and it touches nothing but the two wallet tables.
//
// Thread-safety: thread-safe; IndexOnce may run while the thread does.
// Ownership: does not own `db`, which must outlive it; owns its thread, joined by Stop() or the
// destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "store/database.h"

namespace tongban::receipt {

class WalletIndexer {
 public:
  // Rows the background thread moves per transaction.
  static constexpr size_t kRowsPerMove = 50'000;

  explicit WalletIndexer(store::Database& db) : db_(db) {}
  ~WalletIndexer() { Stop(); }
  WalletIndexer(const WalletIndexer&) = delete;
  WalletIndexer& operator=(const WalletIndexer&) = delete;

  // Moves up to `max_rows` of the oldest queued rows into the index in one transaction; looks in
  // a read snapshot first, so an idle indexer never takes the write lock. Returns the number of
  // rows moved. kUnavailable when the queue changed under the move (nothing moved; retry).
  Result<size_t> IndexOnce(size_t max_rows);

  // Runs IndexOnce(kRowsPerMove) every `interval` (and at once again while it moves a full
  // batch) on a background thread until Stop(). Does nothing while the thread runs.
  void Start(std::chrono::milliseconds interval);
  // Stops and joins the thread; does nothing when it is not running.
  void Stop();

 private:
  store::Database& db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tongban::receipt
