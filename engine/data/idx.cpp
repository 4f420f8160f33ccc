// IDX parsing (see idx.h). All reads go through bounds-checked helpers on (pointer, length).
#include "engine/data/idx.h"

#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "engine/io/read_file.h"

namespace aws {

namespace {

constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
// A Fashion-MNIST training image file inflates to 47 MB; allow generous room for larger IDX sets.
constexpr size_t kMaxInflated = size_t(4) << 30;

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// Reads the magic and `ndim` dimensions; returns the header size.
size_t read_header(const uint8_t* data, size_t len, const std::string& name, uint32_t magic,
                   int ndim, uint32_t* dims) {
  size_t header = 4 + 4 * size_t(ndim);
  if (len < 4) throw UserError(name + ": truncated: " + std::to_string(len) + " bytes, no IDX magic");
  uint32_t m = be32(data);
  if (m != magic) throw UserError(name + ": magic " + hex32(m) + ", expected " + hex32(magic));
  if (len < header)
    throw UserError(name + ": truncated header: " + std::to_string(len) + " bytes, expected " +
                    std::to_string(header));
  for (int i = 0; i < ndim; ++i) dims[i] = be32(data + 4 + 4 * i);
  return header;
}

void check_payload(const std::string& name, const char* what, size_t have, uint64_t n,
                   uint64_t per_item) {
  // have / per_item == n exactly, without forming n * per_item (which may overflow).
  if (per_item == 0 || have % per_item != 0 || have / per_item != n) {
    uint64_t records = per_item ? have / per_item : 0;
    throw UserError(name + ": " + what + " count " + std::to_string(n) + " in header but the file holds " +
                    std::to_string(have) + " data bytes (" + std::to_string(records) + " " + what + "s" +
                    (records < n ? ", truncated)" : ", extra bytes)"));
  }
}

// An IDX file's bytes, inflated when they are gzip: first only the header, then the stream up to the
// size that header declares (header + product of the dims) and not a byte more, so a small .gz
// cannot make us inflate gigabytes before the size mismatch is seen. Plain files are read whole
// (their size is the file's own; the parse that follows reports a mismatch in detail).
std::vector<uint8_t> inflate_idx(const std::vector<uint8_t>& raw, const std::string& path, uint32_t magic,
                                 int ndim) {
  if (!is_gzip(raw.data(), raw.size())) return raw;
  const size_t header = 4 + 4 * size_t(ndim);
  std::vector<uint8_t> head = gunzip_prefix(raw.data(), raw.size(), path, header);
  uint32_t dims[3];
  read_header(head.data(), head.size(), path, magic, ndim, dims);
  // The payload, stepwise so that the product cannot overflow before it is compared with the cap.
  uint64_t payload = 1;
  bool over = false;
  std::string shape;
  for (int i = 0; i < ndim; ++i) {
    shape += (i ? "x" : "") + std::to_string(dims[i]);
    if (dims[i] != 0 && payload > (kMaxInflated - header) / dims[i]) over = true;
    else payload *= dims[i];
  }
  if (over)
    throw UserError(path + ": its IDX header declares " + shape + " bytes of data, more than the " +
                    std::to_string(kMaxInflated >> 30) + " GiB this reader accepts");
  return gunzip_bytes(raw.data(), raw.size(), path, size_t(header + payload),
                      "its IDX header declares " + shape + " = " + std::to_string(payload) +
                          " data bytes after the " + std::to_string(header) + "-byte header");
}

}  // namespace

Dataset idx_parse(const uint8_t* images, size_t images_len, const std::string& images_name,
                  const uint8_t* labels, size_t labels_len, const std::string& labels_name,
                  int num_classes, int expect_h, int expect_w) {
  AWS_ASSERT(num_classes > 0 && num_classes <= 65536, "idx_parse: bad num_classes");
  uint32_t idims[3], ldims[1];
  size_t ih = read_header(images, images_len, images_name, kIdxImagesMagic, 3, idims);
  size_t lh = read_header(labels, labels_len, labels_name, kIdxLabelsMagic, 1, ldims);
  const char* dim_names[3] = {"count", "rows", "cols"};
  for (int i = 1; i < 3; ++i)
    if (idims[i] == 0 || idims[i] > 65535)
      throw UserError(images_name + ": " + dim_names[i] + " " + std::to_string(idims[i]) +
                      " out of range 1..65535");
  if (expect_h > 0 && int64_t(idims[1]) != expect_h)
    throw UserError(images_name + ": rows " + std::to_string(idims[1]) + ", expected " +
                    std::to_string(expect_h));
  if (expect_w > 0 && int64_t(idims[2]) != expect_w)
    throw UserError(images_name + ": cols " + std::to_string(idims[2]) + ", expected " +
                    std::to_string(expect_w));
  if (idims[0] == 0) throw UserError(images_name + ": count 0, the file holds no images");
  uint64_t per_image = uint64_t(idims[1]) * idims[2];
  check_payload(images_name, "image", images_len - ih, idims[0], per_image);
  check_payload(labels_name, "label", labels_len - lh, ldims[0], 1);
  if (ldims[0] != idims[0])
    throw UserError(labels_name + ": count " + std::to_string(ldims[0]) + " labels but " + images_name +
                    " holds " + std::to_string(idims[0]) + " images");

  Dataset d;
  d.n = idims[0];
  d.h = int(idims[1]);
  d.w = int(idims[2]);
  d.c = 1;
  d.num_classes = num_classes;
  d.labels.resize(size_t(d.n));
  for (int64_t i = 0; i < d.n; ++i) {
    uint8_t y = labels[lh + size_t(i)];
    if (y >= num_classes)
      throw UserError(labels_name + ": label " + std::to_string(y) + " at index " + std::to_string(i) +
                      " out of range 0.." + std::to_string(num_classes - 1));
    d.labels[size_t(i)] = y;
  }
  d.images.assign(images + ih, images + ih + size_t(d.n) * per_image);
  return d;
}

Dataset idx_load(const std::string& images_path, const std::string& labels_path, int num_classes,
                 int expect_h, int expect_w) {
  std::vector<uint8_t> img = inflate_idx(read_file_bytes(images_path), images_path, kIdxImagesMagic, 3);
  std::vector<uint8_t> lbl = inflate_idx(read_file_bytes(labels_path), labels_path, kIdxLabelsMagic, 1);
  return idx_parse(img.data(), img.size(), images_path, lbl.data(), lbl.size(), labels_path,
                   num_classes, expect_h, expect_w);
}

std::vector<uint8_t> idx_inflate(const uint8_t* data, size_t n, const std::string& name, bool images) {
  return images ? inflate_idx(std::vector<uint8_t>(data, data + n), name, kIdxImagesMagic, 3)
                : inflate_idx(std::vector<uint8_t>(data, data + n), name, kIdxLabelsMagic, 1);
}

}  // namespace aws
