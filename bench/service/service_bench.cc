// "One thing" services over HTTP (issue 18's benchmark): complete 婚育户 cases (marriage_birth_household:
// marriage registration, birth medical certificate, newborn household registration, medical insurance and
// social security card — five departments) driven through the API of a running `tongban serve`.
//
//   service_bench prepare CONFIG PAIRS PEOPLE_FILE
//       In-process, with the server stopped (the way `tongban demo` loads its data): opens the deployment
//       of CONFIG, takes PAIRS married couples of its synthetic county (data part: both have household
//       records and a marriage record, so prefill really reads data), creates a citizen account for each
//       person (IdentityService::CreateAccount), issues each a resident ID card licence into their wallet
//       (LicenseService::Issue, the police's issuer), and opens a session for each person and for the
//       staff of the five departments through IdentityService::LoginWith (the seam of a province's
//       identity provider: a real session and a real HMAC token, without an Argon2id hash per person).
//       Writes the tokens to PEOPLE_FILE. SQLite is opened with synchronous=normal for this set-up only;
//       licences are issued one at a time (PREPARE_CONCURRENT_ISSUE=1 shows the PostgreSQL race of
//       docs/benchmarks.md, "One-thing services").
//
//   service_bench load PORT PEOPLE_FILE CLIENTS APPLY_S BUNDLE_S SERVER_PID HELLO_RPS HELLO_PER_CPU
//       Three phases against 127.0.0.1:PORT, each with CLIENTS concurrent clients (a thread and a
//       keep-alive connection each), every couple used once:
//       (a) applications for APPLY_S seconds: the applicant starts a case (pre-filled from the household
//           and marriage records), uploads two PNG materials, submits with answers and the ID card
//           licence from the wallet; the co-applicant uploads one PNG and confirms with their licence:
//           the case opens into its five department tasks.
//       (b) approvals: the tasks of the cases opened in (a), each by a staff token of its department, in
//           the order the bundle's waits allow (marriage and birth certificate, then household, then
//           medical insurance and social security card: licences issued to the applicants and the child).
//       (c) complete bundles for BUNDLE_S seconds: (a) and (b) back to back per couple, end to end.
//       (d) instant approvals (秒批) for INSTANT_S seconds (default BUNDLE_S): a prepared person starts
//           生育登记 and submits; the rules approve it inside the submit and its licence is issued.
//       Prints per phase items/s, requests/s and their ratio to the Beast hello-world req/s measured by
//       run.sh in the same run (HELLO_RPS), items per CPU-second of the server (SERVER_PID: tongban's pid,
//       or a comma-separated list whose first is tongban's and the rest PostgreSQL's processes), bytes
//       the server wrote per item, the latency of every step (p50, p99, share of the time), and checks
//       the server's own figures. A transient refusal (503, or a 409 naming a transaction conflict or
//       a duplicate key) is tried again as a person would, and counted.
//       SERVICE_BENCH_MARK=<file>: touched when phase (c) starts (run.sh starts perf or gdb then);
//       SERVICE_BENCH_BEFORE_C / _AFTER_C: shell commands run around (c); BUNDLE_LIMIT: (c) stops
//       after that many bundles (instructions.sh); UPLOAD_BYTES: size of each PNG (32768).
//
// Not a test; run through bench/service/run.sh.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "cli/app.h"
#include "cli/config.h"
#include "core/citizen_id.h"
#include "core/clock.h"
#include "identity/identity_service.h"
#include "license/license_service.h"
#include "license/part/license_part.h"
#include "testing/http_client.h"

