// The printable page of a receipt (text/html, UTF-8): what a patient prints or shows instead of
// the paper receipt — header, codes, payer, items, totals in yuan, status, and the QR code (SVG,
// inline) that carries the signed TBR1 text. Times in China Standard Time (UTC+8). Every text
// from the record is HTML-escaped. Served by GET /api/v1/receipts/{code}/{number}/print.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "receipt/receipt.h"

namespace tongban::api {

// `qr_svg` is the receipt's QR as SVG (qr/qr_svg.h), or empty for a destroyed receipt.
std::string RenderReceiptPage(const receipt::Receipt& r, std::string_view qr_svg);

// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace tongban::api
