// libFuzzer target: signed-note parsing (ledger/note.h) and checkpoint parsing of its text.
// Checks that whatever parses formats back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/checkpoint.h"
#include "ledger/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  tongban::Result<tongban::ledger::Note> note = tongban::ledger::ParseNote(in);
  if (!note.ok()) return 0;
  tongban::Result<std::string> again = tongban::ledger::FormatNote(*note);
  if (!again.ok() || *again != in) std::abort();  // canonical: one note, one encoding
  (void)tongban::ledger::ParseCheckpoint(note->text);
  tongban::ledger::NoteVerifierList none;
  (void)tongban::ledger::OpenNote(in, none);
  return 0;
}
