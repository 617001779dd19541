// Token Status List encoding; see status_list.h.
#include "license/status_list.h"

#include <zlib.h>

#include "core/base64.h"

namespace tongban::license {

Result<std::string> EncodeStatusList(const std::vector<uint8_t>& statuses) {
  std::string packed((statuses.size() + 3) / 4, '\0');
  for (size_t i = 0; i < statuses.size(); ++i) {
    packed[i / 4] = static_cast<char>(static_cast<uint8_t>(packed[i / 4]) |
                                      ((statuses[i] & 3u) << ((i % 4) * 2)));
  }
  uLongf size = compressBound(static_cast<uLong>(packed.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(packed.data()), static_cast<uLong>(packed.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    return Status::Internal("zlib compress failed");
  }
  out.resize(size);
  return Base64UrlEncode(out);
}

Result<uint8_t> StatusAt(std::string_view lst, int64_t index) {
  auto compressed = Base64UrlDecode(lst);
  if (!compressed.ok()) return Status::InvalidField("status_list.lst", "is not base64url");
  // At most 16 MiB of statuses (64 M licences): a bound against decompression bombs.
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Status::Internal("zlib init failed");
  std::string out;
  std::string buf(65536, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(compressed->data());
  zs.avail_in = static_cast<uInt>(compressed->size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
    if (out.size() > (16u << 20)) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::InvalidField("status_list.lst", "is not a zlib stream");
  if (index < 0 || static_cast<size_t>(index / 4) >= out.size()) {
    return Status::OutOfRange("status index beyond the list");
  }
  return static_cast<uint8_t>((static_cast<uint8_t>(out[static_cast<size_t>(index / 4)]) >>
                               ((index % 4) * 2)) & 3u);
}

}  // namespace tongban::license
