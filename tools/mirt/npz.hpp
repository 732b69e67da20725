// tools/mirt/npz.hpp — numpy's .npy arrays and .npz archives (a zip of .npy files), for `mirt run`.
//
// numpy writes .npz with zipfile: entries stored (np.savez) or deflated (np.savez_compressed), zip64
// extras on every entry. We read both (deflate through zlib) and write stored entries, which numpy
// reads back with np.load.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mirt/base.h"

namespace mirt::cli {

// A malformed or unsupported .npy/.npz; the message names the file and the entry.
class npz_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One C-ordered little-endian array.
struct npy_array {
  std::string name;             // the entry name without ".npy"
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  std::vector<int64_t> shape;   // empty for a scalar
  std::vector<uint8_t> data;    // product(shape) * mirt_dtype_size(dtype) bytes

  uint64_t count() const;
};

// numpy's descr of a dtype ("<f4", "|b1"); throws npz_error for dtypes numpy has no descr for.
std::string npy_descr(mirt_dtype dtype);
// The mirt dtype of a numpy descr, or MIRT_DTYPE_UNDEFINED when mirt has none (or big-endian).
mirt_dtype dtype_of_npy_descr(const std::string& descr);

// Parses the bytes of one .npy file. what names it in errors ("inputs.npz: 'x.npy'").
npy_array parse_npy(const uint8_t* bytes, size_t size, const std::string& what);
// The bytes of a version 1.0 .npy file holding a.
std::vector<uint8_t> format_npy(const npy_array& a);

// Reads every array of an .npz file (in archive order). Throws npz_error naming the path, and the
// entry when one is bad: not a zip, truncated, an unsupported compression, a bad .npy header.
std::vector<npy_array> read_npz(const std::string& path);
// Writes arrays as an .npz (stored entries, names + ".npy"). Throws std::runtime_error naming the
// path when it cannot be written, npz_error for a duplicate name or an archive over 4 GiB.
void write_npz(const std::string& path, const std::vector<npy_array>& arrays);

}  // namespace mirt::cli
