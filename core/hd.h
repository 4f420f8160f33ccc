// AWS_HD marks arithmetic written once and run by both backends ("one body, two launchers"):
// __host__ __device__ under nvcc, plain inline under the host compiler.
#pragma once
#if defined(__CUDACC__)
#define AWS_HD __host__ __device__ __forceinline__
#else
#define AWS_HD inline
#endif
