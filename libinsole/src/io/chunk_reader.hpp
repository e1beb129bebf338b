#pragma once
// Reading frame datasets by whole raw chunks (H5Dread_chunk) and decoding them outside the HDF5
// library: Fletcher-32 verified, inflated with libdeflate, unshuffled, spread over a small pool of
// decode threads. Private to insole::io.
//
// Only datasets stored exactly as the toolkit's writer and h5py store frames are read this way:
// chunked along time with each chunk holding whole frames, little-endian IEEE float32, and a
// filter pipeline made only of shuffle, deflate and fletcher32 (any order, any subset). Anything
// else - contiguous or compact storage, other filters (szip, lzf, scale-offset, n-bit ...), other
// stored types, chunks that split a frame, a chunk whose filter mask says a filter was skipped, or
// a chunk that was never written - is read through the HDF5 library (the caller's fallback),
// which gives the same values.
//
// The HDF5 filters undone here are documented in the HDF5 file format specification (section
// III.A.2.1.3, "Data Layout Message" / "Filter Pipeline Message") and the H5Z reference manual:
// - shuffle (id 2): the bytes of n elements of size s are stored as s planes of n bytes, plane b
//   holding byte b of every element;
// - deflate (id 1): a zlib stream (RFC 1950 header and Adler-32 trailer around RFC 1951 data);
// - fletcher32 (id 3): a 4-byte Fletcher-32 checksum appended to the chunk, stored little-endian.
//   HDF5 sums the data as 16-bit big-endian words (an odd last byte as the high byte of a word),
//   reducing both sums modulo 65535 by end-around carry; the result is sum2 << 16 | sum1.
//   HDF5 also accepts the checksum with the bytes of each 16-bit half swapped (what releases
//   before 1.6.3 wrote on little-endian machines); so does this reader.

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "insole/core/result.hpp"
#include "io/h5util.hpp"

namespace insole::io::chunk {

/// HDF5's Fletcher-32 over `n` bytes (see the header comment).
std::uint32_t fletcher32(const unsigned char* data, std::size_t n);

/// Undoes the shuffle filter: `n` elements of `size` bytes, from `in` (planes) to `out`
/// (elements), for elements [first, first + count) only.
void unshuffle(const unsigned char* in, std::size_t n, std::size_t size, std::size_t first, std::size_t count,
               unsigned char* out);

/// How a dataset's chunks are decoded, worked out once from its creation properties.
struct Plan {
  std::vector<H5Z_filter_t> filters;  ///< the pipeline in write order
  std::size_t element_bytes = 4;
  std::size_t row_elements = 0;  ///< elements of one frame
  hsize_t chunk_rows = 0;        ///< frames per chunk
  std::size_t rank = 0;
  std::size_t chunk_bytes() const { return static_cast<std::size_t>(chunk_rows) * row_elements * element_bytes; }
};

/// The plan for `ds` when its chunks can be decoded here (stored as little-endian float32), else
/// nothing (read through the library).
std::optional<Plan> plan_for(const h5::NumericDataset& ds);

/// Which path reads frame datasets: the direct chunk path when a dataset allows it, or always
/// the library. INSOLE_HDF5_PATH=library forces the library (for tests and benchmarks).
enum class PathMode { automatic, library };
PathMode path_mode();

/// Decode threads: INSOLE_DECODE_THREADS (>= 1), default the hardware's concurrency. The calling
/// thread is one of them.
unsigned decode_threads();

/// Decodes one raw chunk as stored (`raw`) into the rows [row0, row0 + rows) of the chunk, at
/// `out` (rows x row_elements floats). `scratch` is reused between calls. Errors say what is
/// wrong, without naming the dataset (the caller prefixes it).
Status decode(const Plan& plan, const std::vector<unsigned char>& raw, std::size_t row0, std::size_t rows,
              float* out, std::vector<unsigned char>& scratch);

/// Outcome of read_rows: done, or the library must read these rows (a chunk is not stored, or its
/// filter mask shows a skipped filter).
enum class Outcome { done, use_library };

/// Reads rows [first, first + count) of `ds` into `out` (row-major float32) by raw chunks. Takes
/// `hdf5_lock` only around the HDF5 calls; decoding runs unlocked on up to decode_threads()
/// threads (this one included). Damage is a format error naming `w` (the dataset) and the chunk
/// index.
Result<Outcome> read_rows(const h5::NumericDataset& ds, const Plan& plan, hsize_t first, hsize_t count, float* out,
                          const h5::Where& w, std::mutex& hdf5_lock);

}  // namespace insole::io::chunk
