// QuestionToDollar: a small lexer that knows just enough SQL to skip literals and comments.
#include "store/sql_rewrite.h"

#include <cctype>

namespace tongban::store::internal {

std::string QuestionToDollar(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  size_t i = 0;
  auto copy_until = [&](std::string_view end) {
    size_t e = sql.find(end, i);
    size_t stop = e == std::string_view::npos ? sql.size() : e + end.size();
    out.append(sql.substr(i, stop - i));
    i = stop;
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      // A doubled quote inside is an escaped quote; scanning quote to quote handles it as two
      // adjacent literals. Backslash escapes of E'...' strings are honoured too.
      out.push_back(c);
      ++i;
      bool escapes = c == '\'' && i >= 2 && (sql[i - 2] == 'E' || sql[i - 2] == 'e');
      while (i < sql.size() && sql[i] != c) {
        if (escapes && sql[i] == '\\' && i + 1 < sql.size()) out.push_back(sql[i++]);
        out.push_back(sql[i++]);
      }
      if (i < sql.size()) out.push_back(sql[i++]);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      copy_until("\n");
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      copy_until("*/");
    } else if (c == '$') {
      // $tag$ ... $tag$ (tag may be empty); $1 style parameters are left alone.
      size_t j = i + 1;
      while (j < sql.size() && (isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      if (j < sql.size() && sql[j] == '$' && !(j > i + 1 && isdigit(static_cast<unsigned char>(sql[i + 1])))) {
        std::string tag(sql.substr(i, j - i + 1));
        out.append(tag);
        i = j + 1;
        copy_until(tag);
      } else {
        out.push_back(c);
        ++i;
      }
    } else if (c == '?') {
      out.push_back('$');
      out.append(std::to_string(++n));
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  *count = n;
  return out;
}

}  // namespace tongban::store::internal
