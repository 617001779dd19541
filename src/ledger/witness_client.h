// The log side of C2SP tlog-witness: submit a signed checkpoint to witnesses with add-checkpoint,
// check their cosignatures, and attach them to the checkpoint, requiring k of n.
//
// No sockets here: the HTTP POST is injected (HttpPostFn), so tests use an in-process fake and the
// API layer supplies a real client. Consistency proofs come from a callback too (the log's
// LogReader, or a MemoryTree in tests), because which old size a witness needs is only known
// once it answers.
//
// Per witness the client remembers the size the witness last cosigned (in memory; 0 at start).
// If that is stale (after a restart, or another submitter), the witness answers 409 with its
// size, and the client retries once with a proof from that size — so persisting it is an
// optimisation, not a need.
//
// Thread-safety: WitnessClient is thread-safe; CollectCosignatures asks all witnesses in
// parallel (one thread each) and serialises calls to the proof callback, so the callback need not
// be thread-safe. The HttpPostFn must be safe to call from several threads and must time out.
// Ownership: a WitnessClient owns its configuration and its copy of the HttpPostFn.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/note_signer.h"

namespace tongban::ledger {

// One HTTP response as the transport received it.
struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// POSTs `body` to `url` and returns the response, whatever its status. A transport failure
// (connection refused, timeout) is an error Status, normally kUnavailable.
using HttpPostFn =
    std::function<Result<HttpReply>(const std::string& url, const std::string& body)>;

// RFC 9162 consistency proof of the log from old_size to new_size (0 < old_size < new_size).
using ConsistencyProofFn =
    std::function<Result<std::vector<Hash>>(uint64_t old_size, uint64_t new_size)>;

struct WitnessEndpoint {
  // The submission prefix; the client POSTs to url + "/add-checkpoint".
  std::string url;
  // The witness's cosignature verifier (ParseCosignatureVerifier of its vkey string). Its name
  // identifies the witness in errors.
  std::shared_ptr<const NoteVerifier> key;
};

// The size in a 409 reply's body ("<size>" LF). kInvalidArgument if the body is not one.
Result<uint64_t> ParseWitnessSizeBody(std::string_view body);

class WitnessClient {
 public:
  // `known_size`: the size this witness last cosigned, if the log stored it; 0 if unknown.
  WitnessClient(WitnessEndpoint endpoint, HttpPostFn post, uint64_t known_size = 0);

  // Asks the witness to cosign `note` (a checkpoint signed by the log) and returns its verified
  // cosignature(s), ready for AttachCosignatures. On 409 learns the witness's size and retries
  // once with a proof from it.
  //   kInvalidArgument     `note` is not a signed checkpoint, or the witness answered 400
  //   kFailedPrecondition  the witness has cosigned a larger tree than `note` (our log is behind
  //                        or was rolled back), or it answered 404 (does not witness this log)
  //   kPermissionDenied    403: the witness does not accept the log's signature
  //   kUnprocessable       422: the witness holds a checkpoint not consistent with `note` — a
  //                        fork or a bad proof; raise an alarm, do not retry
  //   kUnauthenticated     the reply's cosignature does not verify under the witness's key
  //   kConflict            still 409 after the retry
  //   kUnavailable         transport failure, or 5xx
  // Errors from `proofs` pass through.
  Result<std::vector<NoteSignature>> Cosign(std::string_view note,
                                            const ConsistencyProofFn& proofs);

  uint64_t known_size() const;
  const WitnessEndpoint& endpoint() const { return endpoint_; }
  // The witness's key name, for messages.
  const std::string& name() const { return endpoint_.key->name(); }

 private:
  WitnessEndpoint endpoint_;
  HttpPostFn post_;
  mutable std::mutex mu_;
  uint64_t known_size_;  // guarded by mu_
};

struct CosignedCheckpoint {
  std::string note;                    // the input note with every valid cosignature attached
  std::vector<std::string> cosigners;  // names of the witnesses that cosigned, in input order
  std::vector<Status> failures;        // one per witness that did not, its name in the message
};

// Submits `note` to every witness in parallel and attaches the cosignatures of those that
// cosigned. kUnavailable if fewer than `k` did (the message names each failure and its reason);
// a log that requires k of n publishes nothing then and tries again with its next checkpoint.
// kInvalidArgument if `note` is not a signed checkpoint or k > witnesses.size().
// REQUIRES: no two witnesses share a key (name and key ID).
Result<CosignedCheckpoint> CollectCosignatures(std::string_view note,
                                               std::span<WitnessClient* const> witnesses,
                                               size_t k, const ConsistencyProofFn& proofs);

}  // namespace tongban::ledger
