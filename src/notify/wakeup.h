// Wakes the notify worker of this process early when a notice is enqueued here (other nodes'
// notices are found by polling). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace tongban::notify {

// Called by Enqueue: counts the notice and wakes waiters.
void NoteEnqueued();
// Waits until EnqueueSerial() differs from `seen`, `wake` says so, or `max` passed; returns the
// serial then.
uint64_t WaitForEnqueue(uint64_t seen, std::chrono::milliseconds max);
// Wakes every waiter at once (Stop).
void WakeAll();

}  // namespace tongban::notify
