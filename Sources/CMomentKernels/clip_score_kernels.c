#include "clip_score_kernels.h"

#include "cpu_dispatch.h"

// Every operation is one float32 IEEE operation, in the order the header states: no contraction into FMA.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define PTQKIT_CLIP_X86 1
#endif

enum { LANES = 16, FLUSH = 4096 };
static const float magic = 12582912.0f;  // 1.5 · 2^23

static inline float squared_error_one(float x, float inverse, float scale, float zero, float qmin, float qmax) {
    float a = x * inverse;
    a = a + zero;
    a = a > qmax ? qmax : a;
    a = a < qmin ? qmin : a;
    float r = (a + magic) - magic;
    float d = x - (r - zero) * scale;
    return d * d;
}

// The last n mod 16 elements, one by one.
static double tail(const float *x, ptrdiff_t start, ptrdiff_t n, float inverse, float scale, float zero, float qmin,
                   float qmax) {
    double total = 0;
    for (ptrdiff_t i = start; i < n; i++) total += (double)squared_error_one(x[i], inverse, scale, zero, qmin, qmax);
    return total;
}

static double portable(const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax) {
    double total = 0;
    ptrdiff_t i = 0;
    while (i + LANES <= n) {
        float lanes[LANES] = {0};
        ptrdiff_t end = i + FLUSH < n ? i + FLUSH : n;
        for (; i + LANES <= end; i += LANES) {
            for (int j = 0; j < LANES; j++) {
                float e = squared_error_one(x[i + j], inverse, scale, zero, qmin, qmax);
                lanes[j] = lanes[j] + e;
            }
        }
        for (int j = 0; j < LANES; j++) total += (double)lanes[j];
    }
    return total + tail(x, i, n, inverse, scale, zero, qmin, qmax);
}

#ifdef PTQKIT_CLIP_X86
// AVX: lanes 0–7 and 8–15 in two registers; the same operations as squared_error_one, eight at a time.
__attribute__((target("avx")))
static double avx(const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax) {
    const __m256 inv = _mm256_set1_ps(inverse), s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zero);
    const __m256 lo = _mm256_set1_ps(qmin), hi = _mm256_set1_ps(qmax), m = _mm256_set1_ps(magic);
    double total = 0;
    ptrdiff_t i = 0;
    while (i + LANES <= n) {
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        ptrdiff_t end = i + FLUSH < n ? i + FLUSH : n;
        for (; i + LANES <= end; i += LANES) {
            __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
            // min(a, hi) then max(·, lo): the operands' order makes a NaN-free a give the scalar result.
            __m256 a0 = _mm256_max_ps(_mm256_min_ps(_mm256_add_ps(_mm256_mul_ps(x0, inv), z), hi), lo);
            __m256 a1 = _mm256_max_ps(_mm256_min_ps(_mm256_add_ps(_mm256_mul_ps(x1, inv), z), hi), lo);
            __m256 r0 = _mm256_sub_ps(_mm256_add_ps(a0, m), m), r1 = _mm256_sub_ps(_mm256_add_ps(a1, m), m);
            __m256 d0 = _mm256_sub_ps(x0, _mm256_mul_ps(_mm256_sub_ps(r0, z), s));
            __m256 d1 = _mm256_sub_ps(x1, _mm256_mul_ps(_mm256_sub_ps(r1, z), s));
            acc0 = _mm256_add_ps(acc0, _mm256_mul_ps(d0, d0));
            acc1 = _mm256_add_ps(acc1, _mm256_mul_ps(d1, d1));
        }
        float lanes[LANES];
        _mm256_storeu_ps(lanes, acc0);
        _mm256_storeu_ps(lanes + 8, acc1);
        for (int j = 0; j < LANES; j++) total += (double)lanes[j];
    }
    return total + tail(x, i, n, inverse, scale, zero, qmin, qmax);
}

// AVX-512F: the 16 lanes in one register (lane j holds element i + j, as lanes 0–7 and 8–15 of the AVX path);
// the integer rounding by roundscale to nearest, ties to even: for the clamped |a| < 2^22 it equals
// (a + 1.5·2^23) − 1.5·2^23 up to the sign of a zero r, and then r − zero, its product with the scale and
// x minus that give d² with the same bits (±0 only ever meet x − (±0)·s = x or a zero x, whose d² is +0).
__attribute__((target("avx512f")))
static double avx512(const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax) {
    const __m512 inv = _mm512_set1_ps(inverse), s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zero);
    const __m512 lo = _mm512_set1_ps(qmin), hi = _mm512_set1_ps(qmax);
    double total = 0;
    ptrdiff_t i = 0;
    while (i + LANES <= n) {
        __m512 acc = _mm512_setzero_ps();
        ptrdiff_t end = i + FLUSH < n ? i + FLUSH : n;
        for (; i + LANES <= end; i += LANES) {
            __m512 x0 = _mm512_loadu_ps(x + i);
            __m512 a = _mm512_max_ps(_mm512_min_ps(_mm512_add_ps(_mm512_mul_ps(x0, inv), z), hi), lo);
            __m512 r = _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            __m512 d = _mm512_sub_ps(x0, _mm512_mul_ps(_mm512_sub_ps(r, z), s));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(d, d));
        }
        float lanes[LANES];
        _mm512_storeu_ps(lanes, acc);
        for (int j = 0; j < LANES; j++) total += (double)lanes[j];
    }
    return total + tail(x, i, n, inverse, scale, zero, qmin, qmax);
}

#endif

int ptqkit_clip_squared_error_path(void) {
#ifdef PTQKIT_CLIP_X86
    if (PTQKIT_CPU_HAS("avx512f")) return 2;
    if (PTQKIT_CPU_HAS("avx")) return 1;
#endif
    return 0;
}

double ptqkit_clip_squared_error_on(
    int path, const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax) {
#ifdef PTQKIT_CLIP_X86
    if (path == 2 && PTQKIT_CPU_HAS("avx512f")) return avx512(x, n, inverse, scale, zero, qmin, qmax);
    if (path == 1 && PTQKIT_CPU_HAS("avx")) return avx(x, n, inverse, scale, zero, qmin, qmax);
#endif
    (void)path;
    return portable(x, n, inverse, scale, zero, qmin, qmax);
}

double ptqkit_clip_squared_error(
    const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = ptqkit_cached_path(&path, ptqkit_clip_squared_error_path);
    return ptqkit_clip_squared_error_on(p, x, n, inverse, scale, zero, qmin, qmax);
}
