// LR schedules against hand-computed values (SPEC §6 and §9 recipes, step milestones, Fast AutoAugment's
// ImageNet recipe) and the parser's rejections; the cosine against torch's CosineAnnealingLR is in
// tests/oracle/optim_torch_test.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "core/error.h"
#include "engine/optim/schedule.h"
#include "train/recipe.h"

using namespace aws;

TEST_CASE("schedule: SPEC §6 warm-up 0.05 -> 0.2 over one epoch, then cosine to 0.001") {
  LrSchedule s = parse_lr_schedule("cosine:0.001", "--lr-schedule");
  s.base = 0.2;
  s.warmup_from = 0.05;
  s.warmup = 100;  // one epoch of 100 iterations
  s.total = 1000;
  s.validate("--lr-schedule");
  CHECK(s.at(0) == doctest::Approx(0.05).epsilon(1e-15));
  CHECK(s.at(50) == doctest::Approx(0.125).epsilon(1e-15));
  CHECK(s.at(99) == doctest::Approx(0.1985).epsilon(1e-15));
  CHECK(s.at(100) == doctest::Approx(0.2).epsilon(1e-15));
  CHECK(s.at(325) == doctest::Approx(0.001 + 0.199 * (1 + std::sqrt(0.5)) / 2).epsilon(1e-14));
  CHECK(s.at(550) == doctest::Approx(0.1005).epsilon(1e-14));
  CHECK(s.at(1000) == doctest::Approx(0.001).epsilon(1e-14));
  CHECK(s.at(5000) == doctest::Approx(0.001).epsilon(1e-14));  // past the end: the floor
  // monotone within each phase
  for (int64_t i = 1; i < 100; ++i) CHECK(s.at(i) > s.at(i - 1));
  for (int64_t i = 101; i <= 1000; ++i) CHECK(s.at(i) < s.at(i - 1));
}

TEST_CASE("schedule: SPEC §9 warm-up 0.1 -> 0.4 over 1.5 epochs, then cosine to 0") {
  LrSchedule s = parse_lr_schedule("cosine", "--lr-schedule");
  s.base = 0.4;
  s.warmup_from = 0.1;
  s.warmup = 150;  // 1.5 epochs of 100 iterations
  s.total = 3150;
  s.validate("--lr-schedule");
  CHECK(s.floor == 0.0);
  CHECK(s.at(0) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.at(75) == doctest::Approx(0.25).epsilon(1e-15));
  CHECK(s.at(150) == doctest::Approx(0.4).epsilon(1e-15));
  CHECK(s.at(1650) == doctest::Approx(0.2).epsilon(1e-14));
  CHECK(std::abs(s.at(3150)) < 1e-15);
}

TEST_CASE("schedule: step milestones as fractions of the run, and constant") {
  LrSchedule s = parse_lr_schedule("step:0.5,0.75:0.1", "--lr-schedule");
  REQUIRE(s.kind == LrKind::step);
  REQUIRE(s.milestones.size() == 2);
  s.base = 0.1;
  s.total = 1000;
  CHECK(s.at(0) == 0.1);
  CHECK(s.at(499) == 0.1);
  CHECK(s.at(500) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.at(749) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.at(750) == doctest::Approx(0.001).epsilon(1e-15));
  CHECK(s.at(999) == doctest::Approx(0.001).epsilon(1e-15));

  LrSchedule w = parse_lr_schedule("step:0.5", "--lr-schedule");  // gamma defaults to 0.1
  w.base = 1.0;
  w.warmup = 10;
  w.warmup_from = 0.0;
  w.total = 110;  // milestone at 10 + round(0.5·100) = 60
  CHECK(w.at(5) == doctest::Approx(0.5));
  CHECK(w.at(59) == 1.0);
  CHECK(w.at(60) == doctest::Approx(0.1));

  LrSchedule c = parse_lr_schedule("constant", "--lr-schedule");
  c.base = 0.001;
  c.total = 50;
  for (int64_t i : {0, 1, 25, 49, 50, 1000}) CHECK(c.at(i) == 0.001);
}

TEST_CASE("schedule: bad strings and numbers are UserErrors naming the flag") {
  for (const char* bad : {"", "cosin", "constant:3", "cosine:x", "cosine:-1", "cosine:1:2", "step",
                          "step:", "step:0.5,0.4", "step:0,0.5", "step:0.5,1.5", "step:0.5:abc",
                          "step:0.5:-1", "step:0.5:0.1:3", "linear"}) {
    INFO("spec '", bad, "'");
    try {
      parse_lr_schedule(bad, "--stage1-schedule");
      FAIL("accepted");
    } catch (const UserError& e) {
      CHECK(std::string(e.what()).find("--stage1-schedule") == 0);
    }
  }
  LrSchedule s = parse_lr_schedule("cosine:0.5", "--sched");
  s.base = 0.1;  // floor above the peak
  s.total = 10;
  CHECK_THROWS_AS(s.validate("--sched"), UserError);
  s.floor = 0;
  s.warmup = 11;
  CHECK_THROWS_AS(s.validate("--sched"), UserError);
  s.warmup = 0;
  s.total = 0;
  CHECK_THROWS_AS(s.validate("--sched"), UserError);
  s.total = 10;
  s.validate("--sched");
  CHECK(s.str() == "cosine(0.1->0, 10 it)");
}

TEST_CASE("recipe faa-imagenet-resnet50: Fast AutoAugment's schedule, milestones at epochs 93, 183, 243") {
  const TrainRecipe r = train_recipe("faa-imagenet-resnet50");
  CHECK(r.epochs == 270);
  CHECK(r.batch == 512);
  CHECK(r.weight_decay == 1e-4);
  CHECK(r.nesterov);
  CHECK(r.label_smoothing == 0);
  CHECK(r.clip == 0);
  for (int64_t steps : {int64_t(2502), int64_t(7), int64_t(1)}) {  // ImageNet at batch 512; odd small counts
    CAPTURE(steps);
    LrSchedule s = parse_lr_schedule(r.schedule, "--schedule");  // what train_model builds from a recipe
    s.base = r.lr;
    s.total = steps * r.epochs;
    s.warmup = int64_t(r.warmup_epochs * double(steps) + 0.5);
    s.warmup_from = r.warmup_from;
    s.validate("--schedule");
    CHECK(s.at(0) == doctest::Approx(0.1).epsilon(1e-15));
    CHECK(s.at(3 * steps) == doctest::Approx(0.2).epsilon(1e-15));  // the warm-up's end: 0.1 · multiplier 2
    const double want[4] = {0.2, 0.02, 0.002, 0.0002};
    const int64_t at[3] = {93, 183, 243};
    for (int m = 0; m < 3; ++m) {
      CAPTURE(at[m]);
      CHECK(s.at(at[m] * steps - 1) == doctest::Approx(want[m]).epsilon(1e-12));
      CHECK(s.at(at[m] * steps) == doctest::Approx(want[m + 1]).epsilon(1e-12));
    }
    CHECK(s.at(270 * steps - 1) == doctest::Approx(0.0002).epsilon(1e-12));
  }
}
