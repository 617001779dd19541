// libFuzzer target: `tongban verify-receipt`'s input (receipt/offline_receipt.h), all of it
// untrusted: the verify answer JSON and, after the first NUL byte, the published keys JSON. The
// log key is one the fuzzer made, so no input can carry a valid checkpoint signature: every
// report must fail (and nothing may crash, hang or leak on the way).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/key.h"
#include "ledger/note_keys.h"
#include "receipt/offline_receipt.h"

namespace {

const std::string& LogKey() {
  static const std::string key = [] {
    auto k = tongban::crypto::PrivateKey::Generate(tongban::crypto::SignatureAlgorithm::kSm2);
    if (!k.ok()) std::abort();
    auto v = tongban::ledger::NoteVerifierKeyString("fuzz.tongban.example/log", k->public_key());
    if (!v.ok()) std::abort();
    return *v;
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  tongban::receipt::OfflineReceiptInput input;
  input.answer = in.substr(0, nul);
  input.keys = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
  input.log_key = LogKey();
  const auto report = tongban::receipt::VerifyReceiptOffline(input);
  if (report.ok()) std::abort();  // a checkpoint signed by a key nobody but us holds
  return 0;
}
