#pragma once
// A small tree of named attributes and numeric arrays: how a module that must not depend on io
// (statistics, registration) hands a result to io's writers (io::write_data_tree), which lay it
// out as HDF5 groups, attributes and datasets (docs/format.md, "Results files").

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace insole {

/// An n-dimensional array of float64, row-major (C order, as h5py and NumPy read it).
struct DataArray {
  std::vector<std::size_t> shape;
  std::vector<double> values;  ///< product(shape) entries
  std::string units;           ///< written as the dataset's "units" attribute when not empty
};

struct DataNode {
  using Attribute = std::variant<std::string, double, std::int64_t>;
  std::map<std::string, Attribute> attributes;
  std::map<std::string, DataArray> arrays;
  std::map<std::string, std::vector<std::string>> strings;  ///< 1-D string datasets (UTF-8)
  std::map<std::string, DataNode> groups;
};

}  // namespace insole
