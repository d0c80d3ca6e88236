#include "histogram_kernels.h"

#include "cpu_dispatch.h"

#include <math.h>
#include <stdlib.h>

// Every operation is exact (a power-of-two scaling, a floor, a difference of integers below 2^23): no
// rounding happens on any path, so contraction could not change a bin; it is turned off all the same.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define PTQKIT_HISTOGRAM_X86 1
#endif

enum { WAYS = 4, LANES = 16, FLUSH = 1 << 17 };

// Adds the sub-histograms to the counts and clears them.
static void flush(uint16_t *sub, uint64_t *counts, ptrdiff_t bins) {
    for (ptrdiff_t j = 0; j < bins; j++) {
        uint64_t t = (uint64_t)sub[j] + sub[bins + j] + sub[2 * bins + j] + sub[3 * bins + j];
        sub[j] = sub[bins + j] = sub[2 * bins + j] = sub[3 * bins + j] = 0;
        counts[j] += t;
    }
}

static inline ptrdiff_t bin_of(float x, float inverse, float first) {
    return (ptrdiff_t)(floorf(x * inverse) - first);
}

// Values [start, n) straight into the counts.
static void direct(const float *x, ptrdiff_t start, ptrdiff_t n, float inverse, float first, uint64_t *counts) {
    for (ptrdiff_t i = start; i < n; i++) counts[bin_of(x[i], inverse, first)] += 1;
}

// Runs of 16 values up to `end`, element i into sub-histogram i mod 4.
static void portable_runs(const float *x, ptrdiff_t i, ptrdiff_t end, float inverse, float first, uint16_t *sub,
                          ptrdiff_t bins) {
    uint16_t *s0 = sub, *s1 = sub + bins, *s2 = sub + 2 * bins, *s3 = sub + 3 * bins;
    for (; i + LANES <= end; i += LANES) {
        for (int j = 0; j < LANES; j += WAYS) {
            s0[bin_of(x[i + j], inverse, first)] += 1;
            s1[bin_of(x[i + j + 1], inverse, first)] += 1;
            s2[bin_of(x[i + j + 2], inverse, first)] += 1;
            s3[bin_of(x[i + j + 3], inverse, first)] += 1;
        }
    }
}

#ifdef PTQKIT_HISTOGRAM_X86
// Counts the 16 stored bins of i0 and i1 (sub-histogram offsets added), extracted two at a time as 64-bit words.
__attribute__((target("avx2"), always_inline))
static inline void scatter16(uint16_t *sub, __m256i i0, __m256i i1) {
    __m128i l0 = _mm256_castsi256_si128(i0), h0 = _mm256_extracti128_si256(i0, 1);
    __m128i l1 = _mm256_castsi256_si128(i1), h1 = _mm256_extracti128_si256(i1, 1);
    uint64_t q0 = (uint64_t)_mm_cvtsi128_si64(l0), q1 = (uint64_t)_mm_extract_epi64(l0, 1);
    uint64_t q2 = (uint64_t)_mm_cvtsi128_si64(h0), q3 = (uint64_t)_mm_extract_epi64(h0, 1);
    uint64_t q4 = (uint64_t)_mm_cvtsi128_si64(l1), q5 = (uint64_t)_mm_extract_epi64(l1, 1);
    uint64_t q6 = (uint64_t)_mm_cvtsi128_si64(h1), q7 = (uint64_t)_mm_extract_epi64(h1, 1);
    sub[(uint32_t)q0] += 1; sub[q0 >> 32] += 1; sub[(uint32_t)q1] += 1; sub[q1 >> 32] += 1;
    sub[(uint32_t)q2] += 1; sub[q2 >> 32] += 1; sub[(uint32_t)q3] += 1; sub[q3 >> 32] += 1;
    sub[(uint32_t)q4] += 1; sub[q4 >> 32] += 1; sub[(uint32_t)q5] += 1; sub[q5 >> 32] += 1;
    sub[(uint32_t)q6] += 1; sub[q6 >> 32] += 1; sub[(uint32_t)q7] += 1; sub[q7 >> 32] += 1;
}

