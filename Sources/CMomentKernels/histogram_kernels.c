#include "histogram_kernels.h"

#include <math.h>
#include <stdatomic.h>
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
}

static int has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

int ptqkit_histogram_add_path(void) {
#ifdef PTQKIT_HISTOGRAM_X86
    if (has_avx2()) return 1;
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
#ifdef PTQKIT_HISTOGRAM_X86
    int vector = path == 1 && has_avx2();
#else
    (void)path;
    int vector = 0;
#endif
    ptrdiff_t i = 0;
    while (i + LANES <= n) {
        ptrdiff_t end = i + FLUSH < n ? i + FLUSH : n;
        ptrdiff_t runs_end = i + (end - i) / LANES * LANES;
#ifdef PTQKIT_HISTOGRAM_X86
        if (vector)
            avx2_runs(x, i, runs_end, inverse_width, first_bin, sub, bin_count);
        else
#endif
            portable_runs(x, i, runs_end, inverse_width, first_bin, sub, bin_count);
        (void)vector;
        i = runs_end;
        flush(sub, counts, bin_count);
    }
    free(sub);
    direct(x, i, n, inverse_width, first_bin, counts);
}

void ptqkit_histogram_add(const float *x, ptrdiff_t n, float inverse_width, float first_bin, uint64_t *counts,
                          ptrdiff_t bin_count) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = atomic_load_explicit(&path, memory_order_relaxed);
    if (p < 0) {
        p = ptqkit_histogram_add_path();
        atomic_store_explicit(&path, p, memory_order_relaxed);
    }
    ptqkit_histogram_add_on(p, x, n, inverse_width, first_bin, counts, bin_count);
}
