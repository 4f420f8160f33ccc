// `aws report RUN`: one self-contained HTML page (inline SVG, no scripts, no external files) from a
// run directory: reward and baseline per loop, entropy of p per loop, the 36×36 heat map of the
// final policy with element names, the top-25 pairs, and the time per stage.
#pragma once
#include <string>

namespace aws {

// The page's text for the run directory `dir` (needs config.json, log.jsonl and policy.json).
std::string search_report_html(const std::string& dir);

// Writes search_report_html(dir) atomically to `out` (default dir/report.html); returns the path.
std::string write_search_report(const std::string& dir, const std::string& out = "");

}  // namespace aws
