// The web pages (web/) compiled into the binary by cmake/embed.cmake, and the routes serving them.
// Immutable after start; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "api/router.h"

namespace tongban::api {

struct EmbeddedFile {
  std::string_view name;  // path relative to web/, e.g. "index.html"
  std::string_view content;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

// GET / (index.html) and GET /static/{name} for every embedded file; public, cacheable.
void AddWebRoutes(Router& router);

}  // namespace tongban::api