namespace {

using boost::json::object;
using boost::json::value;
using Clk = std::chrono::steady_clock;

constexpr const char* kBundle = "marriage_birth_household";
// The five items in an order their waits allow, with the department whose staff approves each.
struct Step {
  const char* item;
  const char* department;
};
constexpr Step kSteps[] = {{"marriage_registration", "hz-civil-affairs"},
                           {"birth_medical_certificate_issue", "hz-health"},
                           {"newborn_household_registration", "hz-police"},
                           {"newborn_medical_insurance", "hz-medical-security"},
                           {"newborn_social_security_card", "hz-hrss"}};

// ------------------------------------------------------------------------------------------------
// prepare

struct Person {
  std::string subject, name, sex, birth_date, address, ethnicity;
};

class BenchIdp : public tongban::identity::IdentityProvider {
 public:
  tongban::Result<std::string> VerifyAssertion(std::string_view assertion) override { return std::string(assertion); }
};

int Prepare(const std::string& config_file, int pairs, const std::string& out_file) {
  using namespace tongban;
  spdlog::set_level(spdlog::level::warn);
  auto config = cli::LoadConfig(config_file);
  if (!config.ok()) {
    std::fprintf(stderr, "prepare: %s\n", config.status().ToString().c_str());
    return 1;
  }
  // Set-up only: no fsync per account, licence and session (the server reopens it as configured).
  if (auto p = config->database.url.find("synchronous=full"); p != std::string::npos) {
    config->database.url.replace(p, 16, "synchronous=normal");
  }
  auto opened = cli::App::Open(*config);
  if (!opened.ok()) {
    std::fprintf(stderr, "prepare: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  cli::App& app = **opened;
  identity::IdentityService& ids = app.identity();
  license::LicenseService& licenses = app.Get<license::LicensePart>().service();

  std::unordered_map<std::string, Person> people;
  std::vector<std::pair<std::string, std::string>> couples;
  std::set<std::string> taken;  // subjects that have an account already (the demo's people)
  Status read = app.db().Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT subject_id, fields FROM data_record WHERE dataset = "
                                            "'household_registration' ORDER BY id"));
    for (const auto& r : rows) {
      const value v = boost::json::parse(r.Text(1));
      const object& f = v.as_object();
      auto s = [&](const char* k) {
        const value* x = f.if_contains(k);
        return x && x->is_string() ? std::string(x->as_string()) : std::string();
      };
      people[std::string(r.Text(0))] = {std::string(r.Text(0)), s("name"), s("sex"), s("birth_date"),
                                        s("household_address"), s("ethnicity")};
    }
    TB_ASSIGN_OR_RETURN(auto married, tx.Query("SELECT subject_id, fields FROM data_record WHERE dataset = "
                                               "'marriage_registration' ORDER BY id"));
    for (const auto& r : married) {
      const value v = boost::json::parse(r.Text(1));
      const value* spouse = v.as_object().if_contains("spouse_id");
      if (spouse == nullptr || !spouse->is_string()) continue;
      std::string a(r.Text(0)), b(spouse->as_string());
      if (a < b) couples.emplace_back(a, b);
    }
    TB_ASSIGN_OR_RETURN(auto accounts, tx.Query("SELECT subject_id FROM accounts"));
    for (const auto& r : accounts) taken.insert(std::string(r.Text(0)));
    return Status::Ok();
  });
  if (!read.ok()) {
    std::fprintf(stderr, "prepare: %s\n", read.ToString().c_str());
    return 1;
  }
  std::vector<std::pair<Person, Person>> chosen;
  for (const auto& [a, b] : couples) {
    if (static_cast<int>(chosen.size()) >= pairs) break;
    auto pa = people.find(a), pb = people.find(b);
    if (pa == people.end() || pb == people.end() || taken.contains(a) || taken.contains(b)) continue;
    if (pa->second.name.empty() || pb->second.name.empty() || pa->second.sex == pb->second.sex) continue;
    chosen.emplace_back(pa->second, pb->second);
  }
  if (static_cast<int>(chosen.size()) < pairs) {
    std::fprintf(stderr, "prepare: the county has %zu usable couples (asked for %d): raise [data] demo_people\n",
                 chosen.size(), pairs);
    if (chosen.empty()) return 1;
  }

  BenchIdp idp;
  const license::LicenseType* id_card = licenses.catalogue().Type("resident_id_card");
  if (id_card == nullptr) {
    std::fprintf(stderr, "prepare: no resident_id_card in the licence catalogue\n");
    return 1;
  }
  std::mutex issue_mu;
  // One person: account, ID card licence, session. Returns "token\tsubject\tname\tsex\tlicence".
  auto make = [&](const Person& p, std::string& line) -> Status {
    TB_ASSIGN_OR_RETURN(int64_t id, ids.CreateAccount({.login = "bench-" + p.subject,
                                                       .role = identity::Role::kCitizen,
                                                       .display_name = p.name,
                                                       .subject_id = p.subject,
                                                       .region_code = p.subject.substr(0, 6)}));
    (void)id;
    license::IssueRequest issue;
    issue.type = "resident_id_card";
    issue.holder_subject = p.subject;
    issue.fields = object{{"name", p.name}, {"sex", p.sex}, {"ethnicity", p.ethnicity.empty() ? "汉" : p.ethnicity},
                          {"birth_date", p.birth_date}, {"address", p.address}, {"id_number", p.subject}};
    // One issue at a time: see the PostgreSQL note in docs/benchmarks.md (concurrent issues of one
    // type race on MAX()+1 and fail with a unique violation instead of a retried serialization error).
    std::unique_lock issuing(issue_mu, std::defer_lock);
    if (std::getenv("PREPARE_CONCURRENT_ISSUE") == nullptr) issuing.lock();
    TB_ASSIGN_OR_RETURN(license::License l, licenses.Issue(issue, id_card->issuer));
    if (issuing.owns_lock()) issuing.unlock();
    TB_ASSIGN_OR_RETURN(identity::TokenPair t, ids.LoginWith(idp, "bench-" + p.subject));
    line = t.access_token + "\t" + p.subject + "\t" + p.name + "\t" + p.sex + "\t" + l.id;
    return Status::Ok();
  };
  std::vector<std::string> lines(chosen.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < chosen.size() && !failed; i = next++) {
        std::string a, b;
        Status s = make(chosen[i].first, a);
        if (s.ok()) s = make(chosen[i].second, b);
        if (!s.ok()) {
          std::fprintf(stderr, "prepare: %s (%s)\n", s.ToString().c_str(), s.detail().c_str());
          failed = true;
          return;
        }
        lines[i] = "pair\t" + a + "\t" + b;
      }
    });
  }
  for (auto& t : workers) t.join();
  if (failed) return 1;
  std::ofstream out(out_file);
  for (const Step& s : kSteps) {
    auto t = ids.LoginWith(idp, std::string("staff-") + s.department);
    if (!t.ok()) {
      std::fprintf(stderr, "prepare: staff-%s: %s\n", s.department, t.status().ToString().c_str());
      return 1;
    }
    out << "staff\t" << s.department << "\t" << t->access_token << "\n";
  }
  for (const auto& l : lines) out << l << "\n";
  std::printf("prepared %zu couples (%zu people of %zu in the county; accounts, ID card licences, sessions)\n",
              chosen.size(), 2 * chosen.size(), people.size());
  return 0;
}

