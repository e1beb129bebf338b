#include "insole/app/store.hpp"

#include <sqlite3.h>

#include <cctype>
#include <functional>
#include <utility>

#include "insole/core/utf8.hpp"
#include "insole/app/http.hpp"

namespace insole::app {

namespace {

// Migration i (0-based) brings user_version from i to i + 1. Never edit a shipped entry: add one.
const std::vector<const char*>& migrations() {
  static const std::vector<const char*> m = {
      R"sql(
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  pseudonym TEXT NOT NULL UNIQUE,
  age_years REAL,
  body_mass_kg REAL,
  intake_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE visits (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  date TEXT NOT NULL,
  condition TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE trials (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  kind TEXT NOT NULL,
  file TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  text TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX visits_by_patient ON visits(patient_id);
CREATE INDEX trials_by_visit ON trials(visit_id);
CREATE INDEX notes_by_visit ON notes(visit_id);
)sql",
      // 2: the condition each trial was recorded in (barefoot, shoe, shoe with orthosis), so that
      // two conditions of one visit can be compared. Trials recorded before take their visit's
      // free-text condition when it names one of them (the mapping of trial_condition_of_visit).
      R"sql(
ALTER TABLE trials ADD COLUMN condition TEXT NOT NULL DEFAULT ''
  CHECK (condition IN ('', 'barefoot', 'shoe', 'shoe_orthosis'));
UPDATE trials SET condition = COALESCE((SELECT CASE lower(trim(v.condition, ' ' || char(9)))
    WHEN 'barefoot' THEN 'barefoot'
    WHEN 'shoe' THEN 'shoe'
    WHEN 'shoe + orthosis' THEN 'shoe_orthosis'
    WHEN 'shoe with orthosis' THEN 'shoe_orthosis'
    WHEN 'shoe_orthosis' THEN 'shoe_orthosis'
    ELSE '' END FROM visits v WHERE v.id = trials.visit_id), '');
)sql",
  };
  return m;
}

Error db_error(sqlite3* db, const std::string& what) {
  return {Errc::io_error, "clinic database: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return Error{Errc::io_error, "clinic database: " + what + ": " + m};
  }
  return {};
}

// A prepared statement with positional binds; finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK) st_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return st_ != nullptr; }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(st_, i, v); }
  void bind(int i, const std::string& v) { sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void bind(int i, std::optional<double> v) {
    if (v) sqlite3_bind_double(st_, i, *v);
    else sqlite3_bind_null(st_, i);
  }
  int step() { return sqlite3_step(st_); }
  std::int64_t i64(int c) const { return sqlite3_column_int64(st_, c); }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(st_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st_, c))) : "";
  }
  std::optional<double> real(int c) const {
    if (sqlite3_column_type(st_, c) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(st_, c);
  }

 private:
  sqlite3_stmt* st_ = nullptr;
};

// One write: prepares `sql`, binds `args` to ?1, ?2, ... in order and steps it once. Returns the
// rowid of the last insert; a constraint violation gives `on_constraint` when set, any other
// failure db_error(`what`).
template <class... Args>
Result<std::int64_t> write(sqlite3* db, const std::optional<Error>& on_constraint, const char* sql,
                           const std::string& what, const Args&... args) {
  Stmt st(db, sql);
  if (!st.ok()) return db_error(db, what);
  int i = 0;
  (st.bind(++i, args), ...);
  const int rc = st.step();
  if (rc == SQLITE_CONSTRAINT && on_constraint) return *on_constraint;
  if (rc != SQLITE_DONE) return db_error(db, what);
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db));
}

Error pseudonym_taken(const Patient& p) {
  return Error{Errc::invalid_argument, "pseudonym '" + p.pseudonym + "' is already taken"};
}

