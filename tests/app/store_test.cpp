// The clinic app's SQLite store: records, validation, migrations, and durability under SIGKILL.
#include "insole/app/store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "insole/app/http.hpp"

namespace insole::app {
namespace {

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("insole_store_" + random_token(6));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

TEST(AppStore, PatientsVisitsTrialsNotes) {
  TempDir dir;
  auto store = Store::open(dir.path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Patient p;
  p.pseudonym = "P-0042";
  p.age_years = 42;
  p.body_mass_kg = 80.5;
  p.intake = {{"symptoms", {{"low_back_pain", true}}}, {"risk_factors", {{"high_heels", false}}}};
  auto pid = (*store)->add_patient(p);
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  EXPECT_FALSE((*store)->add_patient(p).ok());  // pseudonym taken

  auto vid = (*store)->add_visit({0, *pid, "2026-12-05", "barefoot", ""});
  ASSERT_TRUE(vid.ok()) << vid.error().message;
  EXPECT_FALSE((*store)->add_visit({0, *pid, "5.12.2026", "", ""}).ok());
  EXPECT_FALSE((*store)->add_visit({0, 999, "2026-12-05", "", ""}).ok());

  std::filesystem::create_directories(dir.path / "recordings");
  std::ofstream(dir.path / "recordings" / "walk.h5") << "x";
  auto tid = (*store)->add_trial({0, *vid, "walk", "recordings/walk.h5", "sim://walk", ""});
  ASSERT_TRUE(tid.ok()) << tid.error().message;
  EXPECT_FALSE((*store)->add_trial({0, *vid, "walk", "recordings/missing.h5", "", ""}).ok());
  EXPECT_FALSE((*store)->add_trial({0, *vid, "walk", "../outside.h5", "", ""}).ok());
  EXPECT_FALSE((*store)->add_trial({0, *vid, "walk", "/etc/passwd", "", ""}).ok());
  EXPECT_FALSE((*store)->add_trial({0, *vid, "run", "recordings/walk.h5", "", ""}).ok());
  ASSERT_TRUE((*store)->add_note({0, *vid, "orthosis fitted, review in 6 weeks", ""}).ok());

  auto back = (*store)->patient(*pid);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pseudonym, "P-0042");
  EXPECT_DOUBLE_EQ(*back->body_mass_kg, 80.5);
  EXPECT_EQ(back->intake["symptoms"]["low_back_pain"], true);
  EXPECT_EQ((*store)->trials(*vid)->at(0).file, "recordings/walk.h5");
  EXPECT_EQ((*store)->notes(*vid)->at(0).text, "orthosis fitted, review in 6 weeks");
  EXPECT_EQ((*store)->patient(12345).error().code, Errc::not_found);

  // The intake the analysis sees: the record's age and mass, the intake's answers.
  auto intake = analysis_intake(*back);
  ASSERT_TRUE(intake.ok()) << intake.error().message;
  EXPECT_EQ(intake->number("age_years"), 42.0);
  EXPECT_EQ(intake->number("body_mass_kg"), 80.5);
  EXPECT_EQ(intake->flag("low_back_pain"), true);
  EXPECT_EQ(intake->text("patient_id"), "P-0042");
}

TEST(AppStore, RefusesBadPatients) {
  Patient p;
  p.pseudonym = "";
  EXPECT_FALSE(validate_patient(p).ok());
  p.pseudonym = "bad\nname";
  EXPECT_FALSE(validate_patient(p).ok());
  p.pseudonym = "\xff\xfe";
  EXPECT_FALSE(validate_patient(p).ok());
  p.pseudonym = "P-1";
  EXPECT_TRUE(validate_patient(p).ok());
  p.age_years = -1;
  EXPECT_FALSE(validate_patient(p).ok());
  p.age_years = 30;
  p.body_mass_kg = 0;
  EXPECT_FALSE(validate_patient(p).ok());
  p.body_mass_kg = 70;
  p.intake = {{"symptoms", {{"no_such_symptom", true}}}};
  auto st = validate_patient(p);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("no_such_symptom"), std::string::npos) << st.error().message;
  p.intake = {{"symptoms", {{"low_back_pain", "yes"}}}};  // wrong type
  EXPECT_FALSE(validate_patient(p).ok());
  p.intake = nlohmann::json::array();
  EXPECT_FALSE(validate_patient(p).ok());
}

TEST(AppStore, MigratesByUserVersionAndRefusesNewer) {
  TempDir dir;
  {
    auto store = Store::open(dir.path);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->user_version(), schema_version());
    EXPECT_GE(schema_version(), 1);
  }
  {  // reopening changes nothing
    auto store = Store::open(dir.path);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->user_version(), schema_version());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path / "clinic.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=999;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto newer = Store::open(dir.path);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
}

// A database written by the previous schema (version 1, trials without a condition) opened by
// this build: migration 2 adds the condition, taken from the visit's text where it names one.
TEST(AppStore, MigratesVersion1TrialsToConditions) {
  ASSERT_GE(schema_version(), 2);
  TempDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path / "clinic.sqlite").c_str(), &db), SQLITE_OK);
  const std::string v1 = "BEGIN;" + migration_sql(1) + R"sql(
INSERT INTO patients(id, pseudonym) VALUES (1, 'P-OLD');
INSERT INTO visits(id, patient_id, date, condition) VALUES
  (1, 1, '2026-01-05', 'Barefoot'), (2, 1, '2026-02-05', ' shoe + orthosis '), (3, 1, '2026-03-05', 'after 6 weeks'),
  (4, 1, '2026-04-05', 'Shoe'), (5, 1, '2026-05-05', 'shoe with orthosis'), (6, 1, '2026-06-05', '');
