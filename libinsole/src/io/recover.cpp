// recover_capture: an interrupted capture made into a normal file (docs/format.md, "Capture and
// crash durability").
//
// A capture is written in HDF5's SWMR mode (hdf5_writer.cpp), which keeps the file consistent on
// disk at every moment but marks it "open for writing" in the superblock until it is closed.
// After SIGKILL the mark stays: HDF5 (and so h5py, HDFView, MATLAB) refuses to open the file
// except in SWMR read mode. HDF5 1.10's file access property "clear_status_flags" (the one
// `h5clear -s` sets) lets a writer open it and clears the mark when it closes the file.
// Tested at every write of a flush: RecordingWriter.AKillAtEveryWriteOfAFlushLeavesARecoverableFile.

#include <hdf5.h>

#include "insole/core/atomic_output.hpp"
#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "io/format.hpp"

namespace insole::io {

namespace {

// Shrinks a dataset along its first (time) dimension to `rows` (never grows it).
Status trim_rows(hid_t loc, const char* name, hsize_t rows, const h5::Where& w) {
  if (!h5::link_exists(loc, name)) return {};
  h5::Hid ds(H5Dopen2(loc, name, H5P_DEFAULT));
  if (!ds.valid()) return h5::write_error(w.at(name), "cannot open the dataset");
  h5::Hid space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 8) return h5::format_error(w.at(name), "unexpected rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  if (dims[0] <= rows) return {};
  dims[0] = rows;
  if (H5Dset_extent(ds.get(), dims.data()) < 0)
    return h5::write_error(w.at(name), "cannot trim the dataset to its " + std::to_string(rows) + " valid rows");
  return {};
}

}  // namespace

bool capture_in_progress(const std::filesystem::path& path) { return detail::capture_lock_held(path); }

Result<RecoverReport> recover_capture(const std::filesystem::path& path) {
  RecoverReport report;
  std::vector<std::string> names;
  std::vector<std::uint64_t> counts;
  if (capture_in_progress(path))
    return make_error(Errc::invalid_argument, path.string() + ": a capture is still writing this file; stop it "
                                                              "first (a stopped capture completes the file itself)");
  {
    // Validates the file as every reading command does, as of the capture's last flush.
    auto reader = RecordingReader::open(path);
    if (!reader) return reader.error();
    if (!reader->interrupted()) return report;
    report.was_interrupted = true;
    for (std::size_t i = 0; i < reader->streams().size(); ++i) {
      names.push_back(reader->streams()[i].name);
      counts.push_back(static_cast<std::uint64_t>(reader->frame_count(i)));
      report.frames.emplace_back(names.back(), counts.back());
    }
    report.events = reader->events().size();
  }
  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", nullptr};
  auto out = detail::copy_for_update(path, w);
  if (!out) return out.error();
  {
    h5::Hid fapl = detail::file_access_plist();
    hbool_t yes = true;
    if (H5Pset(fapl.get(), "clear_status_flags", &yes) < 0)
      return h5::write_error(w, "this HDF5 library cannot clear a file's open-for-writing flags");
    // A SWMR file can also end before the space its superblock records (the writer's last
    // blocks never reached the disk, e.g. after a power cut): an ordinary open refuses it as
    // truncated. SWMR readers skip that check, and so does `h5clear` (the same property).
    if (H5Pset(fapl.get(), "skip_eof_check", &yes) < 0)
      return h5::write_error(w, "this HDF5 library cannot open a file shorter than its recorded end");
    h5::Hid f(H5Fopen(out->temp_path().c_str(), H5F_ACC_RDWR, fapl.get()));
    if (!f.valid()) return h5::write_error(w, "cannot open a copy of the file for writing");
    // A capture killed during a flush can leave chunks and index blocks past the end of the
    // space its superblock records (HDF5 writes them first and the superblock last; SWMR
    // readers may read past that end, a writer may not). Moving the recorded end to the end of
    // the file, as `h5clear --increment` does, lets trimming read them and keeps new space
    // from being allocated over them.
    if (H5Fincrement_filesize(f.get(), 0) < 0)
      return h5::write_error(w, "cannot extend the file's recorded end to its real end");
    const h5::Where sw = w.at(detail::kStreams);
    h5::Hid streams(H5Gopen2(f.get(), detail::kStreams, H5P_DEFAULT));
    if (!streams.valid()) return h5::write_error(sw, "cannot open the group");
    for (std::size_t i = 0; i < names.size(); ++i) {
      const h5::Where gw = sw.at(names[i]);
      h5::Hid g(H5Gopen2(streams.get(), names[i].c_str(), H5P_DEFAULT));
      if (!g.valid()) return h5::write_error(gw, "cannot open the group");
      for (const char* ds : {detail::kTime, detail::kPressure, detail::kSequence})
        if (auto st = trim_rows(g.get(), ds, counts[i], gw); !st) return st.error();
      if (h5::object_type(g.get(), detail::kCalibration) == H5O_TYPE_GROUP) {
        // A capture calibrated as it recorded keeps the counts there, row for row with pressure.
        h5::Hid c(H5Gopen2(g.get(), detail::kCalibration, H5P_DEFAULT));
        if (!c.valid()) return h5::write_error(gw.at(detail::kCalibration), "cannot open the group");
        if (auto st = trim_rows(c.get(), detail::kRawCounts, counts[i], gw.at(detail::kCalibration)); !st)
          return st.error();
      }
    }
    if (h5::object_type(f.get(), detail::kEvents) == H5O_TYPE_GROUP) {
      const h5::Where ew = w.at(detail::kEvents);
      h5::Hid g(H5Gopen2(f.get(), detail::kEvents, H5P_DEFAULT));
      if (!g.valid()) return h5::write_error(ew, "cannot open the group");
      for (const char* ds : {detail::kTime, "kind", "stream", "detail"})
        if (auto st = trim_rows(g.get(), ds, report.events, ew); !st) return st.error();
    }
    std::string note = std::string("insole ") + kToolkitVersion +
                       " recover: the capture was interrupted; kept the frames of its last flush (";
    for (std::size_t i = 0; i < names.size(); ++i)
      note += (i ? ", " : "") + names[i] + ": " + std::to_string(counts[i]);
    note += ")";
    if (auto st = h5::write_string_attr(f.get(), "recovered_by", note, w.at("")); !st) return st.error();
    streams.reset();
    // Closing writes the cleared flags.
    if (H5Fclose(f.release()) < 0) return h5::write_error(w, "cannot finish the file");
  }
  if (auto st = out->commit(); !st) return st.error();
  return report;
}

}  // namespace insole::io
