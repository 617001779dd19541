// Interop with a log written by Tessera (tests/vectors/ledger/tessera-log): every checkpoint
// verifies with the published key; the entry bundle hashes to the level-0 tile; the tiles
// reproduce every checkpoint's root through TileNodeSource; consistency between checkpoints.
#include <filesystem>

#include <gtest/gtest.h>

#include "ledger/checkpoint.h"
#include "ledger/memory_tree.h"
#include "ledger/note.h"
#include "ledger/note_keys.h"
#include "ledger/proof.h"
#include "ledger/tile.h"
#include "vectors.h"

namespace tongban::ledger {
namespace {

constexpr std::string_view kTesseraKey =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

std::string LogDir() { return testing::VectorsDir() + "/tessera-log"; }

// Reads tiles from the log directory, as a tiles client would from its URL prefix.
class DirTileReader : public TileReader {
 public:
  Status ReadTiles(std::span<const TileId> tiles, std::span<std::string> out) override {
    for (size_t i = 0; i < tiles.size(); ++i) {
      const std::string path = LogDir() + "/" + TilePath(tiles[i]);
      if (!std::filesystem::exists(path)) return Status::NotFound("tile", TilePath(tiles[i]));
      out[i] = testing::ReadFile(path);
    }
    return Status::Ok();
  }
};

NoteVerifierList TesseraVerifiers() {
  return NoteVerifierList({*ParseNoteVerifier(kTesseraKey)});
}

Checkpoint OpenCheckpoint(const std::string& file) {
  Result<OpenedNote> note = OpenNote(testing::ReadFile(LogDir() + "/" + file), TesseraVerifiers());
  EXPECT_TRUE(note.ok()) << file << ": " << note.status().ToString();
  Result<Checkpoint> cp = ParseCheckpoint(note.ok() ? note->text : "");
  EXPECT_TRUE(cp.ok()) << file;
  return cp.ok() ? *cp : Checkpoint{};
}

TEST(TesseraLog, EveryCheckpointVerifiesAndTilesReproduceItsRoot) {
  TreeHasher h(crypto::HashAlgorithm::kSha256);
  DirTileReader reader;
  for (int n = 0; n <= 15; ++n) {
    Checkpoint cp = OpenCheckpoint("checkpoint." + std::to_string(n));
    EXPECT_EQ(cp.origin, "example.com/log/testdata");
    ASSERT_EQ(cp.size, static_cast<uint64_t>(n));
    TileNodeSource source(cp.size, reader, h);
    Result<Hash> root = TreeRoot(cp.size, source, h);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, cp.root) << "size " << n;
  }
  Checkpoint latest = OpenCheckpoint("checkpoint");
  EXPECT_EQ(latest.size, 15u);
}

TEST(TesseraLog, EntryBundleHashesToTheTileAndTheRoot) {
  const std::string bundle = testing::ReadFile(LogDir() + "/" + EntryBundlePath(0, 15));
  Result<std::vector<std::string_view>> entries = ParseEntryBundle(bundle);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 15u);
  EXPECT_EQ((*entries)[0], "one");
  EXPECT_EQ((*entries)[14], "fivten");
  Result<std::vector<Hash>> tile =
      ParseTile(testing::ReadFile(LogDir() + "/" + TilePath({0, 0, 15})), 15);
  ASSERT_TRUE(tile.ok());
  MemoryTree tree(crypto::HashAlgorithm::kSha256);
  for (size_t i = 0; i < entries->size(); ++i) {
    tree.AppendLeafData((*entries)[i]);
    EXPECT_EQ(tree.hasher().HashLeaf((*entries)[i]), (*tile)[i]) << i;
    EXPECT_EQ(tree.Root(), OpenCheckpoint("checkpoint." + std::to_string(i + 1)).root);
  }
}

TEST(TesseraLog, ConsistencyAndInclusionBetweenCheckpoints) {
  TreeHasher h(crypto::HashAlgorithm::kSha256);
  DirTileReader reader;
  std::vector<Checkpoint> cps;
  for (int n = 0; n <= 15; ++n) cps.push_back(OpenCheckpoint("checkpoint." + std::to_string(n)));
  for (uint64_t n = 1; n <= 15; ++n) {
    TileNodeSource source(n, reader, h);
    for (uint64_t m = 1; m <= n; ++m) {
      Result<std::vector<Hash>> p = ConsistencyProof(m, n, source, h);
      ASSERT_TRUE(p.ok()) << m << "->" << n << ": " << p.status().ToString();
      EXPECT_TRUE(VerifyConsistency(h, m, n, *p, cps[m].root, cps[n].root).ok()) << m << "->" << n;
    }
    for (uint64_t i = 0; i < n; ++i) {
      Result<std::vector<Hash>> p = InclusionProof(i, n, source, h);
      ASSERT_TRUE(p.ok());
      Hash leaf;
      ASSERT_TRUE(source.GetNodes(std::vector<NodeId>{{0, i}}, std::span(&leaf, 1)).ok());
      EXPECT_TRUE(VerifyInclusion(h, i, n, leaf, *p, cps[n].root).ok());
    }
  }
}

TEST(TesseraLog, OpenCheckpointChecksKeyAndOrigin) {
  std::shared_ptr<const NoteVerifier> key = *ParseNoteVerifier(kTesseraKey);
  const std::string note = testing::ReadFile(LogDir() + "/checkpoint");
  Result<Checkpoint> cp = OpenCheckpoint(note, "example.com/log/testdata", key);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 15u);
  EXPECT_EQ(OpenCheckpoint(note, "example.com/other", key).status().code(),
            ErrorCode::kFailedPrecondition);
  std::shared_ptr<const NoteVerifier> other =
      *ParseNoteVerifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_EQ(OpenCheckpoint(note, "example.com/log/testdata", other).status().code(),
            ErrorCode::kUnauthenticated);
}

TEST(TesseraLog, TamperedCheckpointIsRejected) {
  std::string cp = testing::ReadFile(LogDir() + "/checkpoint");
  cp[cp.find("\n15\n") + 2] = '6';
  EXPECT_EQ(OpenNote(cp, TesseraVerifiers()).status().code(), ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace tongban::ledger
