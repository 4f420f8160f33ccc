// aws: the command line. Bad input (UserError) → one line on stderr and exit code 2; an internal or
// library failure → one line and exit code 1; never a crash or a silent wrong answer.
#include <cstdio>
#include <exception>

#include "apps/commands.h"
#include "engine/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"aws: augmentation-wise weight sharing search engine (cpu and cuda backends)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every subcommand");
  try {
    aws::cli::add_train_commands(app);
    aws::cli::add_augment_command(app);
    aws::cli::add_bench_command(app);
    aws::cli::add_search_commands(app);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const aws::UserError& e) {
    std::fprintf(stderr, "aws: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aws: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
