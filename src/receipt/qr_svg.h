// QR codes as SVG (libqrencode): a square of dark modules with a four-module quiet zone, one
// <path> element, scalable. Used for the receipt QR (receipt_document.h qr-text).
// Thread-safe (libqrencode keeps no shared state once built with pthreads, as Debian's is).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::receipt {

// The QR code of `text` (byte mode, error correction level M) as an SVG document whose modules
// are `module_px` user units wide. kInvalidArgument if the text is too long for a QR code.
Result<std::string> QrSvg(std::string_view text, int module_px = 4);

}  // namespace tongban::receipt