Patient patient_row(const Stmt& s) {
  Patient p;
  p.id = s.i64(0);
  p.pseudonym = s.text(1);
  p.age_years = s.real(2);
  p.body_mass_kg = s.real(3);
  p.intake = nlohmann::json::parse(s.text(4), nullptr, false);
  if (p.intake.is_discarded()) p.intake = nlohmann::json::object();
  p.created_at = s.text(5);
  return p;
}

template <class T>
Result<std::vector<T>> query_all(sqlite3* db, const char* sql, std::optional<std::int64_t> key,
                                 const std::function<T(const Stmt&)>& row, const std::string& what) {
  Stmt st(db, sql);
  if (!st.ok()) return db_error(db, what);
  if (key) st.bind(1, *key);
  std::vector<T> out;
  for (int rc; (rc = st.step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return db_error(db, what);
    out.push_back(row(st));
  }
  return out;
}

template <class T>
Result<T> one(Result<std::vector<T>> all, const std::string& what) {
  if (!all) return all.error();
  if (all->empty()) return Error{Errc::not_found, what + " not found"};
  return std::move(all->front());
}

Visit visit_row(const Stmt& s) { return {s.i64(0), s.i64(1), s.text(2), s.text(3), s.text(4)}; }
Trial trial_row(const Stmt& s) { return {s.i64(0), s.i64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)}; }
Note note_row(const Stmt& s) { return {s.i64(0), s.i64(1), s.text(2), s.text(3)}; }

bool printable_text(const std::string& s, std::size_t max_bytes) {
  if (s.empty() || s.size() > max_bytes || !is_valid_utf8(s)) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

int schema_version() noexcept { return static_cast<int>(migrations().size()); }

std::string migration_sql(int to_version) {
  if (to_version < 1 || to_version > schema_version()) return {};
  return migrations()[static_cast<std::size_t>(to_version - 1)];
}

const std::vector<std::string>& trial_conditions() {
  static const std::vector<std::string> c = {"barefoot", "shoe", "shoe_orthosis"};
  return c;
}

std::string trial_condition_of_visit(const std::string& visit_condition) {
  std::string s;
  for (char ch : visit_condition) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  s = s.substr(first, s.find_last_not_of(" \t") - first + 1);
  if (s == "barefoot" || s == "shoe" || s == "shoe_orthosis") return s;
  if (s == "shoe + orthosis" || s == "shoe with orthosis") return "shoe_orthosis";
  return {};
}

Status validate_trial_condition(const std::string& condition) {
  if (condition.empty()) return {};
  for (const auto& c : trial_conditions())
    if (c == condition) return {};
  return Error{Errc::invalid_argument, "condition: barefoot, shoe, shoe_orthosis or empty expected, not '" +
                                           (is_valid_utf8(condition) && condition.size() <= 40 ? condition : std::string("...")) + "'"};
}

Status validate_patient(const Patient& p) {
  if (!printable_text(p.pseudonym, 64))
    return Error{Errc::invalid_argument, "pseudonym: 1 to 64 bytes of printable UTF-8 text expected"};
  if (p.age_years && !(*p.age_years >= 0 && *p.age_years <= 120))
    return Error{Errc::invalid_argument, "age_years: 0 to 120 expected"};
  if (p.body_mass_kg && !(*p.body_mass_kg >= 1 && *p.body_mass_kg <= 400))
    return Error{Errc::invalid_argument, "body_mass_kg: 1 to 400 expected"};
  if (!p.intake.is_object()) return Error{Errc::invalid_argument, "intake: a JSON object expected"};
  if (p.intake.contains("age_years") || p.intake.contains("body_mass_kg"))
    return Error{Errc::invalid_argument, "intake: age_years and body_mass_kg belong to the patient record"};
  auto in = analysis_intake(p);
  if (!in) return in.error();
  return {};
}

Result<recommend::Intake> analysis_intake(const Patient& p) {
  nlohmann::json j = p.intake.is_object() ? p.intake : nlohmann::json::object();
  if (p.age_years && !j.contains("age_years")) j["age_years"] = *p.age_years;
  if (p.body_mass_kg && !j.contains("body_mass_kg")) j["body_mass_kg"] = *p.body_mass_kg;
  if (!j.contains("patient_id")) j["patient_id"] = p.pseudonym;
  return recommend::parse_intake(j.dump(), "intake of patient " + p.pseudonym, false);
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Error{Errc::io_error, data_dir.string() + ": cannot create the data directory: " + ec.message()};
  const auto file = data_dir / "clinic.sqlite";
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = db_error(db, file.string() + ": cannot open");
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<Store> store(new Store(db, data_dir));
  sqlite3_busy_timeout(db, 5000);
  // WAL + synchronous=FULL: every commit is durable, and a crash never corrupts the file.
  for (const char* pragma : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "PRAGMA foreign_keys=ON;"})
    if (auto st = exec(db, pragma, file.string()); !st) return st.error();
  const int have = store->user_version();
  if (have < 0) return db_error(db, file.string() + ": cannot read user_version");
  if (have > schema_version())
    return Error{Errc::unsupported, file.string() + ": schema version " + std::to_string(have) +
                                        " is newer than this toolkit's (" + std::to_string(schema_version()) + ")"};
  for (int v = have; v < schema_version(); ++v) {
    const std::string sql = std::string("BEGIN IMMEDIATE;") + migrations()[static_cast<std::size_t>(v)] +
                            "PRAGMA user_version=" + std::to_string(v + 1) + ";COMMIT;";
    if (auto st = exec(db, sql.c_str(), file.string() + ": migration to version " + std::to_string(v + 1)); !st) {
      (void)exec(db, "ROLLBACK;", "rollback");
      return st.error();
    }
  }
  return store;
}

