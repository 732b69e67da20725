// tools/mirt/npz.cpp — reads and writes numpy .npy arrays and .npz (zip) archives.
#include "npz.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace mirt::cli {

namespace {

// Little-endian readers over a byte range whose bounds the caller checked.
uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) { return static_cast<uint32_t>(u16(p)) | (static_cast<uint32_t>(u16(p + 2)) << 16); }
uint64_t u64(const uint8_t* p) { return static_cast<uint64_t>(u32(p)) | (static_cast<uint64_t>(u32(p + 4)) << 32); }

void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, v & 0xFFFFu);
  put16(out, v >> 16);
}

struct dtype_descr {
  mirt_dtype dtype;
  const char* descr;
};
// bfloat16 has no numpy dtype, so it has no entry.
constexpr dtype_descr kDescrs[] = {
    {MIRT_DTYPE_FLOAT32, "<f4"}, {MIRT_DTYPE_FLOAT16, "<f2"}, {MIRT_DTYPE_FLOAT64, "<f8"}, {MIRT_DTYPE_INT8, "|i1"},
    {MIRT_DTYPE_UINT8, "|u1"},   {MIRT_DTYPE_INT32, "<i4"},   {MIRT_DTYPE_INT64, "<i8"},   {MIRT_DTYPE_BOOL, "|b1"},
};

// The text after `'key':` in a .npy header dict, with leading spaces skipped.
size_t value_start(const std::string& header, const char* key, const std::string& what) {
  const std::string quoted = std::string("'") + key + "'";
  size_t at = header.find(quoted);
  if (at == std::string::npos) throw npz_error(what + ": the .npy header has no '" + key + "' (header: " + header + ")");
  at = header.find(':', at + quoted.size());
  if (at == std::string::npos) throw npz_error(what + ": bad .npy header: " + header);
  ++at;
  while (at < header.size() && header[at] == ' ') ++at;
  return at;
}

std::vector<uint8_t> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw npz_error("cannot open '" + path + "': " + std::strerror(errno));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<uint8_t> inflate_raw(const uint8_t* data, uint64_t size, uint64_t expected, const std::string& what) {
  std::vector<uint8_t> out(expected);
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw npz_error(what + ": zlib inflateInit2 failed");
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(expected);
  const int rc = inflate(&z, Z_FINISH);
  const uint64_t produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != expected)
    throw npz_error(what + ": the deflated data is corrupt (zlib: " + (z.msg ? z.msg : std::to_string(rc)) + ")");
  return out;
}

}  // namespace

uint64_t npy_array::count() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::string npy_descr(mirt_dtype dtype) {
  for (const dtype_descr& d : kDescrs)
    if (d.dtype == dtype) return d.descr;
  throw npz_error(std::string("numpy has no dtype for mirt's ") + mirt_dtype_name(dtype));
}

mirt_dtype dtype_of_npy_descr(const std::string& descr) {
  if (descr.size() != 3 || descr[0] == '>') return MIRT_DTYPE_UNDEFINED;
  for (const dtype_descr& d : kDescrs)
    if (descr.compare(1, 2, d.descr + 1) == 0) return d.dtype;
  return MIRT_DTYPE_UNDEFINED;
}

