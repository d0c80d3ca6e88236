#include "fused_measure_kernels.h"

#include "cpu_dispatch.h"

// Every operation is one IEEE operation (float32 for x̂, float64 for the lanes) in the order the header
// states: no contraction into FMA.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#include "error_lanes_group.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define PTQKIT_FUSED_X86 1
#endif

static const float magic = 12582912.0f;  // 1.5 · 2^23: (v + M) − M rounds |v| < 2^22 to an integer, ties to even

// r = clamp(round(x/s), qmin − z, qmax − z) of one element: the rounded quotient before it is scaled back.
static inline float rounded_one(float x, const ptqkit_affine_run *run) {
    float s = run->scale;
    // v = x / s, or x · (1/s) with 1/s rounded to float32 first.
    float v = run->reciprocal ? x * (1.0f / s) : x / s;
    // Clamp to [qmin − z, qmax − z] (integers, so clamping before rounding equals after), NaN → +0.
    if (v < run->lo) v = run->lo;
    if (v > run->hi) v = run->hi;
    if (v != v) v = 0.0f;
    float r;
    if (!run->away) {
        r = (v + magic) - magic;  // ties to even; a zero r is +0
    } else {
        // |v| to nearest even, exact ties (|v| − t = 0.5) bumped up, the sign restored, + 0 turns −0 into +0.
        int negative = v < 0;
        float a = negative ? -v : v;
        float t = (a + magic) - magic;
        if (a - t == 0.5f) t = t + 1.0f;
        r = (negative ? -t : t) + 0.0f;
    }
    return r;
}

float ptqkit_fake_quantize_one(float x, const ptqkit_affine_run *run) {
    return run->scale * rounded_one(x, run);  // x̂ = s · r
}

static ptrdiff_t portable(const float *x, ptrdiff_t n, const ptqkit_affine_run *run, double *lanes,
                          ptrdiff_t *clipped) {
    const float low = run->clip_low, high = run->clip_high;
    ptrdiff_t outside = 0;
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float y[4];
        for (int j = 0; j < 4; j++) y[j] = ptqkit_fake_quantize_one(x[i + j], run);
        if (!ptqkit_lanes_group_portable(x + i, y, lanes)) break;
        for (int j = 0; j < 4; j++)
            if (x[i + j] < low || x[i + j] > high) outside++;
    }
    *clipped += outside;
    return i;
}

#ifdef PTQKIT_FUSED_X86
// r of eight elements: rounded_one's operations, lane by lane.
__attribute__((target("avx"), always_inline))
static inline __m256 rounded8(__m256 xv, const ptqkit_affine_run *run, __m256 s, __m256 inv, __m256 lo,
                              __m256 hi) {
    const __m256 m = _mm256_set1_ps(magic), zero = _mm256_setzero_ps();
    __m256 v = run->reciprocal ? _mm256_mul_ps(xv, inv) : _mm256_div_ps(xv, s);
    v = _mm256_blendv_ps(v, lo, _mm256_cmp_ps(v, lo, _CMP_LT_OQ));
    v = _mm256_blendv_ps(v, hi, _mm256_cmp_ps(v, hi, _CMP_GT_OQ));
    v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));  // NaN → +0
    __m256 r;
    if (!run->away) {
        r = _mm256_sub_ps(_mm256_add_ps(v, m), m);
    } else {
        const __m256 sign = _mm256_set1_ps(-0.0f);
        __m256 negative = _mm256_cmp_ps(v, zero, _CMP_LT_OQ);
        __m256 a = _mm256_blendv_ps(v, _mm256_xor_ps(v, sign), negative);
        __m256 t = _mm256_sub_ps(_mm256_add_ps(a, m), m);
        __m256 tie = _mm256_cmp_ps(_mm256_sub_ps(a, t), _mm256_set1_ps(0.5f), _CMP_EQ_OQ);
        t = _mm256_blendv_ps(t, _mm256_add_ps(t, _mm256_set1_ps(1.0f)), tie);
        r = _mm256_add_ps(_mm256_blendv_ps(t, _mm256_xor_ps(t, sign), negative), zero);
    }
    return r;
}

// x̂ of eight elements: ptqkit_fake_quantize_one's operations, lane by lane.
__attribute__((target("avx"), always_inline))
static inline __m256 fake_quantize8(__m256 xv, const ptqkit_affine_run *run, __m256 s, __m256 inv, __m256 lo,
                                    __m256 hi) {
    return _mm256_mul_ps(s, rounded8(xv, run, s, inv, lo, hi));
}

// The clipped elements' mask: bit j set for x[j] < clip_low or x[j] > clip_high.
__attribute__((target("avx"), always_inline))
static inline unsigned outside_mask(__m256 xv, __m256 low, __m256 high) {
    return (unsigned)_mm256_movemask_ps(
        _mm256_or_ps(_mm256_cmp_ps(xv, low, _CMP_LT_OQ), _mm256_cmp_ps(xv, high, _CMP_GT_OQ)));
}

