// The tongban version string.
#pragma once
namespace tongban::cli {
inline constexpr const char* kVersion = "0.1.0";
}