// ------------------------------------------------------------------------------------------------
// load

struct Citizen {
  std::string bearer, subject, name, sex, licence;
};
struct Couple {
  Citizen a, b;
};

// Latency samples of one step (microseconds).
enum StepId {
  kStart, kUpload, kSubmit, kCoUpload, kConfirm,
  kApprove0, kApprove1, kApprove2, kApprove3, kApprove4, kInstantStart, kInstantSubmit, kSteps_
};
const char* kStepNames[kSteps_] = {"start (+prefill reads)", "upload x2 (applicant)", "submit (licence)",
                                   "upload (co-applicant)", "confirm (+prefill, opens)",
                                   "approve marriage_registration", "approve birth_medical_certificate",
                                   "approve newborn_household", "approve newborn_medical_ins.",
                                   "approve newborn_social_security", "start 生育登记 (+prefill reads)",
                                   "submit 生育登记 (decided by rules)"};

struct Samples {
  std::vector<int64_t> us[kSteps_];
  int64_t requests = 0;
  void Add(const Samples& o) {
    for (int i = 0; i < kSteps_; ++i) us[i].insert(us[i].end(), o.us[i].begin(), o.us[i].end());
    requests += o.requests;
  }
};

struct OpenedCase {
  int64_t id = 0;
  std::string child_id;
  std::map<std::string, int64_t> tasks;  // item -> task id
};

double Pct(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return static_cast<double>(v[std::min(i, v.size() - 1)]) / 1000.0;
}