npy_array parse_npy(const uint8_t* bytes, size_t size, const std::string& what) {
  static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(bytes, magic, 6) != 0) throw npz_error(what + ": not a .npy array (no \\x93NUMPY magic)");
  const uint8_t major = bytes[6];
  if (major < 1 || major > 3) throw npz_error(what + ": unsupported .npy format version " + std::to_string(major));
  const size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix) throw npz_error(what + ": truncated .npy header");
  const uint64_t header_len = major == 1 ? u16(bytes + 8) : u32(bytes + 8);
  if (prefix + header_len > size) throw npz_error(what + ": truncated .npy header");
  const std::string header(reinterpret_cast<const char*>(bytes + prefix), header_len);

  npy_array a;
  size_t at = value_start(header, "descr", what);
  const size_t end = header.find_first_of("'\"", at + 1);
  if (at >= header.size() || (header[at] != '\'' && header[at] != '"') || end == std::string::npos)
    throw npz_error(what + ": the .npy descr is not a simple dtype (header: " + header + ")");
  const std::string descr = header.substr(at + 1, end - at - 1);
  a.dtype = dtype_of_npy_descr(descr);
  if (a.dtype == MIRT_DTYPE_UNDEFINED)
    throw npz_error(what + ": numpy dtype '" + descr +
                    "' is not supported (use little-endian float16/32/64, int8/32/64, uint8 or bool)");
  at = value_start(header, "fortran_order", what);
  if (header.compare(at, 4, "True") == 0) throw npz_error(what + ": Fortran-ordered arrays are not supported (save a C-ordered copy)");
  at = value_start(header, "shape", what);
  const size_t close = header.find(')', at);
  if (at >= header.size() || header[at] != '(' || close == std::string::npos) throw npz_error(what + ": bad .npy shape in " + header);
  for (size_t i = at + 1; i < close;) {
    while (i < close && (header[i] == ' ' || header[i] == ',')) ++i;
    if (i >= close) break;
    size_t used = 0;
    try {
      a.shape.push_back(std::stoll(header.substr(i, close - i), &used));
    } catch (const std::exception&) {
      throw npz_error(what + ": bad .npy shape in " + header);
    }
    if (a.shape.back() < 0) throw npz_error(what + ": negative dimension in .npy shape " + header);
    i += used;
  }
  uint64_t bytes_needed = mirt_dtype_size(a.dtype);
  for (int64_t d : a.shape)
    if (__builtin_mul_overflow(bytes_needed, static_cast<uint64_t>(d), &bytes_needed))
      throw npz_error(what + ": the .npy shape " + header.substr(at, close - at + 1) + " is too large");
  const uint64_t available = size - prefix - header_len;
  if (available != bytes_needed)
    throw npz_error(what + ": the array holds " + std::to_string(available) + " data bytes, its header (" + descr +
                    ", shape " + header.substr(at, close - at + 1) + ") needs " + std::to_string(bytes_needed));
  a.data.assign(bytes + prefix + header_len, bytes + size);
  return a;
}

std::vector<uint8_t> format_npy(const npy_array& a) {
  std::string shape;  // "(2, 3)", "(5,)", "()" as Python writes tuples
  for (size_t i = 0; i < a.shape.size(); ++i) shape += (i != 0 ? ", " : "") + std::to_string(a.shape[i]);
  if (a.shape.size() == 1) shape += ",";
  std::string header = "{'descr': '" + npy_descr(a.dtype) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // The data starts 64-byte aligned, as numpy writes it; the header ends with '\n'.
  const size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  put16(out, static_cast<uint32_t>(header.size()));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

std::vector<npy_array> read_npz(const std::string& path) {
  const std::vector<uint8_t> file = read_whole_file(path);
  const uint8_t* z = file.data();
  const uint64_t size = file.size();
  // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB at the end.
  int64_t eocd = -1;
  for (int64_t i = static_cast<int64_t>(size) - 22; i >= 0 && i >= static_cast<int64_t>(size) - 22 - 65535; --i)
    if (u32(z + i) == 0x06054b50u) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw npz_error("'" + path + "' is not an .npz file (no zip directory found; is it truncated, or a single .npy?)");
  uint64_t entries = u16(z + eocd + 10), cd_offset = u32(z + eocd + 16);
  if ((entries == 0xFFFFu || cd_offset == 0xFFFFFFFFu) && eocd >= 20 && u32(z + eocd - 20) == 0x07064b50u) {
    const uint64_t rec = u64(z + eocd - 20 + 8);  // zip64 end-of-central-directory record
    if (rec + 56 > size || u32(z + rec) != 0x06064b50u) throw npz_error("'" + path + "': bad zip64 directory record");
    entries = u64(z + rec + 32);
    cd_offset = u64(z + rec + 48);
  }

  std::vector<npy_array> arrays;
  std::set<std::string> names;
  uint64_t at = cd_offset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (at + 46 > size || u32(z + at) != 0x02014b50u) throw npz_error("'" + path + "': the zip directory is truncated or corrupt");
    const uint16_t flags = u16(z + at + 8), method = u16(z + at + 10);
    const uint32_t crc = u32(z + at + 16);
    uint64_t csize = u32(z + at + 20), usize = u32(z + at + 24), local = u32(z + at + 42);
    const uint16_t name_len = u16(z + at + 28), extra_len = u16(z + at + 30), comment_len = u16(z + at + 32);
    if (at + 46 + name_len + extra_len > size) throw npz_error("'" + path + "': the zip directory is truncated");
    const std::string entry(reinterpret_cast<const char*>(z + at + 46), name_len);
    const std::string what = "'" + path + "' entry '" + entry + "'";
    for (uint64_t x = at + 46 + name_len; x + 4 <= at + 46 + name_len + extra_len;) {
      const uint16_t id = u16(z + x), len = u16(z + x + 2);
      uint64_t f = x + 4;
      if (id == 0x0001) {  // zip64 sizes: present only where the 32-bit field is all ones
        if (usize == 0xFFFFFFFFu && f + 8 <= x + 4 + len) usize = u64(z + f), f += 8;
        if (csize == 0xFFFFFFFFu && f + 8 <= x + 4 + len) csize = u64(z + f), f += 8;
        if (local == 0xFFFFFFFFu && f + 8 <= x + 4 + len) local = u64(z + f);
      }
      x += 4 + len;
    }
    at += 46 + name_len + extra_len + comment_len;
    if (flags & 1u) throw npz_error(what + " is encrypted");
    if (local + 30 > size || u32(z + local) != 0x04034b50u) throw npz_error(what + ": bad local header (truncated file?)");
    const uint64_t data_at = local + 30 + u16(z + local + 26) + u16(z + local + 28);
    if (data_at + csize > size) throw npz_error(what + ": the data runs past the end of the file (truncated?)");
    std::vector<uint8_t> raw;
    if (method == 0) raw.assign(z + data_at, z + data_at + csize);
    else if (method == 8) raw = inflate_raw(z + data_at, csize, usize, what);
    else throw npz_error(what + ": zip compression method " + std::to_string(method) + " is not supported (use np.savez or np.savez_compressed)");
    if (crc32(0L, raw.data(), static_cast<uInt>(raw.size())) != crc) throw npz_error(what + ": CRC mismatch (corrupt data)");
    npy_array a = parse_npy(raw.data(), raw.size(), what);
    a.name = entry.size() > 4 && entry.compare(entry.size() - 4, 4, ".npy") == 0 ? entry.substr(0, entry.size() - 4) : entry;
    if (!names.insert(a.name).second) throw npz_error(what + ": the name '" + a.name + "' appears twice");
    arrays.push_back(std::move(a));
  }
  return arrays;
}

