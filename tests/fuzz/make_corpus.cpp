// Writes the fuzzers' seed corpora (tests/fuzz/corpus/<name>/): a few small valid inputs per parser,
// in each fuzzer's input framing (see the *_fuzz.cpp headers). Built as aws_fuzz_make_corpus in the
// fuzz build; run as `aws_fuzz_make_corpus tests/fuzz/corpus` when a format changes, then commit.
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "engine/io/checkpoint.h"
#include "search/search_config.h"

namespace {

using Bytes = std::vector<uint8_t>;

void write(const std::string& path, const Bytes& b) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(b.data(), 1, b.size(), f) != b.size()) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fclose(f);
}

void be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

Bytes gzip(const Bytes& in) {
  Bytes out(compressBound(uLong(in.size())) + 64);
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = uInt(in.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// idx_fuzz framing: u16 image-file length, image file, label file.
Bytes idx_input(const Bytes& img, const Bytes& lbl) {
  Bytes b = {uint8_t(img.size()), uint8_t(img.size() >> 8)};
  b.insert(b.end(), img.begin(), img.end());
  b.insert(b.end(), lbl.begin(), lbl.end());
  return b;
}

void chunk(Bytes& png, const char* type, const Bytes& body) {
  be32(png, uint32_t(body.size()));
  Bytes tb(type, type + 4);
  tb.insert(tb.end(), body.begin(), body.end());
  png.insert(png.end(), tb.begin(), tb.end());
  be32(png, uint32_t(crc32(0, tb.data(), uInt(tb.size()))));
}

// A PNG written by hand (8-bit, colour type ct: 0 gray, 2 RGB, 6 RGBA), every row filter 0; `w`, `h`
// in the header may lie about the pixel data (for the size-cap seed).
Bytes png(uint32_t w, uint32_t h, int ct, int data_rows, int data_w) {
  const int ch = ct == 0 ? 1 : ct == 2 ? 3 : 4;
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes ihdr;
  be32(ihdr, w), be32(ihdr, h);
  ihdr.insert(ihdr.end(), {8, uint8_t(ct), 0, 0, 0});
  chunk(b, "IHDR", ihdr);
  Bytes raw;
  for (int y = 0; y < data_rows; ++y) {
    raw.push_back(0);
    for (int x = 0; x < data_w * ch; ++x) raw.push_back(uint8_t(x * 31 + y * 17));
  }
  Bytes z(compressBound(uLong(raw.size())));
  uLongf zn = uLongf(z.size());
  compress(z.data(), &zn, raw.data(), uLong(raw.size()));
  z.resize(zn);
  chunk(b, "IDAT", z);
  chunk(b, "IEND", {});
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir with idx/, cifar/, checkpoint/, config/, image/, idx_gzip/>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  // IDX: 3 images of 4×5, labels 0..9 range; plain and gzip-compressed.
  Bytes img, lbl;
  be32(img, 0x803), be32(img, 3), be32(img, 4), be32(img, 5);
  for (int i = 0; i < 60; ++i) img.push_back(uint8_t(i * 7));
  be32(lbl, 0x801), be32(lbl, 3);
  lbl.insert(lbl.end(), {9, 0, 3});
  write(dir + "/idx/plain", idx_input(img, lbl));
  write(dir + "/idx/gzip", idx_input(gzip(img), gzip(lbl)));
  Bytes one_img, one_lbl;
  be32(one_img, 0x803), be32(one_img, 1), be32(one_img, 1), be32(one_img, 1);
  one_img.push_back(255);
  be32(one_lbl, 0x801), be32(one_lbl, 1);
  one_lbl.push_back(5);
  write(dir + "/idx/one", idx_input(one_img, one_lbl));

  // CIFAR: mode byte (bit 0 = CIFAR-100, bits 1.. = expected records) then records.
  for (int hundred = 0; hundred < 2; ++hundred) {
    Bytes b = {uint8_t(hundred | (2 << 1))};
    for (int r = 0; r < 2; ++r) {
      if (hundred) b.push_back(uint8_t(7 + r));
      b.push_back(uint8_t(hundred ? 42 + r : 3 + r));
      for (int k = 0; k < 3072; ++k) b.push_back(uint8_t(k * 13 + r));
    }
    write(dir + (hundred ? "/cifar/cifar100" : "/cifar/cifar10"), b);
  }

  // Checkpoints: an empty one and one with a few blobs of different dtypes and ranks.
  aws::CheckpointData empty;
  write(dir + "/checkpoint/empty", aws::checkpoint_serialize(empty));
  aws::CheckpointData d;
  d.kind = "model-state";
  d.meta_json = R"({"model":"resnet20","epoch":1})";
  float w[6] = {1, -2, 3.5f, 0, 1e-3f, -7};
  int32_t idx[3] = {0, 5, 9};
  double s = 0.25;
  d.blobs.push_back(aws::Blob::of("w", aws::DType::f32, {2, 3}, w));
  d.blobs.push_back(aws::Blob::of("idx", aws::DType::i32, {3}, idx));
  d.blobs.push_back(aws::Blob::of("s", aws::DType::f64, {}, &s));
  d.blobs.push_back(aws::Blob::of("none", aws::DType::u8, {0}, nullptr));
  write(dir + "/checkpoint/model", aws::checkpoint_serialize(d));

  // config.json: the default configuration, as a run directory holds it.
  std::string cfg = aws::SearchConfig{}.to_json().dump(2) + "\n";
  write(dir + "/config/default.json", Bytes(cfg.begin(), cfg.end()));

  // PNG: gray 4x3, RGB 5x2, RGBA 2x2, and a header claiming 20000x20000 (refused by the size cap).
  write(dir + "/image/png-gray", png(4, 3, 0, 3, 4));
  write(dir + "/image/png-rgb", png(5, 2, 2, 2, 5));
  write(dir + "/image/png-rgba", png(2, 2, 6, 2, 2));
  write(dir + "/image/png-huge-header", png(20000, 20000, 0, 2, 4));

  // idx_gzip framing: a selector byte (even: images, odd: labels), then the file (gzip or plain);
  // and a small bomb: the header declares 1 image of 4x5, the stream holds 64 KiB more.
  auto framed = [](uint8_t sel, const Bytes& f) {
    Bytes b = {sel};
    b.insert(b.end(), f.begin(), f.end());
    return b;
  };
  write(dir + "/idx_gzip/images", framed(0, gzip(img)));
  write(dir + "/idx_gzip/labels", framed(1, gzip(lbl)));
  write(dir + "/idx_gzip/plain", framed(0, img));
  Bytes bomb;
  be32(bomb, 0x803), be32(bomb, 1), be32(bomb, 4), be32(bomb, 5);
  bomb.resize(bomb.size() + 20 + 65536, 0);
  write(dir + "/idx_gzip/bomb", framed(0, gzip(bomb)));
  return 0;
}
