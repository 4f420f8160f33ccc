# Finds cuDNN 9: under the CUDA toolkit (CUDNN_ROOT, CUDAToolkit_ROOT, /usr/local/cuda, system dirs)
# or, on the GPU machine that has no Debian packages, in Python's site-packages/nvidia/cudnn
# (the nvidia-cudnn-cu13 wheel PyTorch uses). Defines CUDNN::cudnn.
set(_cudnn_hints ${CUDNN_ROOT} $ENV{CUDNN_ROOT} ${CUDAToolkit_LIBRARY_ROOT} ${CUDAToolkit_ROOT} /usr/local/cuda)
find_program(_aws_python3 NAMES python3)
if(_aws_python3)
  # nvidia is a namespace package: __path__ lists every site-packages/nvidia folder.
  execute_process(COMMAND ${_aws_python3} -c "import nvidia, os; print(';'.join(os.path.join(p, 'cudnn') for p in nvidia.__path__))"
    OUTPUT_VARIABLE _cudnn_py OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _cudnn_py_rc)
  if(_cudnn_py_rc EQUAL 0)
    list(APPEND _cudnn_hints ${_cudnn_py})
    # The nvidia/ wheel roots, for siblings found the same way (cublas, nccl) by the caller.
    string(REPLACE "/cudnn" "" AWS_NVIDIA_WHEEL_DIRS "${_cudnn_py}")
  endif()
endif()
find_path(CUDNN_INCLUDE_DIR cudnn.h HINTS ${_cudnn_hints} PATH_SUFFIXES include)
# The wheel ships only libcudnn.so.9 (no unversioned link), so name it explicitly too.
find_library(CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 NAMES_PER_DIR HINTS ${_cudnn_hints} PATH_SUFFIXES lib64 lib lib/x64)
if(CUDNN_INCLUDE_DIR AND EXISTS ${CUDNN_INCLUDE_DIR}/cudnn_version.h)
  file(STRINGS ${CUDNN_INCLUDE_DIR}/cudnn_version.h _v REGEX "#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) +[0-9]+")
  string(REGEX REPLACE ".*CUDNN_MAJOR +([0-9]+).*" "\\1" _maj "${_v}")
  string(REGEX REPLACE ".*CUDNN_MINOR +([0-9]+).*" "\\1" _min "${_v}")
  string(REGEX REPLACE ".*CUDNN_PATCHLEVEL +([0-9]+).*" "\\1" _pat "${_v}")
  set(CUDNN_VERSION "${_maj}.${_min}.${_pat}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CUDNN REQUIRED_VARS CUDNN_LIBRARY CUDNN_INCLUDE_DIR VERSION_VAR CUDNN_VERSION)
if(CUDNN_FOUND AND NOT TARGET CUDNN::cudnn)
  add_library(CUDNN::cudnn UNKNOWN IMPORTED)
  set_target_properties(CUDNN::cudnn PROPERTIES IMPORTED_LOCATION ${CUDNN_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CUDNN_INCLUDE_DIR})
  get_filename_component(_cudnn_libdir ${CUDNN_LIBRARY} DIRECTORY)
  set(CUDNN_LIBRARY_DIR ${_cudnn_libdir})  # for the rpath: cuDNN dlopens its engine libraries beside it
endif()
