// How one trajectory's augmentation follows p_θ, and what its PPO update sees (SPEC §8a):
//   paper   every image draws its pair from p_θ; the update sees the image counts (the paper's method).
//           The counts differ from N·p only by multinomial scatter, the signal limit of §8a.
//   sparse  a departure from the paper: the trajectory first draws M pairs i.i.d. from p_θ (counter RNG
//           keyed by seed, loop and slot), fine-tunes with each image drawing uniformly among those M,
//           and the update sees the multiplicities c_k of the M draws (per-pair advantage A·c_k/M,
//           whose gradient at θ_old is A/M·∇log P(draw): REINFORCE on the draw, with the paper's PPO
//           clip, KL stop and Adam). Trajectories then differ by whole pairs, not by scatter. The
//           baseline is the mean of the update's other K − 1 rewards (controller.h), not the EMA.
// And the planted-signal instrument: the reward minus cost × the share of the trajectory's images whose
// pair holds a chosen element, a known effect the search must find (e.g. "Invert:1" = 1 point for a
// full share), on top of the real reward and its real noise.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "augment/policy.h"
#include "search/controller.h"
#include "search/search_config.h"

namespace aws {

// The controller configuration of a search: K slots, its parameterization (--controller), the
// baseline of its mode.
PpoConfig search_ppo_config(const SearchConfig& cfg);

// A policy of the search: the uniform policy's base augmentation around `probs`.
Policy searched_policy(const std::vector<double>& probs);

enum class SearchMode { paper, sparse };
SearchMode parse_search_mode(const std::string& s);  // UserError naming --mode
const char* search_mode_name(SearchMode m);

// The pair probabilities a trajectory fine-tunes under, and (sparse) the multiplicities of its draw.
struct TrajectoryDraw {
  std::vector<double> probs;
  std::vector<int64_t> draw;  // empty in paper mode
};
TrajectoryDraw draw_trajectory(SearchMode mode, const std::vector<double>& probs, int sparse_pairs, uint64_t seed,
                               uint32_t loop, uint32_t slot);

// The counts the PPO update sees: the image counts (paper) or the draw (sparse).
const std::vector<int64_t>& update_counts(const TrajectoryDraw& d, const std::vector<int64_t>& image_counts);

struct PlantedSignal {
  int element = -1;  // -1: none
  double cost = 0;   // reward points for a full share of images
  bool active() const { return element >= 0; }
};
// "" → none; "ELEMENT:COST" with an official element name and a finite cost. UserError naming --plant.
PlantedSignal parse_plant(const std::string& s);
// cost × (images whose pair holds the element) / (all counted images); 0 when nothing was counted.
double planted_penalty(const PlantedSignal& p, const std::vector<int64_t>& image_counts);

}  // namespace aws
