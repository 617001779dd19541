// QR code rendering; see qr_code.h.
#include "license/qr_code.h"

#include <qrencode.h>

#include <memory>

namespace tongban::license {

Result<QrSvg> RenderQrSvg(std::string_view text) {
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
      QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()),
                        0, QR_ECLEVEL_M),
      QRcode_free);
  if (!qr) return Status::InvalidArgument("text does not fit in a QR code");
  const int n = qr->width;
  const int quiet = 4;
  const int size = n + 2 * quiet;
  std::string path;
  path.reserve(static_cast<size_t>(n) * static_cast<size_t>(n) * 4);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (qr->data[y * n + x] & 1) {
        path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
      }
    }
  }
  QrSvg out;
  out.version = qr->version;
  out.svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
            std::to_string(size) + "\" shape-rendering=\"crispEdges\"><rect width=\"" +
            std::to_string(size) + "\" height=\"" + std::to_string(size) +
            "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
  return out;
}

}  // namespace tongban::license
