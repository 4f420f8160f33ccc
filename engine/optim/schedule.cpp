#include "engine/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <sstream>

#include "core/error.h"

namespace aws {

double LrSchedule::at(int64_t it) const {
  if (it < 0) it = 0;
  if (it < warmup) return warmup_from + (base - warmup_from) * double(it) / double(warmup);
  const int64_t span = total - warmup;
  const int64_t e = std::min(it - warmup, span);
  switch (kind) {
    case LrKind::constant: return base;
    case LrKind::step: {
      double lr = base;
      for (double f : milestones)
        if (e >= std::llround(f * double(span))) lr *= gamma;
      return lr;
    }
    case LrKind::cosine:
      if (span <= 0) return floor;
      return floor + (base - floor) * (1.0 + std::cos(std::numbers::pi * double(e) / double(span))) / 2.0;
  }
  return base;
}

void LrSchedule::validate(const std::string& flag) const {
  auto bad = [&](const std::string& why) { throw UserError(flag + ": " + why); };
  if (!(base > 0) || !std::isfinite(base)) bad("the learning rate must be a positive number");
  if (total < 1) bad("the schedule needs at least one iteration");
  if (warmup < 0 || warmup > total) bad("the warm-up must be between 0 and the run's iterations");
  if (!(warmup_from >= 0) || !std::isfinite(warmup_from)) bad("the warm-up start must be >= 0");
  if (kind == LrKind::cosine && !(floor >= 0 && floor <= base)) bad("the cosine floor must be in [0, lr]");
}

std::string LrSchedule::str() const {
  std::ostringstream s;
  if (warmup > 0) s << "warmup(" << warmup_from << "->" << base << ", " << warmup << " it) + ";
  const int64_t span = total - warmup;
  switch (kind) {
    case LrKind::constant: s << "constant(" << base << ")"; break;
    case LrKind::cosine: s << "cosine(" << base << "->" << floor << ", " << span << " it)"; break;
    case LrKind::step:
      s << "step(" << base << ", gamma " << gamma << " at";
      for (double f : milestones) s << " " << f;
      s << ")";
      break;
  }
  return s.str();
}

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

double parse_number(const std::string& s, const std::string& flag, const std::string& what) {
  const char* b = s.c_str();
  char* end = nullptr;
  double v = std::strtod(b, &end);
  if (s.empty() || end != b + s.size() || !std::isfinite(v))
    throw UserError(flag + ": '" + s + "' is not a number (" + what + ")");
  return v;
}

}  // namespace

LrSchedule parse_lr_schedule(const std::string& spec, const std::string& flag) {
  const std::string usage = " (expected constant, cosine[:FLOOR] or step:F1,F2,...[:GAMMA])";
  std::vector<std::string> parts = split(spec, ':');
  LrSchedule s;
  const std::string& name = parts[0];
  if (name == "constant" && parts.size() == 1) {
    s.kind = LrKind::constant;
  } else if (name == "cosine" && parts.size() <= 2) {
    s.kind = LrKind::cosine;
    if (parts.size() == 2) s.floor = parse_number(parts[1], flag, "cosine floor");
    if (!(s.floor >= 0)) throw UserError(flag + ": the cosine floor must be >= 0");
  } else if (name == "step" && (parts.size() == 2 || parts.size() == 3)) {
    s.kind = LrKind::step;
    double prev = 0;
    for (const std::string& m : split(parts[1], ',')) {
      double f = parse_number(m, flag, "milestone");
      if (!(f > prev && f < 1))
        throw UserError(flag + ": milestones must be increasing fractions in (0, 1), got '" + m + "'");
      s.milestones.push_back(f);
      prev = f;
    }
    if (parts.size() == 3) s.gamma = parse_number(parts[2], flag, "gamma");
    if (!(s.gamma > 0)) throw UserError(flag + ": gamma must be > 0");
  } else {
    throw UserError(flag + ": unknown schedule '" + spec + "'" + usage);
  }
  return s;
}

}  // namespace aws