// AVX: x̂ eight at a time in float32; when all eight x and x̂ are finite ((x − x) + (x̂ − x̂) = 0, NaN
// otherwise; then every float64 d is finite, the check the lanes make), both groups of four go into the
// float64 lanes in order unchecked. Otherwise, and for the last four, one group at a time with the lanes'
// own check (the error kernel's group step). The clipped count from the comparison mask of each group added.
__attribute__((target("avx")))
static ptrdiff_t avx(const float *x, ptrdiff_t n, const ptqkit_affine_run *run, double *lanes, ptrdiff_t *clipped) {
    ptqkit_lanes_avx l = ptqkit_lanes_avx_load(lanes);
    const __m256 s = _mm256_set1_ps(run->scale), inv = _mm256_set1_ps(1.0f / run->scale);
    const __m256 lo = _mm256_set1_ps(run->lo), hi = _mm256_set1_ps(run->hi);
    const __m256 low = _mm256_set1_ps(run->clip_low), high = _mm256_set1_ps(run->clip_high);
    ptrdiff_t outside = 0;
    ptrdiff_t i = 0;
    while (i + 4 <= n) {
        if (i + 8 <= n) {
            __m256 x8 = _mm256_loadu_ps(x + i);
            __m256 y8 = fake_quantize8(x8, run, s, inv, lo, hi);
            __m256 f = _mm256_add_ps(_mm256_sub_ps(x8, x8), _mm256_sub_ps(y8, y8));
            if (_mm256_movemask_ps(_mm256_cmp_ps(f, _mm256_setzero_ps(), _CMP_EQ_OQ)) == 0xFF) {
                __m256d x0 = _mm256_cvtps_pd(_mm256_castps256_ps128(x8));
                __m256d y0 = _mm256_cvtps_pd(_mm256_castps256_ps128(y8));
                __m256d x1 = _mm256_cvtps_pd(_mm256_extractf128_ps(x8, 1));
                __m256d y1 = _mm256_cvtps_pd(_mm256_extractf128_ps(y8, 1));
                ptqkit_lanes_add_finite_avx(&l, x0, y0, _mm256_sub_pd(x0, y0));
                ptqkit_lanes_add_finite_avx(&l, x1, y1, _mm256_sub_pd(x1, y1));
                outside += __builtin_popcount(outside_mask(x8, low, high));
                i += 8;
                continue;
            }
        }
        // One group of four (the upper half of the register zero and unused).
        __m256 x4 = _mm256_insertf128_ps(_mm256_setzero_ps(), _mm_loadu_ps(x + i), 0);
        __m256 y4 = fake_quantize8(x4, run, s, inv, lo, hi);
        if (!ptqkit_lanes_group_avx(&l, _mm256_castps256_ps128(x4), _mm256_castps256_ps128(y4))) break;
        outside += __builtin_popcount(outside_mask(x4, low, high) & 0xFu);
        i += 4;
    }
    ptqkit_lanes_avx_store(&l, lanes);
    *clipped += outside;
    return i;
}

// AVX2: r eight at a time as the fused measure computes it, converted (exact: r is integral, |r| < 2^22)
// and offset by z in int32.
__attribute__((target("avx2")))
static void quantize_avx2(const float *x, ptrdiff_t n, const ptqkit_affine_run *run, int32_t zero_point,
                          int32_t *q) {
    const __m256 s = _mm256_set1_ps(run->scale), inv = _mm256_set1_ps(1.0f / run->scale);
    const __m256 lo = _mm256_set1_ps(run->lo), hi = _mm256_set1_ps(run->hi);
    const __m256i z = _mm256_set1_epi32(zero_point);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 r = rounded8(_mm256_loadu_ps(x + i), run, s, inv, lo, hi);
        _mm256_storeu_si256((__m256i *)(q + i), _mm256_add_epi32(_mm256_cvtps_epi32(r), z));
    }
    for (; i < n; i++) q[i] = (int32_t)rounded_one(x[i], run) + zero_point;
}

#endif

int ptqkit_quantize_codes_path(void) {
#ifdef PTQKIT_FUSED_X86
    if (PTQKIT_CPU_HAS("avx2")) return 1;
#endif
    return 0;
}

void ptqkit_quantize_codes_on(
    int path, const float *x, ptrdiff_t n, const ptqkit_affine_run *run, int32_t zero_point, int32_t *q) {
#ifdef PTQKIT_FUSED_X86
    if (path == 1 && PTQKIT_CPU_HAS("avx2")) {
        quantize_avx2(x, n, run, zero_point, q);
        return;
    }
#endif
    (void)path;
    for (ptrdiff_t i = 0; i < n; i++) q[i] = (int32_t)rounded_one(x[i], run) + zero_point;
}

void ptqkit_quantize_codes(const float *x, ptrdiff_t n, const ptqkit_affine_run *run, int32_t zero_point,
                           int32_t *q) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = ptqkit_cached_path(&path, ptqkit_quantize_codes_path);
    ptqkit_quantize_codes_on(p, x, n, run, zero_point, q);
}

int ptqkit_fused_measure_path(void) {
#ifdef PTQKIT_FUSED_X86
    if (PTQKIT_CPU_HAS("avx")) return 1;
#endif
    return 0;
}

ptrdiff_t ptqkit_fused_measure_on(
    int path, const float *x, ptrdiff_t n, const ptqkit_affine_run *run, double *lanes, ptrdiff_t *clipped) {
#ifdef PTQKIT_FUSED_X86
    if (path == 1 && PTQKIT_CPU_HAS("avx")) return avx(x, n, run, lanes, clipped);
#endif
    (void)path;
    return portable(x, n, run, lanes, clipped);
}

ptrdiff_t ptqkit_fused_measure(
    const float *x, ptrdiff_t n, const ptqkit_affine_run *run, double *lanes, ptrdiff_t *clipped) {
    static _Atomic int path = -1;  // the machine's path, looked up once (any thread may store the same value)
    int p = ptqkit_cached_path(&path, ptqkit_fused_measure_path);
    return ptqkit_fused_measure_on(p, x, n, run, lanes, clipped);
}
