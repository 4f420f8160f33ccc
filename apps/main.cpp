// aws: the command line. Bad input (UserError), an OS error (std::filesystem / std::system_error: the
// path and strerror) or out of memory → one line on stderr and exit code 2; a missing flag value →
// "--flag needs a value"; an internal or library failure → one line and exit code 1; never a crash
// or a silent wrong answer.
#include <cstdio>
#include <exception>
#include <string>
#include <filesystem>
#include <new>
#include <string>
#include <system_error>

#include "apps/commands.h"
#include "engine/runtime/build_info.h"
#include "core/error.h"

namespace {

// The option taking a value in `app` or any subcommand, by its long name; null when none.
const CLI::Option* valued_option(const CLI::App& app, const std::string& name) {
  const CLI::Option* o = app.get_option_no_throw(name);
  if (o && o->get_expected_min() > 0) return o;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (const CLI::Option* found = valued_option(*sub, name)) return found;
  return nullptr;
}

// After a parse error: the first "--flag" that takes a value but is last or followed by another
// "--flag". CLI11 would otherwise take the next flag as the value and report it against the range
// check (with 300-digit bounds), or say "1 required FLOAT:FLOAT in [...] missing".
const char* flag_without_value(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.find('=') != std::string::npos) continue;
    if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) continue;
    if (valued_option(app, a)) return argv[i];
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aws: augmentation-wise weight sharing search engine (cpu and cuda backends)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every subcommand");
  // --version and `aws version`: revision, CUDA/cuDNN/oneDNN versions, compiled GPU architectures.
  app.set_version_flag("--version", [] {  // CLI11 adds the last newline
    std::string s = aws::build_info_text();
    s.pop_back();
    return s;
  }, "print the build's versions and exit");
  app.add_subcommand("version", "print the build's versions (as --version)")->callback([] {
    std::fputs(aws::build_info_text().c_str(), stdout);
  });
  try {
    aws::cli::add_train_commands(app);
    aws::cli::add_augment_command(app);
    aws::cli::add_bench_command(app);
    aws::cli::add_search_commands(app);
    aws::cli::add_export_command(app);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (const char* flag = flag_without_value(app, argc, argv)) {
        std::fprintf(stderr, "aws: %s needs a value\n", flag);
        return 2;
      }
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const aws::UserError& e) {
    std::fprintf(stderr, "aws: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    // The machine, not the engine: exit 2 like any other environment problem.
    std::fprintf(stderr, "aws: out of memory (a smaller --batch, --subset or model may fit)\n");
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // An OS error on a path the user named (--out on a file, a read-only mount): path and reason.
    std::fprintf(stderr, "aws: %s: %s\n", e.path1().c_str(), e.code().message().c_str());
    return 2;
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "aws: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aws: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
