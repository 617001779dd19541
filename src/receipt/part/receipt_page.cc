// Printable receipt page; see receipt_page.h.
#include "receipt/part/receipt_page.h"

#include "core/clock.h"
#include "core/money.h"
#include "crypto/hash.h"
#include "receipt/verification.h"

namespace tongban::api {
namespace {

std::string Yuan(int64_t fen) { return Fen(fen).ToYuanString(); }

// "2026-12-02 23:42:32" in China Standard Time.
std::string ChinaTime(int64_t micros) {
  std::string iso = FormatIso8601Utc(FromUnixMicros(micros + int64_t{8} * 3600 * 1'000'000));
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

std::string_view ChannelName(std::string_view channel) {
  if (channel == "cash") return "现金";
  if (channel == "bank_card") return "银行卡";
  if (channel == "wechat") return "微信支付";
  if (channel == "alipay") return "支付宝";
  if (channel == "medical_insurance") return "医保结算";
  return "其他";
}

// The receipt part decides the standing (receipt/verification.h); this only says it in Chinese.
std::string_view StatusText(const receipt::Receipt& r) {
  switch (receipt::StandingOf(r)) {
    case receipt::ReceiptVerdict::kVoided: return "已红冲（作废）";
    case receipt::ReceiptVerdict::kDestroyed: return "已核销（原件已销毁）";
    case receipt::ReceiptVerdict::kReimbursed: return "已报销";
    case receipt::ReceiptVerdict::kPartiallyReimbursed: return "部分报销";
    default: return "正常";
  }
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderReceiptPage(const receipt::Receipt& r, std::string_view qr_svg) {
  std::string h;
  h.reserve(4096 + r.items.size() * 256);
  h += "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>";
  h += "医疗收费电子票据 " + r.code.str() + "-" + r.number.ToString();
  h += "</title><style>body{font-family:sans-serif;max-width:720px;margin:2em auto}"
       "table{border-collapse:collapse;width:100%}td,th{border:1px solid #444;padding:4px 6px}"
       "td.n{text-align:right}.qr{float:right;width:140px}.qr svg{width:140px;height:140px}.muted{color:#555;font-size:85%}"
       "@media print{.noprint{display:none}}</style></head><body>";
  h += "<div class=\"qr\">" + std::string(qr_svg) + "</div>";
  h += "<h1>医疗收费电子票据</h1><p>";
  h += "票据代码 <b>" + r.code.str() + "</b>　票据号码 <b>" + r.number.ToString() +
       "</b>　校验码 <b>" + r.check.str() + "</b><br>";
  h += "开票日期 " + ChinaTime(r.issue_micros) + "（北京时间）　" +
       std::string(r.kind == receipt::ReceiptKind::kOutpatient ? "门诊" : "住院") + "<br>";
  h += "交款人 " + HtmlEscape(r.payer_name) + "<br>";
  h += "开票单位 " + HtmlEscape(r.issuer_name) + "（统一社会信用代码 " + HtmlEscape(r.issuer_uscc) +
       "）<br>状态 <b>" + std::string(StatusText(r)) + "</b></p>";
  h += "<table><tr><th>项目类别</th><th>项目名称</th><th>数量</th><th>单价（元）</th>"
       "<th>金额（元）</th></tr>";
  for (const auto& i : r.items) {
    h += "<tr><td>" + HtmlEscape(i.category) + "</td><td>" + HtmlEscape(i.name) +
         "</td><td class=\"n\">" + std::to_string(i.quantity) + "</td><td class=\"n\">" +
         Yuan(i.unit_fen) + "</td><td class=\"n\">" + Yuan(i.amount_fen) + "</td></tr>";
  }
  h += "<tr><th colspan=\"4\">合计</th><td class=\"n\"><b>" + Yuan(r.total_fen) + "</b></td></tr>";
  h += "<tr><td colspan=\"4\">医保统筹支付</td><td class=\"n\">" + Yuan(r.insurance_fen) + "</td></tr>";
  h += "<tr><td colspan=\"4\">个人支付（" + std::string(ChannelName(r.channel)) +
       "）</td><td class=\"n\">" + Yuan(r.self_fen) + "</td></tr></table>";
  if (r.void_reason) {
    h += "<p>红冲原因：" + HtmlEscape(*r.void_reason) +
         (r.replacement ? "；换开票据 " + HtmlEscape(*r.replacement) : std::string()) + "</p>";
  }
  if (r.replaces) h += "<p>本票据换开自 " + HtmlEscape(*r.replaces) + "</p>";
  h += "<p class=\"muted\">扫描二维码或访问 /api/v1/receipts/verify?code=" + r.code.str() +
       "&amp;number=" + r.number.ToString() + "&amp;check=" + r.check.str() +
       " 查验真伪（无需登录）。文档哈希 " + crypto::ToHex(r.document_hash) + "</p>";
  h += "</body></html>";
  return h;
}

}  // namespace tongban::api