double ProcessCpu(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(s.substr(close + 2));
  std::string x;
  unsigned long long utime = 0, stime = 0;
  for (int field = 3; field <= 15 && in >> x; ++field) {
    if (field == 14) utime = std::stoull(x);
    if (field == 15) stime = std::stoull(x);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The server's CPU seconds: tongban's, and with PostgreSQL its cluster's processes (run.sh lists them).
std::vector<int> g_server_pids;
double ServerCpu() {
  double sum = 0;
  for (int pid : g_server_pids) sum += ProcessCpu(pid);
  return sum;
}

// The whole machine's busy CPU seconds (/proc/stat: everything but idle and iowait).
double MachineBusy() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  unsigned long long v[10] = {};
  f >> cpu;
  for (auto& x : v) f >> x;
  return static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Bytes the server had written to storage (/proc/PID/io write_bytes: WAL, checkpoints, uploads;
// with PostgreSQL its processes' too).
double WrittenBytes() {
  double sum = 0;
  for (int pid : g_server_pids) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/io");
    std::string k;
    double v = 0;
    while (f >> k >> v) {
      if (k == "write_bytes:") sum += v;
    }
  }
  return sum;
}

double OwnCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A PNG of about `size` bytes whose content is unique to `n` (signature, IHDR, a tEXt chunk of
// filler, IDAT of a 1x1 image, IEND; CRCs right): libmagic types it image/png, and the upload store
// hashes and writes each one (nothing is deduplicated).
uint32_t Crc32(const std::string& s) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : s) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string Png(uint64_t n, size_t size) {
  auto chunk = [](std::string type, const std::string& data) {
    std::string c;
    const uint32_t len = static_cast<uint32_t>(data.size());
    for (int s = 24; s >= 0; s -= 8) c.push_back(static_cast<char>((len >> s) & 0xff));
    std::string body = type + data;
    c += body;
    const uint32_t crc = Crc32(body);
    for (int s = 24; s >= 0; s -= 8) c.push_back(static_cast<char>((crc >> s) & 0xff));
    return c;
  };
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += chunk("IHDR", std::string("\0\0\0\1\0\0\0\1\x08\x02\0\0\0", 13));
  std::string text = "Comment";
  text.push_back('\0');
  uint64_t x = n * 0x9E3779B97F4A7C15ull + 1;
  const size_t fill = size > 120 ? size - 120 : 16;
  while (text.size() < fill) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    text.push_back(static_cast<char>('!' + x % 90));
  }
  png += chunk("tEXt", text);
  // The one scanline (filter byte, RGB) as a zlib stream of one stored block, with its Adler-32.
  const std::string raw("\0\x20\x40\x60", 4);
  std::string z("\x78\x01\x01\x04\x00\xfb\xff", 7);
  z += raw;
  uint32_t a1 = 1, a2 = 0;
  for (unsigned char b : raw) {
    a1 = (a1 + b) % 65521;
    a2 = (a2 + a1) % 65521;
  }
  const uint32_t adler = (a2 << 16) | a1;
  for (int s = 24; s >= 0; s -= 8) z.push_back(static_cast<char>((adler >> s) & 0xff));
  png += chunk("IDAT", z);
  png += chunk("IEND", "");
  return png;
}

struct Shared {
  uint16_t port = 0;
  std::map<std::string, std::string> staff;  // department -> bearer
  std::vector<Couple> couples;
  std::atomic<size_t> next_couple{0};
  std::atomic<uint64_t> uploads{0};
  std::atomic<int64_t> child_serial{0};
  size_t upload_bytes = 32768;
  std::mutex mu;
  std::map<std::string, int> failures;  // "step status" -> count
  std::vector<std::string> failure_bodies;
  std::atomic<int64_t> prefilled_sum{0}, prefill_cases{0}, licences{0};
  std::map<std::string, int64_t> retries;  // guarded by mu
  void Fail(const std::string& step, int status, const std::string& body) {
    std::lock_guard lock(mu);
    // The first answer of each kind of failure is printed.
    if (failures[step + " " + std::to_string(status)]++ == 0 && failure_bodies.size() < 12) {
      failure_bodies.push_back(step + " " + std::to_string(status) + ": " + body.substr(0, 300));
    }
  }
};

// A valid citizen ID for a newborn: Xihu district (330106), born 1-700 days ago, unique per case.
std::pair<std::string, std::string> ChildId(int64_t serial) {
  const int64_t day = 1 + serial / 900;
  const int64_t seq = 100 + serial % 900;
  const tongban::CivilDate born = tongban::CivilFromDays(
      tongban::DaysFromCivil(tongban::ChinaDate(tongban::SystemClock().Now())) - day);
  char first17[48], date[32];
  std::snprintf(first17, sizeof first17, "330106%04d%02d%02d%03lld", born.year, born.month, born.day,
                static_cast<long long>(seq));
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", born.year, born.month, born.day);
  return {std::string(first17) + tongban::CitizenId::ComputeCheckChar(first17), date};
}

class Client {
 public:
  explicit Client(Shared& s) : s_(s), http_(s.port, 60'000) {}

  // One application: start, uploads, submit, co-applicant upload and confirm. The opened case.
  std::optional<OpenedCase> Apply(const Couple& c, Samples& out) {
    // Start: the draft, pre-filled from the applicant's household and marriage records.
    auto r = Call(out, kStart, "POST", "/api/v1/me/cases", c.a.bearer,
                  std::string("{\"bundle\":\"") + kBundle + "\"}");
    if (!Ok(r, "start", 201)) return std::nullopt;
    const value started = boost::json::parse(r->body);
    OpenedCase oc;
    oc.id = started.at("id").as_int64();
    s_.prefilled_sum += started.at("figures").at("fields_prefilled").as_int64();
    ++s_.prefill_cases;
    std::string licence;
    for (const value& m : started.at("materials").as_array()) {
      if (m.at("code").as_string() == "applicant_id_card" && !m.at("available").as_array().empty()) {
        licence = std::string(m.at("available").as_array().front().as_string());
      }
    }
    if (licence.empty()) licence = c.a.licence;
    const std::string base = "/api/v1/me/cases/" + std::to_string(oc.id);
    // The applicant's uploads (timed together: one step of the walk-through).
    {
      const auto t0 = Clk::now();
      for (const char* code : {"applicant_household_register", "marriage_joint_photo"}) {
        auto u = Send("PUT", base + "/materials/" + code, c.a.bearer, Png(++s_.uploads, s_.upload_bytes),
                      "application/octet-stream");
        ++out.requests;
        if (!Ok(u, "upload", 200)) return std::nullopt;
      }
      out.us[kUpload].push_back(Micros(t0));
    }
    // Submit: the asked answers, the ID card licence from the wallet, the co-applicant.
    const bool a_male = c.a.sex == "男";
    const std::string& mother = a_male ? c.b.name : c.a.name;
    const std::string& father = a_male ? c.a.name : c.b.name;
    const auto [child_id, born] = ChildId(s_.child_serial++);
    oc.child_id = child_id;
    const bool boy = ((child_id[16] - '0') % 2) == 1;
    object answers{{"child_name", father.substr(0, 3) + (boy ? "小明" : "小红")},
                   {"child_sex", boy ? "男" : "女"},
                   {"child_birth_date", born},
                   {"birth_hospital", "浙江大学医学院附属妇产科医院"},
                   {"mother_name", mother},
                   {"father_name", father},
                   {"household_head_name", c.a.name},
                   {"child_relation_to_head", "子女"},
                   {"card_bank", "中国工商银行"}};
    object submit{{"answers", answers},
                  {"materials", boost::json::array{object{{"code", "applicant_id_card"}, {"license_id", licence}}}},
                  {"co_applicant_id", c.b.subject},
                  {"co_applicant_name", c.b.name}};
    r = Call(out, kSubmit, "POST", base + "/submit", c.a.bearer, boost::json::serialize(submit));
    if (!Ok(r, "submit", 200)) return std::nullopt;
    // The co-applicant: one upload, then the confirmation with their ID card licence.
    r = Call(out, kCoUpload, "PUT", base + "/materials/co_applicant_household_register", c.b.bearer,
             Png(++s_.uploads, s_.upload_bytes), "application/octet-stream");
    if (!Ok(r, "co-upload", 200)) return std::nullopt;
    object confirm{{"materials", boost::json::array{object{{"code", "co_applicant_id_card"}, {"license_id", c.b.licence}}}}};
    r = Call(out, kConfirm, "POST", base + "/confirm", c.b.bearer, boost::json::serialize(confirm));
    if (!Ok(r, "confirm", 200)) return std::nullopt;
    const value confirmed = boost::json::parse(r->body);
    if (confirmed.at("state").as_string() != "in_progress") {
      s_.Fail("confirm-state", 200, std::string(confirmed.at("state").as_string()));
      return std::nullopt;
    }
    s_.prefilled_sum += confirmed.at("figures").at("fields_prefilled").as_int64() -
                        started.at("figures").at("fields_prefilled").as_int64();
    for (const value& t : confirmed.at("tasks").as_array()) {
      oc.tasks[std::string(t.at("item").at("code").as_string())] = t.at("id").as_int64();
    }
    return oc;
  }

  // One instant approval (秒批): the person starts 生育登记 (pre-filled from their household and
  // marriage records) and submits the asked answers; the rules decide the task in the submit's
  // request and the answer is the completed case with its licence. 1 when approved at once.
  int Instant(const Citizen& who, const std::string& due_date, Samples& out) {
    auto r = Call(out, kInstantStart, "POST", "/api/v1/me/cases", who.bearer, R"({"bundle":"birth_registration"})");
    if (!Ok(r, "instant start", 201)) return 0;
    const int64_t id = boost::json::parse(r->body).at("id").as_int64();
    object submit{{"answers", object{{"expected_delivery_date", due_date}, {"child_order", 1},
                                     {"contact_phone", "13900000000"}}}};
    r = Call(out, kInstantSubmit, "POST", "/api/v1/me/cases/" + std::to_string(id) + "/submit", who.bearer,
             boost::json::serialize(submit));
    if (!Ok(r, "instant submit", 200)) return 0;
    const value c = boost::json::parse(r->body);
    const value& task = c.at("tasks").at(0);
    if (c.at("state").as_string() != "completed" || task.at("decided_by") != "rules") {
      const value& d = task.at("decision");
      s_.Fail("instant-not-approved", 200,
              std::string(c.at("state").as_string()) + ": " +
                  (d.is_object() ? std::string(d.at("reason_en").as_string()) : std::string("no decision")));
      return 0;
    }
    s_.licences += static_cast<int64_t>(task.at("licenses").as_array().size());
    return 1;
  }

  // The five approvals of an opened case, each by its department's staff. Returns approvals done.
  int Approve(const OpenedCase& oc, Samples& out) {
    int done = 0;
    for (int i = 0; i < 5; ++i) {
      const Step& step = kSteps[i];
      auto t = oc.tasks.find(step.item);
      if (t == oc.tasks.end()) {
        s_.Fail("approve-missing-task", 0, step.item);
        return done;
      }
      std::string body = "{}";
      if (i == 2 || i == 3) body = "{\"staff_fields\":{\"id_number\":\"" + oc.child_id + "\"}}";
      if (i == 4) {
        body = "{\"staff_fields\":{\"id_number\":\"" + oc.child_id + "\",\"card_number\":\"A" +
               oc.child_id.substr(6, 11) + "\"}}";
      }
      auto r = Call(out, static_cast<StepId>(kApprove0 + i), "POST",
                    "/api/v1/service/tasks/" + std::to_string(t->second) + "/approve", s_.staff.at(step.department),
                    body);
      if (!Ok(r, std::string("approve ") + step.item, 200)) return done;
      // The licence(s) issued with the approval: their ids in the answer.
      s_.licences += static_cast<int64_t>(boost::json::parse(r->body).at("licenses").as_array().size());
      ++done;
    }
    return done;
  }

 private:
  static int64_t Micros(Clk::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clk::now() - t0).count();
  }
  std::optional<tongban::testing::RawResponse> Send(const std::string& method, const std::string& target,
                                                    const std::string& bearer, const std::string& body,
                                                    const std::string& type = "application/json") {
    std::map<std::string, std::string> h{{"Authorization", bearer}, {"Content-Type", type}};
    auto r = http_.Request(method, target, body, h);
    if (!r) {  // a dropped connection: reconnect once and report the failure
      http_.Close();
      http_.Connect();
    }
    return r;
  }
  std::optional<tongban::testing::RawResponse> Call(Samples& out, StepId step, const std::string& method,
                                                    const std::string& target, const std::string& bearer,
                                                    const std::string& body,
                                                    const std::string& type = "application/json") {
    const auto t0 = Clk::now();
    auto r = Send(method, target, bearer, body, type);
    ++out.requests;
    // What a person at the counter would do with a transient refusal: try again (counted and printed).
    // 503: the server's own retries of a transaction conflict ran out. 409 naming a conflict or a
    // duplicate key: an approval whose licence issue lost a race (PostgreSQL; see docs/benchmarks.md).
    for (int retry = 0; retry < 50 && r && Transient(*r); ++retry) {
      {
        const std::string kind = std::to_string(r->status) +
                                 (r->status != 409                                         ? ""
                                  : r->body.find("duplicate key") != std::string::npos ? " duplicate key"
                                                                                        : " transaction conflict");
        std::lock_guard lock(s_.mu);
        ++s_.retries[kind];
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500 * (retry + 1)));
      r = Send(method, target, bearer, body, type);
      ++out.requests;
    }
    out.us[step].push_back(Micros(t0));
    return r;
  }
  static bool Transient(const tongban::testing::RawResponse& r) {
    return r.status == 503 || (r.status == 409 && (r.body.find("duplicate key") != std::string::npos ||
                                                   r.body.find("transaction conflict") != std::string::npos));
  }
  bool Ok(const std::optional<tongban::testing::RawResponse>& r, const std::string& step, int want) {
    if (r && r->status == want) return true;
    s_.Fail(step, r ? r->status : 0, r ? r->body : "no answer");
    return false;
  }

  Shared& s_;
  tongban::testing::HttpClient http_;
};

