#include "topoembed/diff/compute_threads.hpp"

#include <dlfcn.h>

#include <ATen/Parallel.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace topoembed::diff {

namespace {

using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();

// OpenBLAS's entry points, looked up in the symbols already loaded (LibTorch and src/diff load the
// BLAS): null with the reference BLAS, BLIS or MKL, which then keep their own settings.
SetThreadsFn openblas_setter() {
  return reinterpret_cast<SetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
}

GetThreadsFn openblas_getter() {
  return reinterpret_cast<GetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
}

// An OPENBLAS_NUM_THREADS that OpenBLAS itself obeys is the user's choice. OpenBLAS reads it with
// atoi and takes a value <= 0 ("", "0", "auto") as unset (then one thread per core): leaving such
// a value alone and giving LibTorch the whole budget too would bring back the oversubscription
// this split exists to avoid. OMP_NUM_THREADS is not asked: it is LibTorch's too, and --threads
// is the more explicit choice.
bool blas_threads_from_environment() {
  const char* value = std::getenv("OPENBLAS_NUM_THREADS");
  return value != nullptr && std::atoi(value) > 0;
}

void check_count(int threads, const char* what) {
  if (threads < 1) {
    throw std::invalid_argument(std::string("set_compute_threads: ") + what + " must be >= 1, got " +
                                std::to_string(threads));
  }
}

}  // namespace

ThreadSplit default_thread_split(int threads) {
  if (threads < 1) {
    throw std::invalid_argument("default_thread_split: threads must be >= 1, got " + std::to_string(threads));
  }
  // Measured (docs/benchmarks.md, "Training speed"): the large products of the DeepAE gain from
  // BLAS threads, while LibTorch's own intra-op threads gain little in training and, busy-waiting
  // beside OpenBLAS's workers, cost more than they give. So the budget goes to the BLAS.
  return ThreadSplit{1, threads};
}

ComputeThreads set_compute_threads(const ThreadSplit& split) {
  check_count(split.torch_threads, "torch_threads");
  check_count(split.blas_threads, "blas_threads");
  at::set_num_threads(split.torch_threads);
  ComputeThreads result;
  result.blas_from_environment = blas_threads_from_environment();
  const auto set = openblas_setter();
  result.blas_controllable = set != nullptr;
  if (set != nullptr && !result.blas_from_environment) set(split.blas_threads);
  // Both counts read back after both calls: an OpenMP build of OpenBLAS sets its count with
  // omp_set_num_threads, which is LibTorch's count too, and the result should say so.
  result.torch_threads = at::get_num_threads();
  result.blas_threads = blas_num_threads();
  return result;
}

ComputeThreads set_compute_threads(int threads) {
  ThreadSplit split = default_thread_split(threads);
  // Whoever set OPENBLAS_NUM_THREADS manages the BLAS's threads; the budget is then LibTorch's
  // alone, as it was before this split existed.
  if (blas_threads_from_environment()) split.torch_threads = threads;
  return set_compute_threads(split);
}

int blas_num_threads() {
  const auto get = openblas_getter();
  return get != nullptr ? get() : 0;
}

}  // namespace topoembed::diff
