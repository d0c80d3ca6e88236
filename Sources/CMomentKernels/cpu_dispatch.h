#ifndef PTQKIT_CPU_DISPATCH_H
#define PTQKIT_CPU_DISPATCH_H

// Run-time choice of a kernel's code path, shared by CMomentKernels' files (private: not under include/).

#include <stdatomic.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
// Whether this CPU has the extension named by the string literal `feature` ("avx", "avx2", "fma",
// "avx512f"). __builtin_cpu_init is idempotent and makes the check valid even before constructors ran.
#define PTQKIT_CPU_HAS(feature) (__builtin_cpu_init(), __builtin_cpu_supports(feature))
#endif

// The machine's code path: `*cache` once looked up, else `lookup()` stored there (relaxed: any thread may
// store the same value). `*cache` starts at −1.
static inline int ptqkit_cached_path(_Atomic int *cache, int (*lookup)(void)) {
    int path = atomic_load_explicit(cache, memory_order_relaxed);
    if (path < 0) {
        path = lookup();
        atomic_store_explicit(cache, path, memory_order_relaxed);
    }
    return path;
}

#endif
