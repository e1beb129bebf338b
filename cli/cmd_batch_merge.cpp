// `insole batch-merge SHARD.csv... -o results.csv`: joins the outputs of `insole batch --shard`
// runs after checking that no recording is missing or duplicated (insole::batch::merge_shards).
#include <iostream>

#include "commands.hpp"
#include "insole/batch/merge.hpp"

namespace insole::cli {

int cmd_batch_merge(const Args& args) {
  po::options_description opts("options");
  opts.add_options()("output,o", po::value<std::string>(), "merged CSV (written atomically)")(
      "allow-without-manifest", "merge CSVs that have no manifest (only duplicates are then checked)");
  opts.add_options()("shard-output", po::value<std::vector<std::string>>(), "CSVs written by insole batch --shard");
  po::positional_options_description pos;
  pos.add("shard-output", -1);
  po::variables_map vm;
  if (auto rc = parse_options("batch-merge", "SHARD.csv... -o results.csv [--allow-without-manifest]",
                              "Combines the CSVs of the shards of one batch into the CSV an unsharded run would have\n"
                              "written. Checks, using the manifests written next to each CSV, that every shard 1..N\n"
                              "is present once and that every recording has rows in exactly one shard; writes\n"
                              "nothing and exits 2 when a check fails.",
                              opts, pos, args, vm))
    return *rc;
  if (!vm.count("shard-output")) return usage_error("batch-merge", "no shard outputs given");
  if (!vm.count("output")) return usage_error("batch-merge", "missing -o results.csv");
  std::vector<std::filesystem::path> shards;
  for (const auto& s : vm["shard-output"].as<std::vector<std::string>>()) shards.emplace_back(s);
  batch::MergeOptions mo;
  mo.allow_without_manifest = vm.count("allow-without-manifest") > 0;
  auto report = batch::merge_shards(shards, vm["output"].as<std::string>(), mo);
  if (!report) return report_error("batch-merge", report.error());
  std::cerr << "insole batch-merge: " << report->shards << " shards, " << report->recordings << " recordings ("
            << report->failed << " failed), " << report->rows << " rows written to "
            << vm["output"].as<std::string>()
            << (report->completeness_checked ? "; none missing or duplicated\n"
                                             : "; no manifests: completeness not checked\n");
  return kExitOk;
}

}  // namespace insole::cli