void write_npz(const std::string& path, const std::vector<npy_array>& arrays) {
  std::vector<uint8_t> zip, directory;
  std::set<std::string> names;
  for (const npy_array& a : arrays) {
    if (!names.insert(a.name).second) throw npz_error("write_npz: the name '" + a.name + "' appears twice");
    const std::vector<uint8_t> npy = format_npy(a);
    const std::string entry = a.name + ".npy";
    if (zip.size() + npy.size() + 4096 >= 0xFFFFFFFFull) throw npz_error("'" + path + "': archives over 4 GiB are not supported");
    const uint32_t crc = static_cast<uint32_t>(crc32(0L, npy.data(), static_cast<uInt>(npy.size())));
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    // Local header and central directory entry share the fields from "version needed" to the extra length.
    std::vector<uint8_t> common;
    put16(common, 20);      // version needed: 2.0
    put16(common, 0);       // flags
    put16(common, 0);       // stored
    put16(common, 0);       // time 00:00
    put16(common, 0x21);    // date 1980-01-01
    put32(common, crc);
    put32(common, static_cast<uint32_t>(npy.size()));
    put32(common, static_cast<uint32_t>(npy.size()));
    put16(common, static_cast<uint32_t>(entry.size()));
    put16(common, 0);       // extra length
    put32(zip, 0x04034b50u);
    zip.insert(zip.end(), common.begin(), common.end());
    zip.insert(zip.end(), entry.begin(), entry.end());
    zip.insert(zip.end(), npy.begin(), npy.end());
    put32(directory, 0x02014b50u);
    put16(directory, 20);   // version made by
    directory.insert(directory.end(), common.begin(), common.end());
    put16(directory, 0);    // comment length
    put16(directory, 0);    // disk
    put16(directory, 0);    // internal attributes
    put32(directory, 0);    // external attributes
    put32(directory, offset);
    directory.insert(directory.end(), entry.begin(), entry.end());
  }
  const uint32_t cd_offset = static_cast<uint32_t>(zip.size());
  zip.insert(zip.end(), directory.begin(), directory.end());
  put32(zip, 0x06054b50u);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, static_cast<uint32_t>(arrays.size()));
  put16(zip, static_cast<uint32_t>(arrays.size()));
  put32(zip, static_cast<uint32_t>(directory.size()));
  put32(zip, cd_offset);
  put16(zip, 0);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(zip.data()), static_cast<std::streamsize>(zip.size()));
  if (!out) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
}

}  // namespace mirt::cli
