// Analysis results kept next to the frames: /analysis/<name> holds the JSON document, the
// parameters that produced it and the algorithm version (docs/format.md).
//
// HDF5 1.10 has no journal, so modifying a file in place and being killed half-way could damage
// it. Instead the file is copied byte for byte next to itself (frames are neither decoded nor
// re-encoded), the copy is modified, and AtomicOutput renames it over the original: an interrupted
// write-back leaves the original untouched.

#include <system_error>

#include "insole/core/atomic_output.hpp"
#include "insole/core/version.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "io/format.hpp"

namespace insole::io {

namespace {

Status validate_analysis_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    return make_error(Errc::invalid_argument, "analysis name \"" + name + "\" must be non-empty and contain no '/'");
  return {};
}

}  // namespace

Status write_analysis(const std::filesystem::path& path, const std::string& name, const std::string& json,
                      const std::string& algorithm_version, const std::string& parameters_json) {
  if (auto st = validate_analysis_name(name); !st) return st;
  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", nullptr};
  {
    // Only ever add analyses to valid insole recordings.
    auto opened = detail::open_insole_file(path, w);
    if (!opened) return opened.error();
    if (opened->interrupted)
      return make_error(Errc::invalid_argument,
                        w.prefix() + "the capture that wrote this file did not finish; analyses can only be "
                                     "stored in a completed recording (copy it with write_recording first)");
  }
  auto out = detail::copy_for_update(path, w);
  if (!out) return out.error();
  {
    h5::Hid fapl = detail::file_access_plist();
    h5::Hid f(H5Fopen(out->temp_path().c_str(), H5F_ACC_RDWR, fapl.get()));
    if (!f.valid()) return h5::write_error(w, "cannot open a copy of the file for writing");
    const h5::Where aw = w.at(detail::kAnalysis);
    h5::Hid group;
    if (h5::link_exists(f.get(), detail::kAnalysis)) {
      if (h5::object_type(f.get(), detail::kAnalysis) != H5O_TYPE_GROUP)
        return h5::format_error(aw, "expected a group");
      group = h5::Hid(H5Gopen2(f.get(), detail::kAnalysis, H5P_DEFAULT));
    } else {
      h5::Hid gcpl(H5Pcreate(H5P_GROUP_CREATE));
      H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
      group = h5::Hid(H5Gcreate2(f.get(), detail::kAnalysis, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
    }
    if (!group.valid()) return h5::write_error(aw, "cannot open or create the group");
    if (h5::link_exists(group.get(), name.c_str()) && H5Ldelete(group.get(), name.c_str(), H5P_DEFAULT) < 0)
      return h5::write_error(aw.at(name), "cannot replace the earlier analysis");
    h5::Hid g(H5Gcreate2(group.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    const h5::Where gw = aw.at(name);
    if (!g.valid()) return h5::write_error(gw, "cannot create the group");
    if (auto st = h5::write_string_attr(g.get(), "algorithm_version", algorithm_version, gw); !st) return st;
    if (auto st = h5::write_string_attr(g.get(), "insole_version", kToolkitVersion, gw); !st) return st;
    if (auto st = h5::write_scalar_string_dataset(g.get(), "result_json", json, gw); !st) return st;
    if (auto st = h5::write_scalar_string_dataset(g.get(), "parameters_json", parameters_json, gw); !st) return st;
    g.reset();
    group.reset();
    if (H5Fclose(f.release()) < 0) return h5::write_error(w, "cannot finish the file");
  }
  return out->commit();
}

Result<std::string> read_analysis(const std::filesystem::path& path, const std::string& name) {
  if (auto st = validate_analysis_name(name); !st) return st.error();
  h5::QuietErrors quiet;
  const h5::Where w{path.string(), "", h5::HeapCheck::file(path.string())};
  auto opened = detail::open_insole_file(path, w);
  if (!opened) return opened.error();
  const hid_t f = opened->file.get();
  const h5::Where gw = w.at(detail::kAnalysis).at(name);
  if (h5::object_type(f, detail::kAnalysis) != H5O_TYPE_GROUP)
    return make_error(Errc::not_found, gw.prefix() + "no stored analysis of that name");
  h5::Hid group(H5Gopen2(f, detail::kAnalysis, H5P_DEFAULT));
  if (h5::object_type(group.get(), name.c_str()) != H5O_TYPE_GROUP)
    return make_error(Errc::not_found, gw.prefix() + "no stored analysis of that name");
  h5::Hid g(H5Gopen2(group.get(), name.c_str(), H5P_DEFAULT));
  if (!g.valid()) return h5::read_error(gw, "cannot open the group");
  return h5::read_scalar_string_dataset(g.get(), "result_json", gw);
}

}  // namespace insole::io
