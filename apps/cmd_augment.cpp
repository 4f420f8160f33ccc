// `aws augment`: apply one element or a pair-op to a PNG, draw a preview grid of the element space
// on a dataset, and export a built-in policy as a policy file. Bad input → UserError naming the flag:
// a flag that does not apply (--signs without --pair, --sign with --pair) or a - sign on an unsigned
// element is an error, never silently ignored. Outputs are written atomically (write_png).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "augment/builtin_policies.h"
#include "augment/elements.h"
#include "engine/io/image_io.h"
#include "augment/policy_json.h"
#include "core/error.h"
#include "engine/data/registry.h"

namespace aws::cli {

namespace {

int parse_sign(const std::string& s, const std::string& flag) {
  if (s == "+" || s == "+1" || s == "1") return 1;
  if (s == "-" || s == "-1") return -1;
  throw UserError(flag + " " + s + ": a sign is + or -");
}

// An element by official name or by index 0..35.
int parse_element(const std::string& s, const std::string& flag) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    int i = s.size() <= 2 ? std::stoi(s) : 99;
    if (i >= kNumElements) throw UserError(flag + " " + s + ": element index must be in [0, 35]");
    return i;
  }
  try {
    return element_index(s);
  } catch (const UserError& e) {
    throw UserError(flag + ": " + e.what());
  }
}

std::vector<std::string> split2(const std::string& s, const std::string& flag) {
  auto comma = s.find(',');
  if (comma == std::string::npos || s.find(',', comma + 1) != std::string::npos)
    throw UserError(flag + " " + s + ": expected two values separated by a comma");
  return {s.substr(0, comma), s.substr(comma + 1)};
}

struct ApplyArgs {
  std::string element, sign, pair, signs, in, out;  // sign/signs empty: not given (then +)
};

// A sign for element `e`: - only where the element has a direction (is_signed).
int parse_sign_for(const std::string& s, int e, const std::string& flag) {
  int sign = parse_sign(s, flag);
  if (sign < 0 && !element_info(e).is_signed)
    throw UserError(flag + " " + s + ": element " + element_info(e).name + " is unsigned (it has no - direction)");
  return sign;
}

void run_apply(const ApplyArgs& a) {
  std::vector<int> ops, signs;
  if (!a.element.empty() == !a.pair.empty()) throw UserError("augment apply: give exactly one of --element or --pair");
  if (!a.element.empty()) {
    if (!a.signs.empty()) throw UserError("--signs " + a.signs + ": --signs goes with --pair; for --element use --sign");
    ops = {parse_element(a.element, "--element")};
    signs = {parse_sign_for(a.sign.empty() ? "+" : a.sign, ops[0], "--sign")};
  } else {
    if (!a.sign.empty()) throw UserError("--sign " + a.sign + ": --sign goes with --element; for --pair use --signs S1,S2");
    auto p = split2(a.pair, "--pair");
    auto s = split2(a.signs.empty() ? "+,+" : a.signs, "--signs");
    ops = {parse_element(p[0], "--pair"), parse_element(p[1], "--pair")};
    signs = {parse_sign_for(s[0], ops[0], "--signs"), parse_sign_for(s[1], ops[1], "--signs")};
  }
  Image img = read_image(a.in);
  std::vector<uint8_t> tmp(img.pixels.size());
  for (size_t t = 0; t < ops.size(); ++t) {
    apply_element(ops[t], signs[t], img.pixels.data(), tmp.data(), img.h, img.w, img.c);
    img.pixels.swap(tmp);
  }
  write_png(a.out, img);
}

struct PreviewArgs {
  std::string data = "fashion-mnist", data_dir, out;
  int rows = 8, scale = 2;
};

