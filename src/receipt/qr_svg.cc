// QR SVG rendering; see qr_svg.h.
#include "receipt/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace tongban::receipt {

Result<std::string> QrSvg(std::string_view text, int module_px) {
  std::string data(text);  // libqrencode wants a NUL-terminated string
  if (data.find('\0') != std::string::npos) return Status::InvalidArgument("QR text contains NUL");
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
      QRcode_encodeString8bit(data.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!qr) return Status::InvalidArgument("text is too long for a QR code");
  const int w = qr->width;
  const int quiet = 4;
  const int size = (w + 2 * quiet) * module_px;
  std::string path;
  path.reserve(static_cast<size_t>(w) * w * 4);
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      if ((qr->data[y * w + x] & 1) == 0) continue;
      // One run of dark modules per path segment keeps the SVG small.
      int run = 1;
      while (x + run < w && (qr->data[y * w + x + run] & 1)) ++run;
      path += "M" + std::to_string((x + quiet) * module_px) + " " +
              std::to_string((y + quiet) * module_px) + "h" + std::to_string(run * module_px) +
              "v" + std::to_string(module_px) + "h-" + std::to_string(run * module_px) + "z";
      x += run - 1;
    }
  }
  std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s + "\" width=\"" +
         s + "\" height=\"" + s + "\" shape-rendering=\"crispEdges\"><rect width=\"" + s +
         "\" height=\"" + s + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace tongban::receipt
