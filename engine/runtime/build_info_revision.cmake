# Writes OUT (aws_revision.h) with the git revision of the source tree SRC; the aws_revision target runs
# it at every build, and the header changes (so build_info.cpp recompiles) only when the revision does.
# A tree without .git (CI's `git archive` copy) is told its revision by the AWS_GIT_REVISION
# environment variable or a file .git-revision at its root. "-dirty" marks uncommitted changes.
set(rev "")
if(DEFINED ENV{AWS_GIT_REVISION} AND NOT "$ENV{AWS_GIT_REVISION}" STREQUAL "")
  set(rev "$ENV{AWS_GIT_REVISION}")
elseif(EXISTS "${SRC}/.git-revision")
  file(STRINGS "${SRC}/.git-revision" rev LIMIT_COUNT 1)
elseif(EXISTS "${SRC}/.git")
  find_program(GIT_EXECUTABLE git)
  if(GIT_EXECUTABLE)
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" rev-parse --short=12 HEAD
      OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
    if(NOT rc EQUAL 0)
      set(rev "")
    else()
      execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" diff --quiet HEAD -- RESULT_VARIABLE dirty ERROR_QUIET)
      if(NOT dirty EQUAL 0)
        string(APPEND rev "-dirty")
      endif()
    endif()
  endif()
endif()
if(rev STREQUAL "")
  set(rev "unknown")
endif()
string(REGEX REPLACE "[^A-Za-z0-9._+-]" "_" rev "${rev}")  # a C string literal whatever it held
file(CONFIGURE OUTPUT "${OUT}" CONTENT "// Written by engine/runtime/build_info_revision.cmake.\n#define AWS_GIT_REVISION \"${rev}\"\n")
