// The witness's HTTP endpoint (C2SP tlog-witness): POST /add-checkpoint with the text body the
// spec defines; the reply's status, content type and body come from ledger::Witness as they are.
// Public: a witness accepts only checkpoints signed by the logs it trusts.
// Thread-safe; `witness` must outlive the router.
#pragma once

#include "api/router.h"
#include "ledger/witness.h"

namespace tongban::api {

void AddWitnessRoutes(Router& router, ledger::Witness& witness);

}  // namespace tongban::api
