// QR SVG rendering; see qr_svg.h.
#include "qr/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace tongban::qr {

Result<QrSvg> RenderQrSvg(std::string_view text, int module_px) {
  if (module_px < 1 || module_px > 64) return Status::InvalidField("module_px", "must be 1..64");
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!qr) return Status::InvalidArgument("text does not fit in a QR code");
  const int w = qr->width;
  constexpr int kQuiet = 4;
  const std::string size = std::to_string((w + 2 * kQuiet) * module_px);
  std::string path;
  path.reserve(static_cast<size_t>(w) * static_cast<size_t>(w) * 3);
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      if ((qr->data[y * w + x] & 1) == 0) continue;
      // One run of dark modules per path segment keeps the SVG small.
      int run = 1;
      while (x + run < w && (qr->data[y * w + x + run] & 1)) ++run;
      path += "M" + std::to_string((x + kQuiet) * module_px) + " " +
              std::to_string((y + kQuiet) * module_px) + "h" + std::to_string(run * module_px) +
              "v" + std::to_string(module_px) + "h-" + std::to_string(run * module_px) + "z";
      x += run - 1;
    }
  }
  QrSvg out;
  out.version = qr->version;
  out.svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size +
            "\" width=\"" + size + "\" height=\"" + size +
            "\" shape-rendering=\"crispEdges\"><rect width=\"" + size + "\" height=\"" + size +
            "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
  return out;
}

}  // namespace tongban::qr