struct PhaseResult {
  Samples samples;
  int64_t items = 0;
  double seconds = 0, server_cpu = 0, client_cpu = 0, written = 0, machine = 0;
};

// Runs `clients` threads calling work(client, samples) -> items done (0 to stop) until `seconds`.
template <typename Work>
PhaseResult RunPhase(Shared& s, int clients, double seconds, Work work) {
  PhaseResult res;
  std::vector<Samples> per(static_cast<size_t>(clients));
  std::vector<int64_t> items(static_cast<size_t>(clients), 0);
  const double cpu0 = ServerCpu(), own0 = OwnCpu(), w0 = WrittenBytes(), m0 = MachineBusy();
  const auto t0 = Clk::now();
  const auto until = t0 + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      Client c(s);
      while (Clk::now() < until) {
        const int64_t n = work(c, per[static_cast<size_t>(i)]);
        if (n < 0) break;
        items[static_cast<size_t>(i)] += n;
      }
    });
  }
  for (auto& t : threads) t.join();
  res.seconds = std::chrono::duration<double>(Clk::now() - t0).count();
  res.server_cpu = ServerCpu() - cpu0;
  res.client_cpu = OwnCpu() - own0;
  res.written = WrittenBytes() - w0;
  res.machine = MachineBusy() - m0;
  for (size_t i = 0; i < per.size(); ++i) {
    res.samples.Add(per[i]);
    res.items += items[i];
  }
  return res;
}

