// `insole register INPUTS...`: the footprint image of each foot of a design file, a folder or a
// list of recordings, registered rigidly onto the first footprint of its subject (left feet
// mirrored onto right) or onto a template (e.g. MUN104), with the quality of every registration
// (docs/statistics.md, "insole register"). Only wiring: the work is in insole::stats.
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "design.hpp"
#include "insole/io/hdf5_recording.hpp"
#include "insole/stats/registration.hpp"
#include "insole/stats/results.hpp"

namespace insole::cli {

namespace {

std::string fixed(double v, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

}  // namespace

int cmd_register(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("template", po::value<std::string>(), "template image, CSV of numbers (e.g. MUN104R.csv); default: the first footprint of each subject")
      ("template-pitch-mm", po::value<double>(), "pixel pitch of the template (required with --template)")
      ("template-side", po::value<std::string>()->default_value("right"), "side of the template foot: left | right")
      ("register", po::value<std::string>(), "rigid | affine | nonlinear (default: rigid, or affine with --template)")
      ("value", po::value<std::string>()->default_value("mean-peak"),
       "image per foot: mean-peak | max-peak | mean-pressure | pti | contact")
      ("json", "print one JSON document instead of the table")
      ("output,o", po::value<std::string>(), "HDF5 file of the registered images (docs/statistics.md), replaced atomically")
      ("input", po::value<std::vector<std::string>>(), "design CSV, folder of .h5 recordings, or recordings");
  po::positional_options_description pos;
  pos.add("input", -1);
  po::variables_map vm;
  if (auto rc = parse_options("register", "DESIGN.csv | FOLDER | FILE.h5... [options]",
                              "Registers the footprint image of each foot onto the first footprint of its "
                              "subject (rigid, left feet mirrored onto right) or onto a template (affine or "
                              "nonlinear, e.g. MUN104), and prints the quality of each registration: contact "
                              "overlap (Dice), correlation and residual, before and after (docs/statistics.md).",
                              opts, pos, args, vm))
    return *rc;
  if (!vm.count("input")) return usage_error("register", "missing inputs: a design CSV, a folder or recordings");
  const bool with_template = vm.count("template") > 0;
  const std::string kind = vm.count("register") ? vm["register"].as<std::string>() : with_template ? "affine" : "rigid";
  if (kind != "rigid" && kind != "affine" && kind != "nonlinear")
    return usage_error("register", "--register must be rigid, affine or nonlinear");
  auto value = parse_foot_value(vm["value"].as<std::string>());
  if (!value) return usage_error("register", value.error().message);
  const std::string tside = vm["template-side"].as<std::string>();
  if (tside != "left" && tside != "right") return usage_error("register", "--template-side must be left or right");
  if (with_template && !vm.count("template-pitch-mm"))
    return usage_error("register", "--template needs --template-pitch-mm");

  const auto inputs = vm["input"].as<std::vector<std::string>>();
  auto rows = rows_from_inputs(inputs, "");
  if (!rows) {
    report_error("register", rows.error());
    return kExitBadInput;
  }
  const std::string design = inputs.size() == 1 ? inputs.front() : "";
  std::optional<stats::Image> tmpl;
  if (with_template) {
    auto im = load_template(vm["template"].as<std::string>(), vm["template-pitch-mm"].as<double>());
    if (!im) {
      report_error("register", im.error());
      return kExitBadInput;
    }
    tmpl = std::move(*im);
  }
  auto feet = load_foot_images(*rows, design, *value, true);
  if (!feet) return report_error("register", feet.error());

  // The fixed image of each footprint: the template, or the first footprint of its subject turned
  // into a right foot (all rows without a subject are one subject).
  struct Reference {
    stats::Image image;
    Side side;
    std::size_t first;  ///< index of the footprint it comes from
  };
  std::map<std::string, Reference> refs;
  std::vector<std::string> subjects;
  for (std::size_t i = 0; i < feet->size(); ++i) {
    const auto& e = (*feet)[i];
    const std::string& subject = (*rows)[e.row].subject;
    subjects.push_back(subject);
    if (tmpl || refs.count(subject)) continue;
    refs.emplace(subject, Reference{e.side == Side::left ? stats::mirror_columns(e.image) : e.image,
                                    e.side == Side::left ? Side::right : e.side, i});
  }
  const Side template_side = tside == "left" ? Side::left : Side::right;

  std::vector<stats::Registration> regs;
  for (std::size_t i = 0; i < feet->size(); ++i) {
    const auto& e = (*feet)[i];
    const stats::Image& fixed_image = tmpl ? *tmpl : refs.at(subjects[i]).image;
    stats::RegistrationParams rp;
    rp.mirror = stats::needs_mirror(e.side, tmpl ? template_side : refs.at(subjects[i]).side);
    auto reg = kind == "rigid"    ? stats::register_rigid(e.image, fixed_image, rp)
               : kind == "affine" ? stats::register_affine(e.image, fixed_image, rp)
                                  : stats::register_nonlinear(e.image, fixed_image, rp);
    if (!reg)
      return report_error("register", make_error(reg.error().code, where((*rows)[e.row], design) + " (" +
                                                                        std::string(to_string(e.side)) +
                                                                        " foot): " + reg.error().message));
    regs.push_back(std::move(*reg));
  }

  if (vm.count("output")) {
    DataNode root;
    DataNode& g = root.groups["registration"];
    g.attributes["kind"] = kind;
    g.attributes["value"] = vm["value"].as<std::string>();
    g.attributes["fixed"] = with_template ? "template " + vm["template"].as<std::string>() + " (" + tside + " foot)"
                                          : std::string("first footprint of each subject, as a right foot");
    std::vector<std::string> files, sides, subj;
    std::vector<double> reference;
    std::vector<double> dice, dice0, ncc, ncc0, rms, rms0, angle;
    bool one_grid = true;
    for (std::size_t i = 0; i < regs.size(); ++i) {
      const auto& e = (*feet)[i];
      const auto& r = regs[i];
      files.push_back((*rows)[e.row].file), sides.emplace_back(to_string(e.side)), subj.push_back(subjects[i]);
      reference.push_back(tmpl ? -1.0 : static_cast<double>(refs.at(subjects[i]).first));
      dice.push_back(r.quality.dice), dice0.push_back(r.quality.dice_before);
      ncc.push_back(r.quality.ncc), ncc0.push_back(r.quality.ncc_before);
      rms.push_back(r.quality.rms_residual), rms0.push_back(r.quality.rms_residual_before);
      angle.push_back(r.angle_deg);
      one_grid = one_grid && r.fixed_grid.same_as(regs.front().fixed_grid);
      char name[24];
      std::snprintf(name, sizeof name, "%04zu", i);
      DataNode node = stats::to_data_tree(r);
      node.attributes["file"] = files.back();
      node.attributes["side"] = sides.back();
      node.attributes["subject"] = subjects[i];
      g.groups["images"].groups[name] = std::move(node);
    }
    const std::size_t n = regs.size();
    g.strings["file"] = files, g.strings["side"] = sides, g.strings["subject"] = subj;
    g.arrays["reference"] = {{n}, reference, ""};
    g.arrays["dice"] = {{n}, dice, ""}, g.arrays["dice_before"] = {{n}, dice0, ""};
    g.arrays["ncc"] = {{n}, ncc, ""}, g.arrays["ncc_before"] = {{n}, ncc0, ""};
    g.arrays["rms_residual"] = {{n}, rms, ""}, g.arrays["rms_residual_before"] = {{n}, rms0, ""};
    g.arrays["angle_deg"] = {{n}, angle, "deg"};
    if (one_grid) {  // all on one grid (a template, or one subject): a stack NumPy reads whole
      const auto& grid = regs.front().fixed_grid;
      DataArray stack{{n, static_cast<std::size_t>(grid.rows), static_cast<std::size_t>(grid.cols)}, {}, ""};
      for (const auto& r : regs)
        for (int row = 0; row < grid.rows; ++row)
          for (int col = 0; col < grid.cols; ++col) stack.values.push_back(r.warped.values(row, col));
      g.arrays["stack"] = std::move(stack);
      g.arrays["stack_pitch_mm"] = {{2}, {grid.pitch_y_mm, grid.pitch_x_mm}, "mm"};
      g.arrays["stack_origin_mm"] = {{2}, {grid.origin_x_mm, grid.origin_y_mm}, "mm"};
    }
    if (auto st = io::write_data_tree(vm["output"].as<std::string>(), root, stats::kRegistrationFormat); !st)
      return report_error("register", st.error());
  }

  if (vm.count("json")) {
    auto images = nlohmann::json::array();
    for (std::size_t i = 0; i < regs.size(); ++i) {
      const auto& e = (*feet)[i];
      const auto& r = regs[i];
      nlohmann::json j = {
          {"file", (*rows)[e.row].file}, {"side", std::string(to_string(e.side))},
          {"subject", subjects[i]},
          {"reference", tmpl ? nlohmann::json(nullptr) : nlohmann::json(refs.at(subjects[i]).first)},
          {"mirrored", r.mirrored}, {"angle_deg", r.angle_deg}, {"t_mm", {r.t_mm.x(), r.t_mm.y()}},
          {"A", {{r.A(0, 0), r.A(0, 1)}, {r.A(1, 0), r.A(1, 1)}}},
          {"dice", r.quality.dice}, {"dice_before", r.quality.dice_before},
          {"ncc", r.quality.ncc}, {"ncc_before", r.quality.ncc_before},
          {"rms_residual", r.quality.rms_residual}, {"rms_residual_before", r.quality.rms_residual_before},
          {"min_jacobian", r.quality.min_jacobian ? nlohmann::json(*r.quality.min_jacobian) : nlohmann::json(nullptr)}};
      images.push_back(std::move(j));
    }
    const nlohmann::json doc = {
        {"kind", kind}, {"value", vm["value"].as<std::string>()},
        {"template", with_template ? nlohmann::json(vm["template"].as<std::string>()) : nlohmann::json(nullptr)},
        {"template_side", with_template ? nlohmann::json(tside) : nlohmann::json(nullptr)},
        {"images", images}};
    std::cout << doc.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "insole register: " << regs.size() << " footprints, " << kind << " onto "
            << (with_template ? vm["template"].as<std::string>() + " (" + tside + " foot)"
                              : std::string("the first footprint of each subject (as a right foot)"))
            << "\n  quality over the union of contact: Dice overlap and RMS residual (image unit), before -> after\n";
  for (std::size_t i = 0; i < regs.size(); ++i) {
    const auto& e = (*feet)[i];
    const auto& r = regs[i];
    std::cout << "  " << std::setw(3) << i << "  " << (*rows)[e.row].file << " " << to_string(e.side)
              << (subjects[i].empty() ? "" : " [" + subjects[i] + "]") << (r.mirrored ? " mirrored" : "")
              << ": angle " << fixed(r.angle_deg, 1) << " deg, shift (" << fixed(r.t_mm.x(), 1) << ", "
              << fixed(r.t_mm.y(), 1) << ") mm; Dice " << fixed(r.quality.dice_before, 3) << " -> "
              << fixed(r.quality.dice, 3) << ", residual " << fixed(r.quality.rms_residual_before, 1) << " -> "
              << fixed(r.quality.rms_residual, 1) << ", NCC " << fixed(r.quality.ncc, 3)
              << (r.quality.min_jacobian ? ", min Jacobian " + fixed(*r.quality.min_jacobian, 2) : "") << "\n";
  }
  return kExitOk;
}

}  // namespace insole::cli
