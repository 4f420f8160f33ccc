# Finds NCCL: under the CUDA toolkit / system dirs, or in Python's site-packages/nvidia/nccl (the
# GPU machine's nvidia-nccl-cu13 wheel). Defines NCCL::nccl. Not used by the single-GPU build yet.
set(_nccl_hints ${NCCL_ROOT} $ENV{NCCL_ROOT} ${CUDAToolkit_LIBRARY_ROOT} /usr/local/cuda)
find_program(_aws_python3 NAMES python3)
if(_aws_python3)
  execute_process(COMMAND ${_aws_python3} -c "import nvidia, os; print(';'.join(os.path.join(p, 'nccl') for p in nvidia.__path__))"
    OUTPUT_VARIABLE _nccl_py OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _nccl_py_rc)
  if(_nccl_py_rc EQUAL 0)
    list(APPEND _nccl_hints ${_nccl_py})
  endif()
endif()
find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${_nccl_hints} PATH_SUFFIXES include)
find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 HINTS ${_nccl_hints} PATH_SUFFIXES lib64 lib)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NCCL REQUIRED_VARS NCCL_LIBRARY NCCL_INCLUDE_DIR)
if(NCCL_FOUND AND NOT TARGET NCCL::nccl)
  add_library(NCCL::nccl UNKNOWN IMPORTED)
  set_target_properties(NCCL::nccl PROPERTIES IMPORTED_LOCATION ${NCCL_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${NCCL_INCLUDE_DIR})
endif()