Store::~Store() { sqlite3_close(db_); }

int Store::user_version() const {
  Stmt st(db_, "PRAGMA user_version;");
  if (!st.ok() || st.step() != SQLITE_ROW) return -1;
  return static_cast<int>(st.i64(0));
}

Result<std::int64_t> Store::add_patient(const Patient& p) {
  if (auto v = validate_patient(p); !v) return v.error();
  return write(db_, pseudonym_taken(p),
               "INSERT INTO patients(pseudonym, age_years, body_mass_kg, intake_json) VALUES(?,?,?,?)", "add patient",
               p.pseudonym, p.age_years, p.body_mass_kg, p.intake.dump());
}

Status Store::update_patient(const Patient& p) {
  if (auto v = validate_patient(p); !v) return v.error();
  auto w = write(db_, pseudonym_taken(p),
                 "UPDATE patients SET pseudonym=?, age_years=?, body_mass_kg=?, intake_json=? WHERE id=?", "update patient",
                 p.pseudonym, p.age_years, p.body_mass_kg, p.intake.dump(), p.id);
  if (!w) return w.error();
  if (sqlite3_changes(db_) == 0) return Error{Errc::not_found, "patient " + std::to_string(p.id) + " not found"};
  return {};
}

Result<std::vector<Patient>> Store::patients() const {
  return query_all<Patient>(db_, "SELECT id,pseudonym,age_years,body_mass_kg,intake_json,created_at FROM patients ORDER BY pseudonym",
                            std::nullopt, patient_row, "list patients");
}

Result<Patient> Store::patient(std::int64_t id) const {
  return one(query_all<Patient>(db_, "SELECT id,pseudonym,age_years,body_mass_kg,intake_json,created_at FROM patients WHERE id=?",
                                id, patient_row, "read patient"),
             "patient " + std::to_string(id));
}