// AVX2: 16 bins per step computed in two registers (floor, subtract, convert: exact), the sub-histogram's
// offset of each lane added in the vector, then extracted two at a time as 64-bit words.
__attribute__((target("avx2")))
static void avx2_runs(const float *x, ptrdiff_t i, ptrdiff_t end, float inverse, float first, uint16_t *sub,
                      ptrdiff_t bins) {
    const __m256 inv = _mm256_set1_ps(inverse), k0 = _mm256_set1_ps(first);
    const int b = (int)bins;
    const __m256i ways = _mm256_setr_epi32(0, b, 2 * b, 3 * b, 0, b, 2 * b, 3 * b);
    for (; i + LANES <= end; i += LANES) {
        __m256 a0 = _mm256_floor_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
        __m256 a1 = _mm256_floor_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i + 8), inv));
        __m256i i0 = _mm256_add_epi32(_mm256_cvttps_epi32(_mm256_sub_ps(a0, k0)), ways);
        __m256i i1 = _mm256_add_epi32(_mm256_cvttps_epi32(_mm256_sub_ps(a1, k0)), ways);
        scatter16(sub, i0, i1);
    }
}

// avx2_runs that also keeps the values' min and max and whether every bin was in [0, bins): an out-of-range
// lane (NaN, ±Inf and huge values convert to INT32_MIN) counts into its sub-histogram's bin 0 instead, and
// the run reports it. Returns 1 when all were in range.
__attribute__((target("avx2")))
static int avx2_runs_scanning(const float *x, ptrdiff_t i, ptrdiff_t end, float inverse, float first, uint16_t *sub,
                              ptrdiff_t bins, __m256 *mn, __m256 *mx) {
    const __m256 inv = _mm256_set1_ps(inverse), k0 = _mm256_set1_ps(first);
    const int b = (int)bins;
    const __m256i ways = _mm256_setr_epi32(0, b, 2 * b, 3 * b, 0, b, 2 * b, 3 * b);
    const __m256i minus1 = _mm256_set1_epi32(-1), count = _mm256_set1_epi32(b);
    __m256i bad = _mm256_setzero_si256();
    __m256 lo = *mn, hi = *mx;
    for (; i + LANES <= end; i += LANES) {
        __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
        lo = _mm256_min_ps(lo, _mm256_min_ps(x0, x1));
        hi = _mm256_max_ps(hi, _mm256_max_ps(x0, x1));
        __m256i j0 = _mm256_cvttps_epi32(_mm256_sub_ps(_mm256_floor_ps(_mm256_mul_ps(x0, inv)), k0));
        __m256i j1 = _mm256_cvttps_epi32(_mm256_sub_ps(_mm256_floor_ps(_mm256_mul_ps(x1, inv)), k0));
        __m256i ok0 = _mm256_and_si256(_mm256_cmpgt_epi32(j0, minus1), _mm256_cmpgt_epi32(count, j0));
        __m256i ok1 = _mm256_and_si256(_mm256_cmpgt_epi32(j1, minus1), _mm256_cmpgt_epi32(count, j1));
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(_mm256_and_si256(ok0, ok1), minus1));
        __m256i i0 = _mm256_add_epi32(_mm256_and_si256(j0, ok0), ways);
        __m256i i1 = _mm256_add_epi32(_mm256_and_si256(j1, ok1), ways);
        scatter16(sub, i0, i1);
    }
    *mn = lo;
    *mx = hi;
    return _mm256_testz_si256(bad, bad);
}

