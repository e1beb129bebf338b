#pragma once
// Read-only access to consecutive frames of one stream, stored either densely (a Stream, or rows
// of a buffer) or compactly: only the sensels that read anything in those frames are stored, in
// columns, and every other sensel reads a fixed value (0). The streaming analysis keeps a window
// of a large mat this way: two feet load a few per cent of a 200 x 200 mat, so the window costs
// that share of its dense size. Every analysis step that needs frames reads them through this
// view, so the values it sees, and everything computed from them, are the same bytes whichever
// storage holds them.

#include <Eigen/Core>
#include <cstddef>

#include "insole/core/recording.hpp"

namespace insole::analysis {

class FrameView {
 public:
  /// Dense view of a whole stream (the view must not outlive it).
  FrameView(const Stream& stream)  // NOLINT(google-explicit-constructor): streams convert freely
      : info_(&stream.info),
        time_(stream.time_s.data()),
        frames_(stream.frame_count()),
        values_(stream.pressure_kpa.data()),
        stride_(stream.pressure_kpa.cols()) {}
  /// Dense rows: frame f, sensel s at values[f * stride + s].
  FrameView(const StreamInfo& info, const double* time_s, Eigen::Index frames, const float* values,
            Eigen::Index stride)
      : info_(&info), time_(time_s), frames_(frames), values_(values), stride_(stride) {}
  /// Compact rows: sensel s is stored in column column[s] (values[f * stride + column[s]]), or,
  /// where column[s] < 0, reads `unstored` in every frame.
  FrameView(const StreamInfo& info, const double* time_s, Eigen::Index frames, const float* values,
            Eigen::Index stride, const int* column, float unstored)
      : info_(&info),
        time_(time_s),
        frames_(frames),
        values_(values),
        stride_(stride),
        column_(column),
        unstored_(unstored) {}

  const StreamInfo& info() const noexcept { return *info_; }
  Eigen::Index frame_count() const noexcept { return frames_; }
  Eigen::Index sensor_count() const noexcept { return info_->layout.sensor_count(); }
  /// Values per stored row: the stream's columns when dense, the stored sensels when compact.
  Eigen::Index stride() const noexcept { return stride_; }
  bool dense() const noexcept { return column_ == nullptr; }
  double time(Eigen::Index f) const noexcept { return time_[f]; }
  Eigen::Map<const Eigen::VectorXd> times() const { return {time_, frames_}; }

  /// Reading of sensel s in frame f.
  float at(Eigen::Index f, Eigen::Index s) const noexcept {
    if (!column_) return values_[f * stride_ + s];
    const int c = column_[s];
    return c < 0 ? unstored_ : values_[f * stride_ + c];
  }
  /// Writes frame f, every sensel, to out[0 .. sensor_count()).
  void row(Eigen::Index f, float* out) const noexcept {
    const float* r = values_ + f * stride_;
    const Eigen::Index n = sensor_count();
    if (!column_) {
      for (Eigen::Index s = 0; s < n; ++s) out[s] = r[s];
      return;
    }
    for (Eigen::Index s = 0; s < n; ++s) {
      const int c = column_[s];
      out[s] = c < 0 ? unstored_ : r[c];
    }
  }
  /// Dense rows in a buffer (no copy), else nullptr.
  const float* dense_row(Eigen::Index f) const noexcept { return column_ ? nullptr : values_ + f * stride_; }
  /// The stride() stored values of frame f (compact: column c holds the sensel s with
  /// column_of(s) == c).
  const float* stored_row(Eigen::Index f) const noexcept { return values_ + f * stride_; }
  /// Compact: the column sensel s is stored in, or -1 when it reads unstored(); dense: s.
  int column_of(Eigen::Index s) const noexcept { return column_ ? column_[s] : static_cast<int>(s); }
  /// What an unstored sensel reads in every frame (compact views).
  float unstored() const noexcept { return unstored_; }

 private:
  const StreamInfo* info_;
  const double* time_;
  Eigen::Index frames_;
  const float* values_;
  Eigen::Index stride_;
  const int* column_ = nullptr;
  float unstored_ = 0.0f;
};

}  // namespace insole::analysis