Result<std::int64_t> Store::add_visit(const Visit& v) {
  if (v.date.size() != 10 || v.date[4] != '-' || v.date[7] != '-')
    return Error{Errc::invalid_argument, "date: YYYY-MM-DD expected"};
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (v.date[i] < '0' || v.date[i] > '9') return Error{Errc::invalid_argument, "date: YYYY-MM-DD expected"};
  if (v.condition.size() > 200 || !is_valid_utf8(v.condition))
    return Error{Errc::invalid_argument, "condition: at most 200 bytes of UTF-8 text expected"};
  if (auto p = patient(v.patient_id); !p) return p.error();
  return write(db_, std::nullopt, "INSERT INTO visits(patient_id, date, condition) VALUES(?,?,?)", "add visit",
               v.patient_id, v.date, v.condition);
}

Result<std::vector<Visit>> Store::visits(std::int64_t patient_id) const {
  return query_all<Visit>(db_, "SELECT id,patient_id,date,condition,created_at FROM visits WHERE patient_id=? ORDER BY date, id",
                          patient_id, visit_row, "list visits");
}

Result<Visit> Store::visit(std::int64_t id) const {
  return one(query_all<Visit>(db_, "SELECT id,patient_id,date,condition,created_at FROM visits WHERE id=?", id, visit_row,
                              "read visit"),
             "visit " + std::to_string(id));
}

Result<std::int64_t> Store::add_trial(const Trial& t) {
  if (t.kind != "walk" && t.kind != "stand" && t.kind != "import")
    return Error{Errc::invalid_argument, "kind: walk, stand or import expected"};
  auto full = resolve_in_dir(data_dir_, t.file);
  if (!full) return full.error();
  if (!std::filesystem::is_regular_file(*full)) return Error{Errc::not_found, t.file + ": no such recording"};
  if (auto c = validate_trial_condition(t.condition); !c) return c.error();
  if (auto v = visit(t.visit_id); !v) return v.error();
  return write(db_, std::nullopt, "INSERT INTO trials(visit_id, kind, file, source, condition) VALUES(?,?,?,?,?)",
               "add trial", t.visit_id, t.kind, t.file, t.source, t.condition);
}

Status Store::set_trial_condition(std::int64_t trial_id, const std::string& condition) {
  if (auto c = validate_trial_condition(condition); !c) return c.error();
  if (auto w = write(db_, std::nullopt, "UPDATE trials SET condition=? WHERE id=?", "set trial condition", condition,
                     trial_id);
      !w)
    return w.error();
  if (sqlite3_changes(db_) == 0) return Error{Errc::not_found, "trial " + std::to_string(trial_id) + " not found"};
  return {};
}

Result<std::vector<Trial>> Store::trials(std::int64_t visit_id) const {
  return query_all<Trial>(db_, "SELECT id,visit_id,kind,file,source,created_at,condition FROM trials WHERE visit_id=? ORDER BY id", visit_id,
                          trial_row, "list trials");
}

Result<Trial> Store::trial(std::int64_t id) const {
  return one(query_all<Trial>(db_, "SELECT id,visit_id,kind,file,source,created_at,condition FROM trials WHERE id=?", id, trial_row,
                              "read trial"),
             "trial " + std::to_string(id));
}

Result<std::int64_t> Store::add_note(const Note& n) {
  if (n.text.empty() || n.text.size() > 10000 || !is_valid_utf8(n.text))
    return Error{Errc::invalid_argument, "note: 1 to 10000 bytes of UTF-8 text expected"};
  if (auto v = visit(n.visit_id); !v) return v.error();
  return write(db_, std::nullopt, "INSERT INTO notes(visit_id, text) VALUES(?,?)", "add note", n.visit_id, n.text);
}

Result<std::vector<Note>> Store::notes(std::int64_t visit_id) const {
  return query_all<Note>(db_, "SELECT id,visit_id,text,created_at FROM notes WHERE visit_id=? ORDER BY id", visit_id, note_row,
                         "list notes");
}

Result<bool> Store::integrity_ok() const {
  Stmt st(db_, "PRAGMA integrity_check;");
  if (!st.ok() || st.step() != SQLITE_ROW) return db_error(db_, "integrity_check");
  return st.text(0) == "ok";
}

}  // namespace insole::app