// The runs of 16 of the scanning add, flushed into `pending` every FLUSH values: returns 0 at the first run
// with an out-of-range bin (or when the scratch cannot be allocated), else 1 with *next the first value not
// in a run and *lo, *hi the runs' min and max.
__attribute__((target("avx2")))
static int avx2_scanning(const float *x, ptrdiff_t n, float inverse, float first, uint64_t *pending, ptrdiff_t bins,
                         ptrdiff_t *next, float *lo, float *hi) {
    uint16_t *sub = calloc((size_t)(WAYS * bins), sizeof(uint16_t));
    if (!sub) return 0;
    __m256 mn = _mm256_set1_ps(INFINITY), mx = _mm256_set1_ps(-INFINITY);
    ptrdiff_t i = 0;
    int ok = 1;
    while (ok && i + LANES <= n) {
        ptrdiff_t end = i + FLUSH < n ? i + FLUSH : n;
        ptrdiff_t runs_end = i + (end - i) / LANES * LANES;
        ok = avx2_runs_scanning(x, i, runs_end, inverse, first, sub, bins, &mn, &mx);
        i = runs_end;
        flush(sub, pending, bins);
    }
    free(sub);
    if (!ok) return 0;
    float a[8], b[8];
    _mm256_storeu_ps(a, mn);
    _mm256_storeu_ps(b, mx);
    for (int j = 0; j < 8; j++) {
        if (a[j] < *lo) *lo = a[j];
        if (b[j] > *hi) *hi = b[j];
    }
    *next = i;
    return 1;
}

#endif

int ptqkit_histogram_add_path(void) {
#ifdef PTQKIT_HISTOGRAM_X86
    if (PTQKIT_CPU_HAS("avx2")) return 1;
#endif
    return 0;
}

void ptqkit_histogram_add_on(int path, const float *x, ptrdiff_t n, float inverse_width, float first_bin,
                             uint64_t *counts, ptrdiff_t bin_count) {
    if (n <= 0 || bin_count <= 0) return;
    uint16_t *sub = n >= LANES ? calloc((size_t)(WAYS * bin_count), sizeof(uint16_t)) : NULL;
    if (!sub) {
        direct(x, 0, n, inverse_width, first_bin, counts);
        return;
    }
    // The runs of 16 on this path (the same counts on every path).
    void (*runs)(const float *, ptrdiff_t, ptrdiff_t, float, float, uint16_t *, ptrdiff_t) = portable_runs;
#ifdef PTQKIT_HISTOGRAM_X86
    if (path == 1 && PTQKIT_CPU_HAS("avx2")) runs = avx2_runs;
#endif
    (void)path;
    ptrdiff_t i = 0;
    while (i + LANES <= n) {
        ptrdiff_t end = i + FLUSH < n ? i + FLUSH : n;
        ptrdiff_t runs_end = i + (end - i) / LANES * LANES;
        runs(x, i, runs_end, inverse_width, first_bin, sub, bin_count);
        i = runs_end;
        flush(sub, counts, bin_count);
    }
    free(sub);
    direct(x, i, n, inverse_width, first_bin, counts);
}

void ptqkit_histogram_add(const float *x, ptrdiff_t n, float inverse_width, float first_bin, uint64_t *counts,
                          ptrdiff_t bin_count) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = ptqkit_cached_path(&path, ptqkit_histogram_add_path);
    ptqkit_histogram_add_on(p, x, n, inverse_width, first_bin, counts, bin_count);
}

// One value of the scanning add: its bin, or -1 when it is out of range (NaN and ±Inf fail the comparisons).
static inline ptrdiff_t checked_bin(float x, float inverse, float first, ptrdiff_t bins) {
    float a = floorf(x * inverse) - first;
    return a >= 0 && a < (float)bins ? (ptrdiff_t)a : -1;
}

int ptqkit_histogram_add_scanning(int path, const float *x, ptrdiff_t n, float inverse_width, float first_bin,
                                  uint64_t *pending, ptrdiff_t bin_count, float *min_out, float *max_out) {
    if (n <= 0 || bin_count <= 0 || bin_count >= (1 << 23)) return 0;
    float lo = INFINITY, hi = -INFINITY;
    ptrdiff_t i = 0;
#ifdef PTQKIT_HISTOGRAM_X86
    if (path == 1 && PTQKIT_CPU_HAS("avx2") &&
        !avx2_scanning(x, n, inverse_width, first_bin, pending, bin_count, &i, &lo, &hi))
        return 0;
#else
    (void)path;
#endif
    for (; i < n; i++) {
        ptrdiff_t bin = checked_bin(x[i], inverse_width, first_bin, bin_count);
        if (bin < 0) return 0;
        pending[bin] += 1;
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    *min_out = lo;
    *max_out = hi;
    return 1;
}
