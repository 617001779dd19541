// Ledger endpoints; see ledger_handlers.h.
#include "ledger/part/ledger_handlers.h"

#include <boost/json.hpp>
#include <charconv>

#include "api/problem.h"
#include "core/base64.h"
#include "crypto/hash.h"
#include "ledger/entry.h"
#include "ledger/tile.h"

namespace tongban::api {
namespace {

using ledger::Hash;

Result<uint64_t> ParseCount(std::string_view field, std::string_view text) {
  uint64_t v = 0;
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) {
    return Status::InvalidField(std::string(field), "must be a decimal number without leading zeros");
  }
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidField(std::string(field), "must be a decimal number");
  }
  return v;
}

Result<uint64_t> QueryCount(const HttpRequest& req, std::string_view field,
                            std::optional<uint64_t> fallback = std::nullopt) {
  auto v = req.Query(field);
  if (!v) {
    if (fallback) return *fallback;
    return Status::InvalidField(std::string(field), "is required");
  }
  return ParseCount(field, *v);
}

std::string B64(const Hash& h) { return Base64Encode(std::span<const uint8_t>(h.data(), h.size())); }
std::string B64(std::string_view s) { return Base64Encode(s); }

boost::json::array HashList(const std::vector<Hash>& hashes) {
  boost::json::array out;
  for (const Hash& h : hashes) out.push_back(boost::json::string(B64(h)));
  return out;
}

boost::json::object CheckpointJson(const ledger::StoredCheckpoint& c) {
  return boost::json::object{{"size", c.size},
                             {"root", B64(c.root)},
                             {"note", c.note},
                             {"time_micros", c.time_micros}};
}

HttpResponse Json(const boost::json::object& o, bool immutable = false) {
  HttpResponse r = HttpResponse::Json(200, boost::json::serialize(o));
  r.WithHeader("Cache-Control", immutable ? "public, max-age=86400" : "no-cache");
  r.WithHeader("Access-Control-Allow-Origin", "*");
  return r;
}

}  // namespace

boost::json::object InclusionProofJson(ledger::LogReader& reader,
                                       const ledger::InclusionProofResult& proof) {
  boost::json::object o{{"index", proof.index},
                        {"tree_size", proof.tree_size},
                        {"leaf_hash", B64(proof.leaf_hash)},
                        {"hashes", HashList(proof.proof)}};
  // With the entry and the checkpoint this is a complete offline proof: save it as a file and
  // check it with `tongban verify --key <verifier key> --proof <file>`.
  auto entry = reader.EntryAt(proof.index);
  if (entry.ok()) o["entry"] = B64(entry->entry);
  auto cp = reader.Checkpoint(proof.tree_size);
  if (cp.ok()) o["checkpoint"] = cp->note;
  return o;
}

