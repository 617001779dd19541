// The ledger's public HTTP endpoints (no login): the C2SP tlog-tiles tree under /ledger/ (so any
// standard tiles client can mirror the log) and a JSON API under /api/v1/ledger/ for checkpoints,
// entries and proofs. All reads go through ledger::LogReader snapshots, never the write path.
// Thread-safe; `reader` must outlive the router.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>

#include "api/router.h"
#include "ledger/log_reader.h"

namespace tongban::api {

struct LedgerRoutesOptions {
  // The log's verifier key string (`<name>+<id>+<base64 key>`), published so that clients know
  // which key checkpoints are signed with. Served at /api/v1/ledger/key.
  std::string verifier_key;
  // The latest checkpoint note to serve at /ledger/checkpoint, e.g. with witness cosignatures
  // attached; when empty, the latest stored note is served.
  std::function<Result<std::string>()> latest_note;
};

void AddLedgerRoutes(Router& router, ledger::LogReader& reader, LedgerRoutesOptions options);

// The body of GET /api/v1/ledger/proofs/inclusion for `proof`: index, tree_size, leaf_hash,
// hashes, and (when readable) the entry bytes and the checkpoint of that tree size — a complete
// offline proof for `tongban verify --proof`. Other parts embed it (receipt verification).
boost::json::object InclusionProofJson(ledger::LogReader& reader,
                                       const ledger::InclusionProofResult& proof);

}  // namespace tongban::api
