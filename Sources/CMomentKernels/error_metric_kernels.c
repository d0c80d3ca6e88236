#include "error_metric_kernels.h"

#include <stdatomic.h>

// Every operation is one float64 IEEE operation in the order the header states: no contraction into FMA.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define PTQKIT_METRIC_X86 1
#endif

static ptrdiff_t portable(const float *x, const float *y, ptrdiff_t n, double *lanes) {
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double d[4];
        int finite = 1;
        for (int j = 0; j < 4; j++) {
            d[j] = (double)x[i + j] - (double)y[i + j];
            if (!(d[j] - d[j] == 0)) finite = 0;
        }
        if (!finite) break;
        for (int j = 0; j < 4; j++) {
            double xv = (double)x[i + j], yv = (double)y[i + j];
            lanes[j] = lanes[j] + d[j] * d[j];
            lanes[4 + j] = lanes[4 + j] + xv * xv;
            lanes[8 + j] = lanes[8 + j] + yv * yv;
            lanes[12 + j] = lanes[12 + j] + xv * yv;
            double a = d[j] < 0 ? -d[j] : d[j];
            if (a > lanes[16 + j]) lanes[16 + j] = a;
        }
    }
    return i;
}

#ifdef PTQKIT_METRIC_X86
__attribute__((target("avx")))
static ptrdiff_t avx(const float *x, const float *y, ptrdiff_t n, double *lanes) {
    __m256d e2 = _mm256_loadu_pd(lanes), x2 = _mm256_loadu_pd(lanes + 4), y2 = _mm256_loadu_pd(lanes + 8);
    __m256d xy = _mm256_loadu_pd(lanes + 12), emax = _mm256_loadu_pd(lanes + 16);
    const __m256d zero = _mm256_setzero_pd();
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d xv = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), yv = _mm256_cvtps_pd(_mm_loadu_ps(y + i));
        __m256d d = _mm256_sub_pd(xv, yv);
        // d − d == 0 in every lane: x and y finite.
        if (_mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(d, d), zero, _CMP_EQ_OQ)) != 0xF) break;
        e2 = _mm256_add_pd(e2, _mm256_mul_pd(d, d));
        x2 = _mm256_add_pd(x2, _mm256_mul_pd(xv, xv));
        y2 = _mm256_add_pd(y2, _mm256_mul_pd(yv, yv));
        xy = _mm256_add_pd(xy, _mm256_mul_pd(xv, yv));
        __m256d a = _mm256_blendv_pd(d, _mm256_sub_pd(zero, d), _mm256_cmp_pd(d, zero, _CMP_LT_OQ));
        emax = _mm256_blendv_pd(emax, a, _mm256_cmp_pd(a, emax, _CMP_GT_OQ));
    }
    _mm256_storeu_pd(lanes, e2);
    _mm256_storeu_pd(lanes + 4, x2);
    _mm256_storeu_pd(lanes + 8, y2);
    _mm256_storeu_pd(lanes + 12, xy);
    _mm256_storeu_pd(lanes + 16, emax);
    return i;
}

static int has_avx(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx");
}
#endif

int ptqkit_error_lanes_add_path(void) {
#ifdef PTQKIT_METRIC_X86
    if (has_avx()) return 1;
#endif
    return 0;
}

ptrdiff_t ptqkit_error_lanes_add_on(int path, const float *x, const float *y, ptrdiff_t n, double *lanes) {
#ifdef PTQKIT_METRIC_X86
    if (path == 1 && has_avx()) return avx(x, y, n, lanes);
#endif
    (void)path;
    return portable(x, y, n, lanes);
}

ptrdiff_t ptqkit_error_lanes_add(const float *x, const float *y, ptrdiff_t n, double *lanes) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = atomic_load_explicit(&path, memory_order_relaxed);
    if (p < 0) {
        p = ptqkit_error_lanes_add_path();
        atomic_store_explicit(&path, p, memory_order_relaxed);
    }
    return ptqkit_error_lanes_add_on(p, x, y, n, lanes);
}
