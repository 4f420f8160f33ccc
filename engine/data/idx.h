// IDX files (LeCun's MNIST format, used by Fashion-MNIST): a big-endian header (magic 0x0000080N with
// N dimensions, type byte 0x08 = unsigned byte) followed by the raw bytes. Images (idx3) become uint8
// NHWC with c = 1; labels (idx1) become int32. Every field is checked against the bytes present, so
// a header never makes us read past the buffer or allocate more than the file holds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace aws {

// Parses an idx3 image file and an idx1 label file already in memory (uncompressed). `images_name`
// and `labels_name` name the sources in error messages. Checks magic, dimensions (each in 1..65535
// for images), exact payload sizes, equal counts and labels < num_classes; throws UserError
// "<file>: <field> ..." otherwise. If expect_h/expect_w > 0 the image size must match them.
Dataset idx_parse(const uint8_t* images, size_t images_len, const std::string& images_name,
                  const uint8_t* labels, size_t labels_len, const std::string& labels_name,
                  int num_classes, int expect_h = 0, int expect_w = 0);

// One IDX file's bytes (idx3 images when `images`, else idx1 labels), inflated when they are gzip:
// the header first, then no more than the header + product(dims) bytes it declares (at most 4 GiB),
// so a small .gz cannot inflate to gigabytes before the mismatch is seen. Plain bytes are returned
// as they are. UserError "<name>: ..." for a bad magic, a header over the cap, or too much data.
std::vector<uint8_t> idx_inflate(const uint8_t* data, size_t n, const std::string& name, bool images);

// Reads the two files (gzip or uncompressed, detected from the bytes) and parses them.
Dataset idx_load(const std::string& images_path, const std::string& labels_path, int num_classes,
                 int expect_h = 0, int expect_w = 0);

}  // namespace aws
