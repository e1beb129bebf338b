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