INSERT INTO trials(id, visit_id, kind, file, source) VALUES
  (10, 1, 'walk', 'recordings/a.h5', 'sim://walk'), (11, 2, 'walk', 'recordings/b.h5', 'x.lst'),
  (12, 3, 'stand', 'recordings/c.h5', ''), (13, 4, 'walk', 'recordings/d.h5', ''),
  (14, 5, 'walk', 'recordings/e.h5', ''), (15, 6, 'import', 'recordings/f.h5', '');
PRAGMA user_version=1;
COMMIT;)sql";
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(db);

  auto store = Store::open(dir.path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->user_version(), schema_version());
  const std::vector<std::pair<std::int64_t, std::string>> expected = {
      {10, "barefoot"}, {11, "shoe_orthosis"}, {12, ""}, {13, "shoe"}, {14, "shoe_orthosis"}, {15, ""}};
  for (const auto& [id, condition] : expected) {
    auto t = (*store)->trial(id);
    ASSERT_TRUE(t.ok()) << id;
    EXPECT_EQ(t->condition, condition) << "trial " << id;
  }
  // Everything else is as it was.
  EXPECT_EQ((*store)->trial(11)->source, "x.lst");
  EXPECT_EQ((*store)->trial(12)->kind, "stand");
  EXPECT_EQ((*store)->visit(3)->condition, "after 6 weeks");
  EXPECT_EQ((*store)->patient(1)->pseudonym, "P-OLD");
  EXPECT_TRUE(*(*store)->integrity_ok());
  // The C++ mapping used for new trials is the migration's.
  EXPECT_EQ(trial_condition_of_visit("Barefoot"), "barefoot");
  EXPECT_EQ(trial_condition_of_visit("\tShoe + Orthosis "), "shoe_orthosis");
  EXPECT_EQ(trial_condition_of_visit("after 6 weeks"), "");

  // Conditions are checked by the store and by the column's CHECK constraint.
  ASSERT_TRUE((*store)->set_trial_condition(12, "shoe").ok());
  EXPECT_EQ((*store)->trial(12)->condition, "shoe");
  auto bad = (*store)->set_trial_condition(12, "slipper");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("condition"), std::string::npos);
  EXPECT_EQ((*store)->set_trial_condition(99, "shoe").error().code, Errc::not_found);
  EXPECT_EQ((*store)->trial(12)->condition, "shoe");
  std::filesystem::create_directories(dir.path / "recordings");
  std::ofstream(dir.path / "recordings" / "g.h5") << "x";
  EXPECT_FALSE((*store)->add_trial({0, 1, "walk", "recordings/g.h5", "", "", "sock"}).ok());
  auto g = (*store)->add_trial({0, 1, "walk", "recordings/g.h5", "", "", "shoe_orthosis"});
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ((*store)->trial(*g)->condition, "shoe_orthosis");
  store->reset();
  ASSERT_EQ(sqlite3_open((dir.path / "clinic.sqlite").c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE trials SET condition='sock' WHERE id=10;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(AppStore, WalAndFullSync) {
  TempDir dir;
  auto store = Store::open(dir.path);
  ASSERT_TRUE(store.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path / "clinic.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode;", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// A child process adds trials as fast as it can and reports each committed one through a pipe;
// it is SIGKILLed mid-stream. Every trial it reported must be there, and the database intact.
TEST(AppStore, SigkillMidWriteLosesNoFinishedTrial) {
  TempDir dir;
  std::int64_t vid = 0;
  {
    auto store = Store::open(dir.path);
    ASSERT_TRUE(store.ok());
    Patient p;
    p.pseudonym = "P-KILL";
    auto pid = (*store)->add_patient(p);
    ASSERT_TRUE(pid.ok());
    auto v = (*store)->add_visit({0, *pid, "2026-12-05", "", ""});
    ASSERT_TRUE(v.ok());
    vid = *v;
  }
  std::filesystem::create_directories(dir.path / "recordings");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = Store::open(dir.path);
    if (!store) _exit(3);
    for (int i = 0; i < 100000; ++i) {
      const std::string rel = "recordings/t" + std::to_string(i) + ".h5";
      { std::ofstream(dir.path / rel) << "recording " << i; }
      auto id = (*store)->add_trial({0, vid, "walk", rel, "test", ""});
      if (!id) _exit(4);
      const std::int64_t v = *id;
      if (write(fds[1], &v, sizeof v) != static_cast<ssize_t>(sizeof v)) _exit(5);
    }
    _exit(0);
  }
  close(fds[1]);
  std::set<std::int64_t> reported;
  std::int64_t v = 0;
  // Kill after a number of commits (counted, not timed), while the child is writing.
  while (reported.size() < 40 && read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) reported.insert(v);
  kill(child, SIGKILL);
  while (read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) reported.insert(v);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended before it was killed: " << status;
  ASSERT_GE(reported.size(), 40u);

  auto store = Store::open(dir.path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto ok = (*store)->integrity_ok();
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
  auto trials = (*store)->trials(vid);
  ASSERT_TRUE(trials.ok());
  std::set<std::int64_t> present;
  for (const auto& t : *trials) {
    present.insert(t.id);
    EXPECT_TRUE(std::filesystem::exists(dir.path / t.file)) << t.file;
  }
  for (auto id : reported) EXPECT_TRUE(present.count(id)) << "trial " << id << " was committed and then lost";
  // The store still takes writes.
  std::ofstream(dir.path / "recordings" / "after.h5") << "x";
  EXPECT_TRUE((*store)->add_trial({0, vid, "walk", "recordings/after.h5", "", ""}).ok());
}

}  // namespace
}  // namespace insole::app
