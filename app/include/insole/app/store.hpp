#pragma once
// The clinic app's records: patients (pseudonym, age, body mass, intake), their visits, the
// trials recorded or imported in a visit, and notes. One SQLite database, <data>/clinic.sqlite,
// in write-ahead-log mode with synchronous=FULL: a transaction that returned is on disk, and a
// process killed (or a power cut) at any moment leaves the database as of its last committed
// transaction (https://www.sqlite.org/wal.html, https://www.sqlite.org/pragma.html#pragma_synchronous).
// Recordings stay HDF5 files in the open format under <data>/recordings/; the database only
// indexes them by a path relative to the data directory.
//
// Schema migrations are numbered by `PRAGMA user_version`: each opening applies the missing ones
// in order, each in its own transaction; a database newer than this build is refused.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "insole/core/result.hpp"
#include "insole/recommend/intake.hpp"

struct sqlite3;

namespace insole::app {

/// The schema version this build writes (the number of migrations).
int schema_version() noexcept;

/// The SQL of the migration that brings user_version from `to_version` - 1 to `to_version`
/// (empty when there is none); for tests that build a database of an earlier version.
std::string migration_sql(int to_version);

/// The trial conditions the store accepts besides "" (not stated): barefoot, shoe, shoe_orthosis.
const std::vector<std::string>& trial_conditions();

/// A trial condition from a visit's free-text condition: "barefoot", "shoe", "shoe_orthosis" when
/// it names one (case and surrounding blanks ignored; "shoe + orthosis" and "shoe with orthosis"
/// name the last), else "". Migration 2 maps the trials recorded before it the same way.
std::string trial_condition_of_visit(const std::string& visit_condition);

/// invalid_argument unless `condition` is "" or one of trial_conditions().
Status validate_trial_condition(const std::string& condition);

struct Patient {
  std::int64_t id = 0;
  std::string pseudonym;
  std::optional<double> age_years;
  std::optional<double> body_mass_kg;
  /// The intake in the schema of recommend/intake.hpp (JSON form), without age and mass, which
  /// are the columns above.
  nlohmann::json intake = nlohmann::json::object();
  std::string created_at;
};

struct Visit {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string date;       ///< YYYY-MM-DD
  std::string condition;  ///< free text: "barefoot", "shoe", "shoe + orthosis" ...
  std::string created_at;
};

struct Trial {
  std::int64_t id = 0;
  std::int64_t visit_id = 0;
  std::string kind;    ///< "walk" | "stand" | "import"
  std::string file;    ///< HDF5 recording, relative to the data directory
  std::string source;  ///< where it came from: a source URI or the imported file's name
  std::string created_at;
  /// What the foot was in: "barefoot", "shoe", "shoe_orthosis", or "" (not stated). Schema 2.
  std::string condition = "";
};

struct Note {
  std::int64_t id = 0;
  std::int64_t visit_id = 0;
  std::string text;
  std::string created_at;
};

/// Checks a patient's fields: pseudonym 1..64 printable UTF-8 characters, age 0..120 years,
/// mass 1..400 kg (the intake schema's ranges), and the intake through recommend::parse_intake.
Status validate_patient(const Patient& p);

/// The intake the analysis uses: the patient's intake with age and body mass from the record
/// (design note 6: the intake wins, then the patient record).
Result<recommend::Intake> analysis_intake(const Patient& p);

class Store {
 public:
  /// Opens (creating when absent) <data_dir>/clinic.sqlite and migrates it.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& data_dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  int user_version() const;

  Result<std::int64_t> add_patient(const Patient& p);
  Status update_patient(const Patient& p);
  Result<std::vector<Patient>> patients() const;
  Result<Patient> patient(std::int64_t id) const;

  Result<std::int64_t> add_visit(const Visit& v);
  Result<std::vector<Visit>> visits(std::int64_t patient_id) const;
  Result<Visit> visit(std::int64_t id) const;

  /// Indexes a finished recording. `t.file` must be a relative path inside the data directory
  /// naming an existing file; call only once the file is complete and synced.
  Result<std::int64_t> add_trial(const Trial& t);
  Result<std::vector<Trial>> trials(std::int64_t visit_id) const;
  Result<Trial> trial(std::int64_t id) const;
  /// Sets a trial's condition (validate_trial_condition); not_found for an unknown trial.
  Status set_trial_condition(std::int64_t trial_id, const std::string& condition);

  Result<std::int64_t> add_note(const Note& n);
  Result<std::vector<Note>> notes(std::int64_t visit_id) const;

  /// `PRAGMA integrity_check` says "ok".
  Result<bool> integrity_ok() const;

 private:
  Store(sqlite3* db, std::filesystem::path data_dir) : db_(db), data_dir_(std::move(data_dir)) {}
  sqlite3* db_;
  std::filesystem::path data_dir_;
};

}  // namespace insole::app
