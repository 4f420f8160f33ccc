// aws: the command line (placeholder until the subcommands land).
#include <cstdio>
int main() { std::puts("aws"); return 0; }