void AddLedgerRoutes(Router& router, ledger::LogReader& reader, LedgerRoutesOptions options) {
  auto latest_note = options.latest_note;
  // The answers' contract (api/router.h). Hashes are base64 (standard alphabet, padded) of the
  // log's 32-byte hash (SHA-256 or SM3); sizes and indices are integers; notes are C2SP signed
  // notes as text.
  router.AddSchema("LedgerHash", R"json({
    "type": "string", "pattern": "^[A-Za-z0-9+/]{43}=$",
    "description": "A 32-byte Merkle tree hash (SHA-256 or SM3, per the log), base64",
    "examples": ["x3QXeyZgwy62RG+MMkk+k92WQW9PUrgJJxBUVbo12i4="]
  })json");
  router.AddSchema("SignedNote", R"json({
    "type": "string",
    "description": "A C2SP signed note: the checkpoint body (origin, tree size, base64 root hash, one line each), a blank line, then one signature line per signer",
    "examples": ["tongban.example/ledger\n300\nkEOd7ghbeCqoteE4uYZn/HtU39kFsGR3NzHv56CSEUY=\n\n— tongban.example/ledger MFvT2s2n8aFU8ogFh3HsBpHoaa/fK5+/y2hh1cJIegQlz7s/auxREVouEjgWwPLgSLw+vDp2E35yPlFAyrd0UfXzKFY=\n"]
  })json");
  router.AddSchema("Checkpoint", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["size", "root", "note", "time_micros"],
    "properties": {
      "size": {"type": "integer", "minimum": 0, "description": "Tree size: the number of leaves", "examples": [300]},
      "root": {"$ref": "#/components/schemas/LedgerHash"},
      "note": {"$ref": "#/components/schemas/SignedNote"},
      "time_micros": {"type": "integer", "minimum": 0, "description": "When the checkpoint was made, unix microseconds UTC"}
    }
  })json");
  // Open: answers that embed a proof may add fields (the licence verification adds the event
  // `document`); the proof route closes it with unevaluatedProperties.
  router.AddSchema("InclusionProof", R"json({
    "type": "object",
    "description": "RFC 9162 inclusion proof of one leaf in the tree of tree_size; with entry and checkpoint it is a complete offline proof (tongban verify --proof)",
    "required": ["index", "tree_size", "leaf_hash", "hashes"],
    "properties": {
      "index": {"type": "integer", "minimum": 0, "description": "The leaf index", "examples": [123]},
      "tree_size": {"type": "integer", "minimum": 1, "examples": [300]},
      "leaf_hash": {"$ref": "#/components/schemas/LedgerHash"},
      "hashes": {"type": "array", "items": {"$ref": "#/components/schemas/LedgerHash"},
                 "description": "The audit path, leaf to root"},
      "entry": {"type": "string", "contentEncoding": "base64",
                "description": "The entry's canonical bytes (83..146), base64; absent when unreadable"},
      "checkpoint": {"$ref": "#/components/schemas/SignedNote",
                     "description": "The signed checkpoint of tree_size; absent when none is stored for that size"}
    }
  })json");
  const std::string kNote = R"json({"$ref": "#/components/schemas/SignedNote"})json";
  // --- C2SP tlog-tiles ----------------------------------------------------------------------
  router.Add(Route{"GET", "/ledger/checkpoint", "getTlogCheckpoint",
                   "C2SP tlog-tiles: the latest signed checkpoint (signed note).",
                   RouteAccess::Public(),
                   [&reader, latest_note](const HttpRequest& req, const PathParams&) {
                     std::string note;
                     if (latest_note) {
                       TB_ASSIGN_OR_PROBLEM(note, latest_note(), req);
                     } else {
                       TB_ASSIGN_OR_PROBLEM(auto c, reader.LatestCheckpoint(), req);
                       note = c.note;
                     }
                     HttpResponse r = HttpResponse::Text(200, note);
                     r.WithHeader("Cache-Control", "no-cache");
                     r.WithHeader("Access-Control-Allow-Origin", "*");
                     return r;
                   },
                   "text/plain"})
      .Answers(kNote);
  router.Add(Route{
      "GET", "/ledger/tile/{path...}", "getTlogTile",
      "C2SP tlog-tiles: a hash tile <L>/<N>[.p/<W>] or an entry bundle entries/<N>[.p/<W>].",
      RouteAccess::Public(),
      [&reader](const HttpRequest& req, const PathParams& p) {
        const std::string& path = p.at("path");
        std::string body;
        bool partial = path.find(".p/") != std::string::npos;
        if (path.starts_with("entries/")) {
          TB_ASSIGN_OR_PROBLEM(ledger::TileId id, ledger::ParseEntryBundlePath("tile/" + path), req);
          TB_ASSIGN_OR_PROBLEM(body, reader.EntryBundle(id.index, id.width), req);
        } else {
          TB_ASSIGN_OR_PROBLEM(ledger::TileId id, ledger::ParseTilePath("tile/" + path), req);
          TB_ASSIGN_OR_PROBLEM(body, reader.Tile(id), req);
        }
        HttpResponse r = HttpResponse::Text(200, std::move(body), "application/octet-stream");
        // Full tiles never change; partial ones are superseded by wider ones.
        r.WithHeader("Cache-Control",
                     partial ? "public, max-age=60" : "public, max-age=31536000, immutable");
        r.WithHeader("Access-Control-Allow-Origin", "*");
        return r;
      },
      "application/octet-stream"});

  // --- JSON API -----------------------------------------------------------------------------
  router.Add(Route{"GET", "/api/v1/ledger/key", "getLedgerKey",
                   "The log's origin and verifier key (to check checkpoints offline).",
                   RouteAccess::Public(),
                   [&reader, key = options.verifier_key](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(auto state, reader.State(), req);
                     return Json(boost::json::object{
                         {"origin", state.origin},
                         {"hash", crypto::HashAlgorithmName(state.hash)},
                         {"verifier_key", key}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["origin", "hash", "verifier_key"],
        "properties": {
          "origin": {"type": "string", "description": "The log's origin line", "examples": ["tongban.example/ledger"]},
          "hash": {"type": "string", "enum": ["sha256", "sm3"]},
          "verifier_key": {"type": "string", "description": "C2SP note verifier key <name>+<id>+<base64 key>",
                           "examples": ["tongban.example/ledger+fd77fdce+ASqB+HMlxd+mhcXqILfjk4GJTJKgtELENWccehjc+u1t"]}
        }
      })json");
  router.Add(Route{"GET", "/api/v1/ledger/checkpoint", "getLedgerCheckpoint",
                   "The latest checkpoint: size, root and signed note.", RouteAccess::Public(),
                   [&reader, latest_note](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(auto c, reader.LatestCheckpoint(), req);
                     if (latest_note) {
                       auto note = latest_note();
                       if (note.ok()) c.note = *note;
                     }
                     return Json(CheckpointJson(c));
                   }})
      .Answers(R"json({"$ref": "#/components/schemas/Checkpoint"})json");
  router.Add(Route{"GET", "/api/v1/ledger/checkpoints", "listLedgerCheckpoints",
                   "Checkpoints after a size (cursor), ascending; ?after=<size>&limit=<1..100>.",
                   RouteAccess::Public(), [&reader](const HttpRequest& req, const PathParams&) {
                     std::optional<uint64_t> after;
                     if (req.Query("after")) {
                       TB_ASSIGN_OR_PROBLEM(after, QueryCount(req, "after"), req);
                     }
                     TB_ASSIGN_OR_PROBLEM(uint64_t limit, QueryCount(req, "limit", 20), req);
                     if (limit < 1 || limit > 100) {
                       return ProblemResponse(Status::InvalidField("limit", "must be 1-100"),
                                              req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(auto list, reader.Checkpoints(after, limit), req);
                     boost::json::array items;
                     for (const auto& c : list) items.push_back(CheckpointJson(c));
                     boost::json::object o{{"items", std::move(items)}};
                     if (list.size() == limit) o["next_after"] = list.back().size;
                     return Json(o);
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {
          "items": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/Checkpoint"}},
          "next_after": {"type": "integer", "minimum": 0,
                         "description": "Present when the page is full: pass as ?after= for the next page"}
        }
      })json");
  router.Add(Route{
      "GET", "/api/v1/ledger/entries/{index}", "getLedgerEntry",
      "An integrated entry: its canonical bytes, leaf hash and decoded fields.",
      RouteAccess::Public(), [&reader](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(uint64_t index, ParseCount("index", p.at("index")), req);
        TB_ASSIGN_OR_PROBLEM(auto e, reader.EntryAt(index), req);
        boost::json::object o{{"index", e.index},
                              {"entry", B64(e.entry)},
                              {"leaf_hash", B64(e.leaf_hash)}};
        auto parsed = ledger::ParseEntry(
            std::span(reinterpret_cast<const uint8_t*>(e.entry.data()), e.entry.size()));
        if (parsed.ok()) {
          o["type"] = parsed->type;
          o["subject_hash"] = crypto::ToHex(parsed->subject);
          o["document_hash"] = crypto::ToHex(parsed->document);
          o["time_micros"] = parsed->time_micros;
        }
        return Json(o, /*immutable=*/true);
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["index", "entry", "leaf_hash"],
        "description": "The decoded fields (type, subject_hash, document_hash, time_micros) are present when the entry parses",
        "properties": {
          "index": {"type": "integer", "minimum": 0, "examples": [123]},
          "entry": {"type": "string", "contentEncoding": "base64", "description": "The canonical entry bytes, base64"},
          "leaf_hash": {"$ref": "#/components/schemas/LedgerHash"},
          "type": {"type": "string", "pattern": "^[a-z][a-z0-9._-]{0,63}$", "examples": ["receipt.issue", "license.issue"]},
          "subject_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                           "description": "Keyed hash of the subject's ID (never the ID itself), hex"},
          "document_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Hash of the document, hex"},
          "time_micros": {"type": "integer", "minimum": 0, "description": "Unix microseconds UTC"}
        }
      })json");
  router.Add(Route{
      "GET", "/api/v1/ledger/proofs/inclusion", "getInclusionProof",
      "Inclusion proof of ?index=<i> or ?leaf_hash=<hex> in the tree of ?tree_size=<n> "
      "(default: latest), with that tree's checkpoint.",
      RouteAccess::Public(), [&reader](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(uint64_t tree_size, QueryCount(req, "tree_size", 0), req);
        ledger::InclusionProofResult proof;
        if (auto leaf = req.Query("leaf_hash")) {
          auto bytes = crypto::FromHex(*leaf, "leaf_hash");
          if (!bytes.ok() || bytes->size() != ledger::kHashSize) {
            return ProblemResponse(Status::InvalidField("leaf_hash", "must be 64 hex digits"),
                                   req.request_id);
          }
          Hash h;
          std::copy(bytes->begin(), bytes->end(), h.begin());
          TB_ASSIGN_OR_PROBLEM(proof, reader.InclusionProofByHash(h, tree_size), req);
        } else {
          TB_ASSIGN_OR_PROBLEM(uint64_t index, QueryCount(req, "index"), req);
          TB_ASSIGN_OR_PROBLEM(proof, reader.InclusionProof(index, tree_size), req);
        }
        return Json(InclusionProofJson(reader, proof));
      }})
      .Answers(R"json({"$ref": "#/components/schemas/InclusionProof", "unevaluatedProperties": false})json");
  router.Add(Route{"GET", "/api/v1/ledger/proofs/consistency", "getConsistencyProof",
                   "Consistency proof between tree sizes ?from=<m>&to=<n>.", RouteAccess::Public(),
                   [&reader](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(uint64_t from, QueryCount(req, "from"), req);
                     TB_ASSIGN_OR_PROBLEM(uint64_t to, QueryCount(req, "to"), req);
                     TB_ASSIGN_OR_PROBLEM(auto hashes, reader.ConsistencyProof(from, to), req);
                     return Json(boost::json::object{
                         {"from", from}, {"to", to}, {"hashes", HashList(hashes)}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["from", "to", "hashes"],
        "description": "RFC 9162 consistency proof that the tree of size `to` extends the tree of size `from`",
        "properties": {
          "from": {"type": "integer", "minimum": 0, "examples": [100]},
          "to": {"type": "integer", "minimum": 0, "examples": [300]},
          "hashes": {"type": "array", "items": {"$ref": "#/components/schemas/LedgerHash"}}
        }
      })json");
}

}  // namespace tongban::api
