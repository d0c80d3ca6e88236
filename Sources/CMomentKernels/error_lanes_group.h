#ifndef PTQKIT_ERROR_LANES_GROUP_H
#define PTQKIT_ERROR_LANES_GROUP_H

// One group of four pairs into the error lanes (ptqkit_error_lanes_add's layout: Σd² 0–3, Σx² 4–7, Σy² 8–11,
// Σxy 12–15, max |d| 16–19), shared by error_metric_kernels.c and fused_measure_kernels.c so that both add
// pairs by the same operations. Include only from a file that turns off FP contraction before including it.

#include <stddef.h>

/// Adds pairs (x[j], y[j]), j < 4, to `lanes` when every d = x − y (float64, exact) is finite (d − d = 0):
/// lane j += d² / x² / y² / x·y (one float64 product, then the sum), max |d| taken only when greater (|d| is
/// −d for d < 0, else d). Returns 1 when added, 0 (lanes untouched) for a group with a NaN or ±Inf.
static inline int ptqkit_lanes_group_portable(const float *x, const float *y, double *lanes) {
    double d[4];
    for (int j = 0; j < 4; j++) {
        d[j] = (double)x[j] - (double)y[j];
        if (!(d[j] - d[j] == 0)) return 0;
    }
    for (int j = 0; j < 4; j++) {
        double xv = (double)x[j], yv = (double)y[j];
        lanes[j] = lanes[j] + d[j] * d[j];
        lanes[4 + j] = lanes[4 + j] + xv * xv;
        lanes[8 + j] = lanes[8 + j] + yv * yv;
        lanes[12 + j] = lanes[12 + j] + xv * yv;
        double a = d[j] < 0 ? -d[j] : d[j];
        if (a > lanes[16 + j]) lanes[16 + j] = a;
    }
    return 1;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

/// The 20 lanes in five AVX registers (lanes 4k…4k+3 in `sum[k]`), kept there across groups.
typedef struct {
    __m256d sum[5];
} ptqkit_lanes_avx;

/// The lanes from memory into registers.
__attribute__((target("avx"), always_inline))
static inline ptqkit_lanes_avx ptqkit_lanes_avx_load(const double *lanes) {
    ptqkit_lanes_avx l;
    for (int k = 0; k < 5; k++) l.sum[k] = _mm256_loadu_pd(lanes + 4 * k);
    return l;
}

/// The lanes from registers back to memory.
__attribute__((target("avx"), always_inline))
static inline void ptqkit_lanes_avx_store(const ptqkit_lanes_avx *l, double *lanes) {
    for (int k = 0; k < 5; k++) _mm256_storeu_pd(lanes + 4 * k, l->sum[k]);
}

/// Adds four pairs known finite, as float64 x, y and d = x − y: lane += d² / x² / y² / x·y, max |d| (see
/// ptqkit_lanes_group_portable).
__attribute__((target("avx"), always_inline))
static inline void ptqkit_lanes_add_finite_avx(ptqkit_lanes_avx *l, __m256d xv, __m256d yv, __m256d d) {
    const __m256d zero = _mm256_setzero_pd();
    l->sum[0] = _mm256_add_pd(l->sum[0], _mm256_mul_pd(d, d));
    l->sum[1] = _mm256_add_pd(l->sum[1], _mm256_mul_pd(xv, xv));
    l->sum[2] = _mm256_add_pd(l->sum[2], _mm256_mul_pd(yv, yv));
    l->sum[3] = _mm256_add_pd(l->sum[3], _mm256_mul_pd(xv, yv));
    __m256d a = _mm256_blendv_pd(d, _mm256_sub_pd(zero, d), _mm256_cmp_pd(d, zero, _CMP_LT_OQ));
    l->sum[4] = _mm256_blendv_pd(l->sum[4], a, _mm256_cmp_pd(a, l->sum[4], _CMP_GT_OQ));
}

/// ptqkit_lanes_group_portable on four float32 x and y in SSE registers: the same operations, four lanes at
/// once.
__attribute__((target("avx"), always_inline))
static inline int ptqkit_lanes_group_avx(ptqkit_lanes_avx *l, __m128 x, __m128 y) {
    __m256d xv = _mm256_cvtps_pd(x), yv = _mm256_cvtps_pd(y);
    __m256d d = _mm256_sub_pd(xv, yv);
    // d − d == 0 in every lane: x and y finite.
    if (_mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(d, d), _mm256_setzero_pd(), _CMP_EQ_OQ)) != 0xF) return 0;
    ptqkit_lanes_add_finite_avx(l, xv, yv, d);
    return 1;
}
#endif

#endif
