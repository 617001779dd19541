// The log side of tlog-witness: one WitnessClient per configured witness, and k-of-n collection.
#include "ledger/witness_client.h"

#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/witness.h"

namespace tongban::ledger {
namespace {

// One retry after a 409: the first request may use a stale size, the second uses the witness's.
constexpr int kMaxAttempts = 2;

Result<Checkpoint> SignedCheckpoint(std::string_view note) {
  Result<Note> parsed = ParseNote(note);
  if (!parsed.ok()) return parsed.status();
  return ParseCheckpoint(parsed->text);
}

}  // namespace

Result<uint64_t> ParseWitnessSizeBody(std::string_view body) {
  if (body.size() < 2 || body.size() > 21 || body.back() != '\n' ||
      (body.size() > 2 && body[0] == '0')) {
    return Status::InvalidArgument("witness size body must be a decimal number and a newline");
  }
  uint64_t n = 0;
  for (char c : body.substr(0, body.size() - 1)) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("witness size body must be a decimal number and a newline");
    }
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return Status::InvalidArgument("witness size overflows");
    n = n * 10 + d;
  }
  return n;
}

WitnessClient::WitnessClient(WitnessEndpoint endpoint, HttpPostFn post, uint64_t known_size)
    : endpoint_(std::move(endpoint)), post_(std::move(post)), known_size_(known_size) {}

uint64_t WitnessClient::known_size() const {
  std::lock_guard lock(mu_);
  return known_size_;
}

Result<std::vector<NoteSignature>> WitnessClient::Cosign(std::string_view note,
                                                         const ConsistencyProofFn& proofs) {
  TB_ASSIGN_OR_RETURN(Checkpoint cp, SignedCheckpoint(note));
  const std::string who = "witness " + name() + ": ";
  const std::string url = endpoint_.url + "/add-checkpoint";
  const NoteVerifierList keys({endpoint_.key});
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const uint64_t old_size = known_size();
    if (old_size > cp.size) {
      return Status::FailedPrecondition(who + "has cosigned size " + std::to_string(old_size) +
                                        ", larger than this checkpoint's " +
                                        std::to_string(cp.size));
    }
    std::vector<Hash> proof;
    if (old_size != 0 && old_size != cp.size) {
      TB_ASSIGN_OR_RETURN(proof, proofs(old_size, cp.size));
    }
    Result<HttpReply> reply = post_(url, FormatAddCheckpointRequest(old_size, proof, note));
    if (!reply.ok()) {
      return Status::Unavailable(who + "request failed: " + reply.status().message())
          .WithDetail(reply.status().detail());
    }
    const std::string said = who + "HTTP " + std::to_string(reply->status) + ": " +
                             reply->body.substr(0, reply->body.find('\n'));
    switch (reply->status) {
      case 200: {
        Result<std::vector<NoteSignature>> sigs = VerifyCosignatureLines(note, reply->body, keys);
        if (!sigs.ok()) {
          return Status::Unauthenticated(who + "reply has no valid cosignature")
              .WithDetail(sigs.status().message());
        }
        std::lock_guard lock(mu_);
        if (cp.size > known_size_) known_size_ = cp.size;
        return sigs;
      }
      case 409: {
        Result<uint64_t> size = ParseWitnessSizeBody(reply->body);
        if (!size.ok()) return Status::Unavailable(who + "malformed 409 reply");
        std::lock_guard lock(mu_);
        known_size_ = *size;
        continue;
      }
      case 400:
        return Status::InvalidArgument(said);
      case 403:
        return Status::PermissionDenied(said);
      case 404:
        return Status::FailedPrecondition(said);
      case 422:
        return Status::Unprocessable(said);
      default:
        return Status::Unavailable(said);
    }
  }
  return Status::Conflict(who + "size changed again after a 409");
}

Result<CosignedCheckpoint> CollectCosignatures(std::string_view note,
                                               std::span<WitnessClient* const> witnesses,
                                               size_t k, const ConsistencyProofFn& proofs) {
  TB_RETURN_IF_ERROR(SignedCheckpoint(note).status());
  if (k > witnesses.size()) {
    return Status::InvalidArgument("cannot require more cosignatures than there are witnesses");
  }
  std::mutex proof_mu;
  const ConsistencyProofFn serial = [&](uint64_t a, uint64_t b) {
    std::lock_guard lock(proof_mu);
    return proofs(a, b);
  };
  std::vector<Result<std::vector<NoteSignature>>> results(witnesses.size(),
                                                          Status::Internal("not asked"));
  if (witnesses.size() == 1) {
    results[0] = witnesses[0]->Cosign(note, serial);
  } else {
    std::vector<std::thread> threads;
    threads.reserve(witnesses.size());
    for (size_t i = 0; i < witnesses.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = witnesses[i]->Cosign(note, serial); });
    }
    for (std::thread& t : threads) t.join();
  }

  CosignedCheckpoint out;
  std::vector<NoteSignature> all;
  for (size_t i = 0; i < witnesses.size(); ++i) {
    if (results[i].ok()) {
      out.cosigners.push_back(witnesses[i]->name());
      all.insert(all.end(), results[i]->begin(), results[i]->end());
    } else {
      out.failures.push_back(results[i].status());
    }
  }
  if (out.cosigners.size() < k) {
    std::string why = std::to_string(out.cosigners.size()) + " of " +
                      std::to_string(witnesses.size()) + " witnesses cosigned, " +
                      std::to_string(k) + " required";
    for (const Status& f : out.failures) why += "; " + f.message();
    return Status::Unavailable(std::move(why));
  }
  if (all.empty()) {
    out.note = std::string(note);
    return out;
  }
  TB_ASSIGN_OR_RETURN(out.note, AttachCosignatures(note, all));
  return out;
}

}  // namespace tongban::ledger
