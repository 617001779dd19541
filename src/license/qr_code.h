// QR codes for presentations: text in, SVG out (libqrencode, byte mode, error correction level
// M), so the wallet page shows the QR without any image library.
// Thread-safe (libqrencode's encoder is reentrant).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::license {

struct QrSvg {
  std::string svg;
  int version = 0;  // QR version 1..40 (size = 17 + 4 * version modules)
};

// kInvalidArgument when the text does not fit a QR code.
Result<QrSvg> RenderQrSvg(std::string_view text);

}  // namespace tongban::license
