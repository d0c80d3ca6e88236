#include "error_metric_kernels.h"

#include "cpu_dispatch.h"

// Every operation is one float64 IEEE operation in the order the header states: no contraction into FMA.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#include "error_lanes_group.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define PTQKIT_METRIC_X86 1
#endif

static ptrdiff_t portable(const float *x, const float *y, ptrdiff_t n, double *lanes) {
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4)
        if (!ptqkit_lanes_group_portable(x + i, y + i, lanes)) break;
    return i;
}

#ifdef PTQKIT_METRIC_X86
__attribute__((target("avx")))
static ptrdiff_t avx(const float *x, const float *y, ptrdiff_t n, double *lanes) {
    ptqkit_lanes_avx l = ptqkit_lanes_avx_load(lanes);
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4)
        if (!ptqkit_lanes_group_avx(&l, _mm_loadu_ps(x + i), _mm_loadu_ps(y + i))) break;
    ptqkit_lanes_avx_store(&l, lanes);
    return i;
}

#endif

int ptqkit_error_lanes_add_path(void) {
#ifdef PTQKIT_METRIC_X86
    if (PTQKIT_CPU_HAS("avx")) return 1;
#endif
    return 0;
}

ptrdiff_t ptqkit_error_lanes_add_on(int path, const float *x, const float *y, ptrdiff_t n, double *lanes) {
#ifdef PTQKIT_METRIC_X86
    if (path == 1 && PTQKIT_CPU_HAS("avx")) return avx(x, y, n, lanes);
#endif
    (void)path;
    return portable(x, y, n, lanes);
}

ptrdiff_t ptqkit_error_lanes_add(const float *x, const float *y, ptrdiff_t n, double *lanes) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = ptqkit_cached_path(&path, ptqkit_error_lanes_add_path);
    return ptqkit_error_lanes_add_on(p, x, y, n, lanes);
}
