#include "io/chunk_reader.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

namespace insole::io::chunk {

std::uint32_t fletcher32(const unsigned char* data, std::size_t n) {
  // Fletcher-32 over 16-bit big-endian words. The sums are folded (end-around carry, i.e. modulo
  // 65535 up to the representation of 0) at least every 360 words, before sum2 can overflow 32
  // bits: 360 words of at most 0xffff keep sum2 below 2^32 starting from folded sums.
  std::uint32_t sum1 = 0, sum2 = 0;
  std::size_t words = n / 2;
  while (words > 0) {
    const std::size_t block = std::min<std::size_t>(words, 360);
    words -= block;
    for (std::size_t i = 0; i < block; ++i, data += 2) {
      sum1 += (std::uint32_t(data[0]) << 8) | data[1];
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (n % 2) {  // an odd last byte is the high byte of a word whose low byte is 0
    sum1 += std::uint32_t(*data) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

void unshuffle(const unsigned char* in, std::size_t n, std::size_t size, std::size_t first, std::size_t count,
               unsigned char* out) {
  if (size == 4) {  // the frames' float32: a loop the compiler vectorises
    const unsigned char *p0 = in, *p1 = in + n, *p2 = in + 2 * n, *p3 = in + 3 * n;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t e = first + i;
      out[4 * i] = p0[e];
      out[4 * i + 1] = p1[e];
      out[4 * i + 2] = p2[e];
      out[4 * i + 3] = p3[e];
    }
    return;
  }
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t b = 0; b < size; ++b) out[size * i + b] = in[b * n + first + i];
}

std::optional<Plan> plan_for(const h5::NumericDataset& ds) {
  h5::Hid dcpl(H5Dget_create_plist(ds.id.get()));
  if (!dcpl.valid() || H5Pget_layout(dcpl.get()) != H5D_CHUNKED || ds.dims.empty()) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  std::vector<hsize_t> chunk(ds.dims.size(), 0);
  if (H5Pget_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) != static_cast<int>(chunk.size()) ||
      chunk[0] == 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  Plan plan;
  plan.rank = ds.dims.size();
  plan.chunk_rows = chunk[0];
  plan.row_elements = 1;
  for (std::size_t j = 1; j < chunk.size(); ++j) {
    if (chunk[j] != ds.dims[j]) return std::nullopt;  // chunks split a frame (h5py's automatic chunks)
    plan.row_elements *= static_cast<std::size_t>(ds.dims[j]);
  }
  h5::Hid type(H5Dget_type(ds.id.get()));
  // Little-endian IEEE float32 on disk, read into native floats that are the same (x86, arm64).
  if (!type.valid() || H5Tequal(type.get(), H5T_IEEE_F32LE) <= 0 || H5Tequal(H5T_NATIVE_FLOAT, H5T_IEEE_F32LE) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  const int n = H5Pget_nfilters(dcpl.get());
  if (n < 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, config = 0, cd[8] = {};
    std::size_t nelem = 8;
    char name[64];
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nelem, cd, sizeof name, name, &config);
    if (id == H5Z_FILTER_SHUFFLE) {
      if (nelem < 1 || cd[0] != plan.element_bytes) return std::nullopt;
    } else if (id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_FLETCHER32) {
      H5Eclear2(H5E_DEFAULT);
      return std::nullopt;  // szip, lzf, scale-offset, n-bit, any plugin: the library decodes
    }
    plan.filters.push_back(id);
  }
  return plan;
}

PathMode path_mode() {
  const char* v = std::getenv("INSOLE_HDF5_PATH");
  return v && std::strcmp(v, "library") == 0 ? PathMode::library : PathMode::automatic;
}

unsigned decode_threads() {
  if (const char* v = std::getenv("INSOLE_DECODE_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (end != v && *end == '\0' && n >= 1) return static_cast<unsigned>(std::min<long>(n, 64));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

libdeflate_decompressor* thread_decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  return d.get();
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

Status decode(const Plan& plan, const std::vector<unsigned char>& raw, std::size_t row0, std::size_t rows,
              float* out, std::vector<unsigned char>& scratch) {
  thread_local std::vector<unsigned char> other;
  const std::size_t chunk_bytes = plan.chunk_bytes(), row_bytes = plan.row_elements * plan.element_bytes;
  auto* dst = reinterpret_cast<unsigned char*>(out);
  // Bytes entering filter i when the chunk was written: the chunk, plus 4 per earlier fletcher32.
  std::vector<std::size_t> size_in(plan.filters.size());
  std::size_t s = chunk_bytes;
  for (std::size_t i = 0; i < plan.filters.size(); ++i) {
    size_in[i] = s;
    if (plan.filters[i] == H5Z_FILTER_FLETCHER32) s += 4;
  }
  const unsigned char* cur = raw.data();
  std::size_t cur_n = raw.size();
  bool in_out = false;  // the decoded rows are already in `out`
  for (std::size_t k = plan.filters.size(); k-- > 0;) {
    std::vector<unsigned char>& buf = cur == scratch.data() ? other : scratch;
    switch (plan.filters[k]) {
      case H5Z_FILTER_FLETCHER32: {
        if (cur_n < 4) return make_error(Errc::format_error, "is shorter than its Fletcher-32 checksum");
        cur_n -= 4;
        const std::uint32_t stored = std::uint32_t(cur[cur_n]) | std::uint32_t(cur[cur_n + 1]) << 8 |
                                     std::uint32_t(cur[cur_n + 2]) << 16 | std::uint32_t(cur[cur_n + 3]) << 24;
        const std::uint32_t sum = fletcher32(cur, cur_n);
        const std::uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
        if (stored != sum && stored != swapped)
          return make_error(Errc::format_error, "fails its Fletcher-32 checksum (stored " + hex32(stored) +
                                                    ", computed " + hex32(sum) + "): damaged data");
        break;
      }
      case H5Z_FILTER_DEFLATE: {
        const std::size_t want = size_in[k];
        const bool direct = k == 0 && row0 == 0 && rows * row_bytes == chunk_bytes && want == chunk_bytes;
        unsigned char* target = direct ? dst : (buf.resize(want), buf.data());
        std::size_t got = 0;
        const libdeflate_result r =
            libdeflate_zlib_decompress(thread_decompressor(), cur, cur_n, target, want, &got);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
          return make_error(Errc::format_error, "inflates to more than the " + std::to_string(want) + " bytes expected");
        if (r != LIBDEFLATE_SUCCESS)
          return make_error(Errc::format_error, "is not valid deflate (zlib) data: damaged or truncated");
        if (got != want)
          return make_error(Errc::format_error, "inflates to " + std::to_string(got) + " bytes, expected " +
                                                    std::to_string(want) + ": truncated");
        if (direct) {
          in_out = true;
        } else {
          cur = buf.data();
          cur_n = want;
        }
        break;
      }
      case H5Z_FILTER_SHUFFLE: {
        // Its input size is known only when no deflate came before it (always so as the first).
        if (k == 0 && cur_n != size_in[k])
          return make_error(Errc::format_error, "holds " + std::to_string(cur_n) + " bytes, expected " +
                                                    std::to_string(size_in[k]));
        const std::size_t size = plan.element_bytes, n = cur_n / size;
        if (n <= 1) break;  // HDF5 leaves a single element unshuffled
        if (k == 0) {  // the last step: straight into the rows wanted
          unshuffle(cur, n, size, row0 * plan.row_elements, rows * plan.row_elements, dst);
          in_out = true;
        } else {
          buf.resize(cur_n);
          unshuffle(cur, n, size, 0, n, buf.data());
          std::memcpy(buf.data() + n * size, cur + n * size, cur_n - n * size);  // leftover bytes stay
          cur = buf.data();
        }
        break;
      }
      default:
        return make_error(Errc::format_error, "uses a filter this reader does not decode");
    }
  }
  if (in_out) return {};
  if (cur_n != chunk_bytes)
    return make_error(Errc::format_error,
                      "holds " + std::to_string(cur_n) + " bytes, expected " + std::to_string(chunk_bytes));
  std::memcpy(dst, cur + row0 * row_bytes, rows * row_bytes);
  return {};
}

namespace {

// Worker threads for decoding (grown on demand up to what decode_threads() asks; they never touch
// HDF5). Joined at exit.
class Pool {
 public:
  static Pool& get() {
    static Pool pool;
    return pool;
  }
  void ensure(unsigned workers) {
    std::lock_guard lock(m_);
    while (threads_.size() < workers) threads_.emplace_back([this] { run(); });
  }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(m_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }
  ~Pool() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  bool stop_ = false;
};

struct Job {
  std::vector<unsigned char> raw;
  std::size_t row0 = 0, rows = 0;
  float* dst = nullptr;
  hsize_t index = 0;
};

// One read_rows call: raw chunks arrive one by one (read under the HDF5 lock by the caller) and
// are decoded by whichever thread takes them first.
struct Shared {
  const Plan* plan = nullptr;
  std::mutex m;
  std::condition_variable cv;
  std::vector<Job> jobs;
  std::size_t ready = 0, next = 0;
  bool reading = true, abort = false;
  unsigned helpers = 0;
  std::optional<Error> error;
  hsize_t error_chunk = 0;

  void work() {
    std::vector<unsigned char>& scratch = thread_scratch();
    for (;;) {
      std::unique_lock lock(m);
      cv.wait(lock, [this] { return abort || next < ready || !reading; });
      if (abort || next >= ready) return;
      Job& job = jobs[next++];
      lock.unlock();
      Status st = decode(*plan, job.raw, job.row0, job.rows, job.dst, scratch);
      std::vector<unsigned char>().swap(job.raw);  // compressed bytes are not kept
      lock.lock();
      if (!st && !error) {
        error = st.error();
        error_chunk = job.index;
        abort = true;
        cv.notify_all();
      }
    }
  }
  static std::vector<unsigned char>& thread_scratch() {
    thread_local std::vector<unsigned char> s;
    return s;
  }
};

}  // namespace

Result<Outcome> read_rows(const h5::NumericDataset& ds, const Plan& plan, hsize_t first, hsize_t count, float* out,
                          const h5::Where& w, std::mutex& hdf5_lock) {
  if (count == 0) return Outcome::done;
  const hsize_t R = plan.chunk_rows;
  const hsize_t c0 = first / R, c1 = (first + count - 1) / R;
  const std::size_t nchunks = static_cast<std::size_t>(c1 - c0 + 1);
  auto sh = std::make_shared<Shared>();
  sh->plan = &plan;
  sh->jobs.resize(nchunks);
  const unsigned helpers = static_cast<unsigned>(std::min<std::size_t>(decode_threads() - 1, nchunks - 1));
  if (helpers > 0) {
    Pool::get().ensure(helpers);
    sh->helpers = helpers;
    for (unsigned i = 0; i < helpers; ++i)
      Pool::get().post([sh] {
        sh->work();
        std::lock_guard lock(sh->m);
        --sh->helpers;
        sh->cv.notify_all();
      });
  }
  auto finish = [&sh] {  // no helper touches the jobs (or `out`) after this
    std::unique_lock lock(sh->m);
    sh->reading = false;
    sh->cv.notify_all();
    lock.unlock();
    sh->work();
    lock.lock();
    sh->cv.wait(lock, [&] { return sh->helpers == 0; });
  };
  auto chunk_label = [&](hsize_t c) {
    const hsize_t a = c * R, b = std::min<hsize_t>(a + R, ds.dims[0]) - 1;
    return "chunk " + std::to_string(c) + " (frames " + std::to_string(a) + ".." + std::to_string(b) + ")";
  };
  // A raw chunk is the chunk through deflate (worst case: zlib's bound, ~0.03 % plus a few bytes)
  // and fletcher32: anything larger is a damaged chunk index.
  const std::size_t max_raw = plan.chunk_bytes() + plan.chunk_bytes() / 64 + 1024;
  std::optional<Result<Outcome>> early;
  std::vector<hsize_t> offset(plan.rank, 0);
  for (std::size_t k = 0; k < nchunks && !early; ++k) {
    const hsize_t c = c0 + k;
    Job& job = sh->jobs[k];
    job.index = c;
    const hsize_t a = std::max(first, c * R), b = std::min(first + count, (c + 1) * R);
    job.row0 = static_cast<std::size_t>(a - c * R);
    job.rows = static_cast<std::size_t>(b - a);
    job.dst = out + static_cast<std::size_t>(a - first) * plan.row_elements;
    offset[0] = c * R;
    {
      std::lock_guard lock(hdf5_lock);
      h5::QuietErrors quiet;
      hsize_t nbytes = 0;
      std::uint32_t mask = 0;
      if (H5Dget_chunk_storage_size(ds.id.get(), offset.data(), &nbytes) < 0 || nbytes == 0) {
        H5Eclear2(H5E_DEFAULT);  // never written: the library supplies the fill value
        early = Outcome::use_library;
        break;
      }
      if (nbytes > max_raw) {
        early = Result<Outcome>(h5::format_error(w, chunk_label(c) + " claims " + std::to_string(nbytes) +
                                                        " stored bytes, more than a chunk of " +
                                                        std::to_string(plan.chunk_bytes()) +
                                                        " bytes can take (damaged file?)"));
        break;
      }
      job.raw.resize(static_cast<std::size_t>(nbytes));
      if (H5Dread_chunk(ds.id.get(), H5P_DEFAULT, offset.data(), &mask, job.raw.data()) < 0) {
        early = Result<Outcome>(
            h5::read_error(w, "cannot read " + chunk_label(c) + " (damaged or truncated file)"));
        break;
      }
      if (mask != 0) {  // a filter was skipped for this chunk (e.g. deflate did not shrink it)
        early = Outcome::use_library;
        break;
      }
    }
    std::lock_guard lock(sh->m);
    if (sh->abort) break;
    ++sh->ready;
    sh->cv.notify_one();
  }
  if (early) {
    std::lock_guard lock(sh->m);
    sh->abort = true;
  }
  finish();
  if (sh->error)
    return make_error(Errc::format_error, w.prefix() + chunk_label(sh->error_chunk) + " " + sh->error->message);
  if (early) return std::move(*early);
  return Outcome::done;
}

}  // namespace insole::io::chunk
