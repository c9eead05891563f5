#pragma once
// How a thread budget (`--threads N`) is split between LibTorch's intra-op threads and the BLAS's
// own worker threads.
//
// Debian's LibTorch does its matrix products in the system BLAS (libblas.so.3 -> OpenBLAS,
// pthreads), which starts its own workers (one per core unless OPENBLAS_NUM_THREADS says
// otherwise); src/diff's SYRK uses the same library. LibTorch's OpenMP threads and OpenBLAS's
// workers both busy-wait between jobs, so with two of each on two cores they spin against each
// other (an F-MNIST TopoAE epoch: 1,200 samples/s and 30 s of system CPU instead of ~3,000;
// docs/benchmarks.md). Setting both counts from one budget avoids that without environment
// variables.

namespace topoembed::diff {

struct ThreadSplit {
  int torch_threads = 1;  // at::set_num_threads (OpenMP intra-op threads)
  int blas_threads = 1;   // openblas_set_num_threads
};

// The split used for a budget of `threads` (>= 1) during training: chosen from the measurements in
// docs/benchmarks.md ("Training speed"). Throws std::invalid_argument for threads < 1.
ThreadSplit default_thread_split(int threads);

// What set_compute_threads did.
struct ComputeThreads {
  int torch_threads = 0;               // at::get_num_threads() after the call
  int blas_threads = 0;                // the BLAS's thread count after the call; 0 if it cannot be read
  bool blas_controllable = false;      // the BLAS is OpenBLAS (openblas_set_num_threads was found)
  bool blas_from_environment = false;  // OPENBLAS_NUM_THREADS >= 1 is set: the BLAS count was left alone
};

// Sets LibTorch's intra-op threads to split.torch_threads and, when the loaded BLAS is OpenBLAS
// (its symbol looked up at run time, so any other BLAS works and is left alone) and the user has
// not set OPENBLAS_NUM_THREADS to a count OpenBLAS obeys (an integer >= 1; "0" or "" mean "one per
// core" to OpenBLAS and do not count), OpenBLAS's threads to split.blas_threads. Process-wide, like
// at::set_num_threads itself, and not thread-safe: call it before the work starts, never while
// another thread runs LibTorch or BLAS work (OpenBLAS resizes its pool in place). Throws
// std::invalid_argument for a count < 1.
ComputeThreads set_compute_threads(const ThreadSplit& split);

// set_compute_threads(default_thread_split(threads)); but when OPENBLAS_NUM_THREADS is set as above
// (the user manages the BLAS), all `threads` go to LibTorch: {threads, left as set}.
ComputeThreads set_compute_threads(int threads);

// OpenBLAS's current thread count (openblas_get_num_threads), or 0 when the BLAS is not OpenBLAS.
int blas_num_threads();

}  // namespace topoembed::diff