void PrintRow(const char* name, const PhaseResult& r, double hello_rps, double hello_per_cpu, const char* unit) {
  const double items = static_cast<double>(r.items) / r.seconds;
  const double rps = static_cast<double>(r.samples.requests) / r.seconds;
  std::printf("%-44s %10.1f %10.1f %8.4f %12.1f %12.4f %8.1f   (%lld %s in %.1f s; %.0f KiB written each; client CPU %.1f s, machine busy %.0f%%)\n",
              name, items, rps, rps / hello_rps, r.server_cpu > 0 ? static_cast<double>(r.items) / r.server_cpu : 0.0,
              r.server_cpu > 0 ? static_cast<double>(r.samples.requests) / r.server_cpu / hello_per_cpu : 0.0,
              100.0 * r.server_cpu / r.seconds, static_cast<long long>(r.items), unit, r.seconds,
              r.items ? r.written / static_cast<double>(r.items) / 1024.0 : 0.0, r.client_cpu,
              100.0 * r.machine / r.seconds);
}

void PrintSteps(const char* title, const Samples& s) {
  double total = 0;
  for (int i = 0; i < kSteps_; ++i) {
    for (int64_t v : s.us[i]) total += static_cast<double>(v);
  }
  if (total == 0) return;
  std::printf("%s\n  %-36s %8s %9s %9s %9s %7s\n", title, "step", "count", "p50 ms", "p99 ms", "mean ms", "share");
  for (int i = 0; i < kSteps_; ++i) {
    if (s.us[i].empty()) continue;
    double sum = 0;
    for (int64_t v : s.us[i]) sum += static_cast<double>(v);
    std::printf("  %-36s %8zu %9.2f %9.2f %9.2f %6.1f%%\n", kStepNames[i], s.us[i].size(), Pct(s.us[i], 0.50),
                Pct(s.us[i], 0.99), sum / static_cast<double>(s.us[i].size()) / 1000.0, 100.0 * sum / total);
  }
}

int64_t CheckpointSize(uint16_t port) {
  tongban::testing::HttpClient h(port);
  auto r = h.Request("GET", "/ledger/checkpoint");
  if (!r || r->status != 200) return -1;
  const auto nl = r->body.find('\n');
  return nl == std::string::npos ? -1 : std::atoll(r->body.c_str() + nl + 1);
}

double Metric(uint16_t port, const std::string& name) {
  tongban::testing::HttpClient h(port);
  auto r = h.Request("GET", "/metrics");
  if (!r) return -1;
  const auto p = r->body.find("\n" + name + " ");
  return p == std::string::npos ? -1 : std::atof(r->body.c_str() + p + name.size() + 2);
}

