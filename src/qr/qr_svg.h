// QR codes as SVG (libqrencode, byte mode, error correction level M): one <path> of dark-module
// runs on a white square with the standard four-module quiet zone, so pages and printouts show a
// QR without an image library. Used by receipts (the receipt QR) and licences (presentations).
// Thread-safe (Debian's libqrencode is built reentrant).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::qr {

struct QrSvg {
  std::string svg;
  int version = 0;  // QR version 1..40: the code is 17 + 4 * version modules wide
};

// The QR code of `text` (any bytes) with modules `module_px` user units wide (1..64).
// kInvalidArgument when the text does not fit a QR code or module_px is out of range.
Result<QrSvg> RenderQrSvg(std::string_view text, int module_px = 4);

}  // namespace tongban::qr
