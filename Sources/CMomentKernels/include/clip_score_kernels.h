#ifndef PTQKIT_CLIP_SCORE_KERNELS_H
#define PTQKIT_CLIP_SCORE_KERNELS_H

#include <stddef.h>

/// Σ (x − x̂)² over n finite float32 values on one quantization grid (Observers' DataMSESearch): per element,
/// a = max(min(x·inverse + zero, qmax), qmin) — first the product, then the sum, each rounded to float32,
/// clamped below then above — r = (a + 1.5·2^23) − 1.5·2^23 (a rounded to an integer, ties to even, for
/// |a| < 2^22), x̂ = (r − zero)·scale, and d = x − x̂, all in float32. The d² are summed in 16 float32 lanes
/// (element i of each run of 16 into lane i mod 16), the lanes added to a float64 total in lane order after
/// every 4096 elements and at the end; the last n mod 16 elements are added one by one as float64 (d² still
/// rounded to float32). No fused multiply-add: every code path and machine gives the same bits.
double ptqkit_clip_squared_error(
    const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax);

/// Which code path ptqkit_clip_squared_error takes on this machine: 2 AVX-512F (about 1.8× the AVX path's
/// speed on AMD Zen 4), 1 AVX, 0 portable C.
int ptqkit_clip_squared_error_path(void);

/// ptqkit_clip_squared_error on code path `path` (0 portable C, 1 AVX, 2 AVX-512F; a path the CPU lacks falls
/// back to 0),
/// for tests that hold the paths to the same bits.
double ptqkit_clip_squared_error_on(
    int path, const float *x, ptrdiff_t n, float inverse, float scale, float zero, float qmin, float qmax);

#endif