void Drain(uint16_t port) {
  for (int i = 0; i < 600 && Metric(port, "tongban_ledger_queue_depth") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int Load(char** argv) {
  Shared s;
  s.port = static_cast<uint16_t>(std::atoi(argv[2]));
  const std::string people_file = argv[3];
  const int clients = std::atoi(argv[4]);
  const double apply_s = std::atof(argv[5]), bundle_s = std::atof(argv[6]);
  // SERVER_PID: tongban's pid, or a comma-separated list (tongban's first, then PostgreSQL's processes).
  std::istringstream ps(argv[7]);
  for (std::string pid; std::getline(ps, pid, ',');) g_server_pids.push_back(std::atoi(pid.c_str()));
  const double hello_rps = std::atof(argv[8]), hello_per_cpu = std::atof(argv[9]);
  if (const char* b = std::getenv("UPLOAD_BYTES")) s.upload_bytes = static_cast<size_t>(std::atol(b));
  std::ifstream in(people_file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
    if (f.size() == 3 && f[0] == "staff") s.staff[f[1]] = "Bearer " + f[2];
    if (f.size() == 11 && f[0] == "pair") {
      s.couples.push_back({{"Bearer " + f[1], f[2], f[3], f[4], f[5]}, {"Bearer " + f[6], f[7], f[8], f[9], f[10]}});
    }
  }
  if (s.staff.size() != 5 || s.couples.empty()) {
    std::fprintf(stderr, "load: %s has %zu staff and %zu couples\n", people_file.c_str(), s.staff.size(), s.couples.size());
    return 1;
  }
  auto next = [&]() -> const Couple* {
    const size_t i = s.next_couple++;
    return i < s.couples.size() ? &s.couples[i] : nullptr;
  };
  Drain(s.port);
  const int64_t leaves0 = CheckpointSize(s.port);

  std::printf("%-44s %10s %10s %8s %12s %12s %8s\n", "target", "items/s", "req/s", "ratio", "items/srv-cpu-s",
              "req/cpu ratio", "srv CPU%");
  std::printf("%-44s %10s %10.1f %8.4f %12s %12.1f\n", "baseline (Beast hello)", "-", hello_rps, 1.0, "-", 1.0);

  // (a) applications.
  std::mutex opened_mu;
  std::vector<OpenedCase> opened;
  PhaseResult a = RunPhase(s, clients, apply_s, [&](Client& c, Samples& out) -> int64_t {
    const Couple* couple = next();
    if (couple == nullptr) return -1;
    auto oc = c.Apply(*couple, out);
    if (!oc) return 0;
    std::lock_guard lock(opened_mu);
    opened.push_back(std::move(*oc));
    return 1;
  });
  PrintRow("(a) applications submitted and confirmed", a, hello_rps, hello_per_cpu, "cases");
  Drain(s.port);

  // (b) approvals of the cases opened in (a).
  std::atomic<size_t> next_case{0};
  std::atomic<int64_t> completed_b{0};
  PhaseResult b = RunPhase(s, clients, 600, [&](Client& c, Samples& out) -> int64_t {
    const size_t i = next_case++;
    if (i >= opened.size()) return -1;
    const int n = c.Approve(opened[i], out);
    if (n == 5) ++completed_b;
    return n;
  });
  PrintRow("(b) tasks approved (licences issued)", b, hello_rps, hello_per_cpu, "tasks");
  Drain(s.port);

  // (c) complete bundles end to end. BUNDLE_LIMIT: stop after that many (instructions.sh);
  // SERVICE_BENCH_BEFORE_C / _AFTER_C: shell commands run just before and after the phase.
  if (const char* mark = std::getenv("SERVICE_BENCH_MARK")) std::ofstream(mark) << "bundle\n";
  const char* limit_env = std::getenv("BUNDLE_LIMIT");
  const int64_t limit = limit_env ? std::atoll(limit_env) : -1;
  std::atomic<int64_t> begun{0};
  if (const char* cmd = std::getenv("SERVICE_BENCH_BEFORE_C")) {
    Drain(s.port);
    if (std::system(cmd) != 0) std::fprintf(stderr, "load: '%s' failed\n", cmd);
  }
  PhaseResult c = RunPhase(s, clients, bundle_s, [&](Client& cl, Samples& out) -> int64_t {
    if (limit >= 0 && begun++ >= limit) return -1;
    const Couple* couple = next();
    if (couple == nullptr) return -1;
    auto oc = cl.Apply(*couple, out);
    if (!oc) return 0;
    return cl.Approve(*oc, out) == 5 ? 1 : 0;
  });
  if (const char* cmd = std::getenv("SERVICE_BENCH_AFTER_C")) {
    Drain(s.port);  // the ledger entries of the phase integrated first
    if (std::system(cmd) != 0) std::fprintf(stderr, "load: '%s' failed\n", cmd);
  }
  char name[64];
  std::snprintf(name, sizeof name, "(c) complete bundles, %d clients", clients);
  PrintRow(name, c, hello_rps, hello_per_cpu, "bundles");
  std::printf("    submit latency at that load: p50 %.1f ms, p99 %.1f ms; a whole bundle: %.0f ms of requests\n",
              Pct(c.samples.us[kSubmit], 0.5), Pct(c.samples.us[kSubmit], 0.99),
              [&] {
                double sum = 0;
                for (int i = 0; i < kSteps_; ++i) for (int64_t v : c.samples.us[i]) sum += static_cast<double>(v);
                return c.items ? sum / static_cast<double>(c.items) / 1000.0 : 0.0;
              }());
  std::printf("    (a) submit latency: p50 %.1f ms, p99 %.1f ms\n", Pct(a.samples.us[kSubmit], 0.5),
              Pct(a.samples.us[kSubmit], 0.99));
  Drain(s.port);

  // (d) instant approvals (秒批): 生育登记 by the prepared people (each may register again), for
  // INSTANT_S seconds (default BUNDLE_S); two requests each, the decision inside the submit.
  const double instant_s = std::getenv("INSTANT_S") ? std::atof(std::getenv("INSTANT_S")) : bundle_s;
  const std::string due_date = [] {
    const std::time_t t = std::time(nullptr) + 8 * 3600 + 120 * 86400;  // China date, 120 days on
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return std::string(buf);
  }();
  std::atomic<size_t> next_person{0};
  PhaseResult d = RunPhase(s, clients, instant_s, [&](Client& cl, Samples& out) -> int64_t {
    const size_t i = next_person++;
    const Couple& couple = s.couples[(i / 2) % s.couples.size()];
    return cl.Instant(i % 2 == 0 ? couple.a : couple.b, due_date, out);
  });
  std::snprintf(name, sizeof name, "(d) instant approvals (秒批), %d clients", clients);
  PrintRow(name, d, hello_rps, hello_per_cpu, "cases");
  std::printf("    submit with the rules' decision: p50 %.1f ms, p99 %.1f ms\n", Pct(d.samples.us[kInstantSubmit], 0.5),
              Pct(d.samples.us[kInstantSubmit], 0.99));
  Drain(s.port);
  const int64_t leaves1 = CheckpointSize(s.port);

  PrintSteps("time by step, (c) complete bundles:", c.samples);
  PrintSteps("time by step, (a) applications and (b) approvals:", [&] {
    Samples x = a.samples;
    x.Add(b.samples);
    return x;
  }());

  // What the server says it did.
  tongban::testing::HttpClient h(s.port);
  auto fig = h.Request("GET", "/api/v1/service/figures", "", {{"Authorization", s.staff.begin()->second}});
  int64_t cases = -1, completed = -1, prefilled = -1, wallet = -1, uploaded = -1;
  if (fig && fig->status == 200) {
    const value figures = boost::json::parse(fig->body);
    for (const value& bv : figures.at("bundles").as_array()) {
      if (bv.at("bundle").as_string() != kBundle) continue;
      cases = bv.at("cases").as_int64();
      completed = bv.at("completed").as_int64();
      prefilled = bv.at("fields_prefilled").as_int64();
      wallet = bv.at("materials_from_wallet").as_int64();
      uploaded = bv.at("materials_uploaded").as_int64();
    }
  }
  const int64_t bundles_done = completed_b + c.items;
  std::printf("server figures: %lld cases submitted, %lld completed (driver: %lld completed), %lld fields pre-filled "
              "(%.1f per case), %lld materials from the wallet, %lld uploaded\n",
              static_cast<long long>(cases), static_cast<long long>(completed), static_cast<long long>(bundles_done),
              static_cast<long long>(prefilled), s.prefill_cases ? static_cast<double>(s.prefilled_sum) / static_cast<double>(s.prefill_cases) : 0.0,
              static_cast<long long>(wallet), static_cast<long long>(uploaded));
  std::printf("ledger entries integrated during the run: %lld (%.1f per completed bundle, with the started ones' "
              "and the reads'); licences issued: %lld; couples used: %zu of %zu; uploads %zu bytes each\n",
              static_cast<long long>(leaves1 - leaves0),
              bundles_done ? static_cast<double>(leaves1 - leaves0) / static_cast<double>(bundles_done) : 0.0,
              static_cast<long long>(s.licences.load()), std::min(s.next_couple.load(), s.couples.size()),
              s.couples.size(), s.upload_bytes);
  for (const auto& [k, n] : s.retries) std::printf("requests tried again after a transient %s: %lld\n", k.c_str(), static_cast<long long>(n));
  int bad = 0;
  for (const auto& [k, n] : s.failures) {
    std::printf("failed: %s x%d\n", k.c_str(), n);
    bad += n;
  }
  for (const auto& b2 : s.failure_bodies) std::printf("  %s\n", b2.c_str());
  if (s.next_couple.load() >= s.couples.size()) {
    std::printf("note: every prepared couple was used: the phases ran out of couples before their time (PAIRS)\n");
  }
  return bad == 0 && completed >= bundles_done ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "prepare") return Prepare(argv[2], std::atoi(argv[3]), argv[4]);
  if (argc == 10 && std::string(argv[1]) == "load") return Load(argv);
  std::fprintf(stderr,
               "usage: service_bench prepare CONFIG PAIRS PEOPLE_FILE\n"
               "       service_bench load PORT PEOPLE_FILE CLIENTS APPLY_S BUNDLE_S SERVER_PID HELLO_RPS HELLO_PER_CPU\n");
  return 2;
}