// Rows: the first image of each class (up to --rows); columns: the original, then every element,
// with + and − where signed. Cells are separated by a 2-pixel dark-gray gap.
void run_preview(const PreviewArgs& a) {
  if (a.rows < 1 || a.rows > 100) throw UserError("--rows " + std::to_string(a.rows) + ": must be in [1, 100]");
  if (a.scale < 1 || a.scale > 16) throw UserError("--scale " + std::to_string(a.scale) + ": must be in [1, 16]");
  Dataset ds = load_dataset(a.data, a.data_dir, /*train=*/true);
  if (ds.streamed()) throw UserError("--data " + a.data + ": preview needs decoded images; use folder,size=S");
  std::vector<int64_t> pick;
  std::vector<bool> seen(size_t(std::max(ds.num_classes, 1)), false);
  for (int64_t i = 0; i < ds.n && int(pick.size()) < a.rows; ++i) {
    int l = ds.labels.empty() ? 0 : ds.labels[size_t(i)];
    if (l >= 0 && l < int(seen.size()) && !seen[size_t(l)]) seen[size_t(l)] = true, pick.push_back(i);
  }
  for (int64_t i = 0; i < ds.n && int(pick.size()) < a.rows; ++i)
    if (std::find(pick.begin(), pick.end(), i) == pick.end()) pick.push_back(i);
  struct Col { int elem, sign; };
  std::vector<Col> cols{{-1, 1}};
  for (int e = 0; e < kNumElements; ++e) {
    cols.push_back({e, 1});
    if (element_info(e).is_signed) cols.push_back({e, -1});
  }
  const int gap = 2, ch = ds.h * a.scale, cw = ds.w * a.scale, c = ds.c;
  Image grid;
  grid.c = c;
  grid.h = int(pick.size()) * (ch + gap) + gap;
  grid.w = int(cols.size()) * (cw + gap) + gap;
  grid.pixels.assign(size_t(grid.h) * grid.w * c, 48);
  std::vector<uint8_t> cell(ds.image_bytes());
  for (size_t r = 0; r < pick.size(); ++r)
    for (size_t k = 0; k < cols.size(); ++k) {
      const uint8_t* src = ds.image(pick[r]);
      if (cols[k].elem >= 0) apply_element(cols[k].elem, cols[k].sign, src, cell.data(), ds.h, ds.w, c);
      else std::copy(src, src + cell.size(), cell.begin());
      const int oy = gap + int(r) * (ch + gap), ox = gap + int(k) * (cw + gap);
      for (int y = 0; y < ch; ++y)
        for (int x = 0; x < cw; ++x)
          for (int q = 0; q < c; ++q)
            grid.pixels[(size_t(oy + y) * grid.w + ox + x) * c + q] =
                cell[(size_t(y / a.scale) * ds.w + x / a.scale) * c + q];
    }
  write_png(a.out, grid);
  std::printf("%s: %zu images x %zu columns (original, then the 36 elements; signed ones as + and -)\n",
              a.out.c_str(), pick.size(), cols.size());
}

}  // namespace

void add_augment_command(CLI::App& app) {
  auto* aug = app.add_subcommand("augment", "apply augmentation elements to images; preview the element space");
  aug->require_subcommand(1);

  auto apply = std::make_shared<ApplyArgs>();
  auto* ap = aug->add_subcommand("apply", "apply one element (--element) or a pair-op (--pair) to a PNG");
  ap->add_option("--element", apply->element, "element name (e.g. Rotate_mag10) or index 0..35");
  ap->add_option("--sign", apply->sign, "+ or - (signed elements only; default +)");
  ap->add_option("--pair", apply->pair, "I,J: element I then element J (names or indices)");
  ap->add_option("--signs", apply->signs, "S1,S2: signs of the pair's two elements (default +,+)");
  ap->add_option("IN", apply->in, "input PNG (gray or RGB)")->required();
  ap->add_option("OUT", apply->out, "output PNG (same mode as the input)")->required();
  ap->callback([apply] { run_apply(*apply); });

  auto prev = std::make_shared<PreviewArgs>();
  auto* pv = aug->add_subcommand("preview", "a PNG grid: sample images x every element and sign");
  pv->add_option("--data", prev->data, "fashion-mnist | cifar10 | cifar100 | folder[,size=S][,skip-bad]:DIR");
  pv->add_option("--data-dir", prev->data_dir, "dataset folder (default: the dataset's usual place)");
  pv->add_option("--out", prev->out, "output PNG")->required();
  pv->add_option("--rows", prev->rows, "number of sample images (default 8)");
  pv->add_option("--scale", prev->scale, "pixel magnification (default 2)");
  pv->callback([prev] { run_preview(*prev); });

  auto exp = std::make_shared<std::pair<std::string, std::string>>();
  auto* ex = aug->add_subcommand("export", "write a policy (built-in name or file) as a policy.json");
  ex->add_option("--policy", exp->first, "built-in policy name or policy file")->required();
  ex->add_option("--out", exp->second, "output policy.json")->required();
  ex->callback([exp] { write_policy_json(exp->second, load_policy(exp->first)); });
}

}  // namespace aws::cli
