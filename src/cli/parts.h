// The program's parts, in order: the one list `cli` loops over (part/part.h). A part comes after
// the parts it needs (it finds them, opened, in the PartSet). Adding a part is a folder
// (src/<part> and its adapter src/<part>/part), a line in the table in src/CMakeLists.txt and a
// line in MakeParts(); docs/architecture.md walks through it.
#pragma once

#include <memory>
#include <vector>

#include "part/part.h"

namespace tongban::cli {

// A fresh, unconfigured object of every part, in list order (no I/O).
std::vector<std::unique_ptr<part::Part>> MakeParts();

}  // namespace tongban::cli
