#ifndef PTQKIT_FUSED_MEASURE_KERNELS_H
#define PTQKIT_FUSED_MEASURE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// One run of elements sharing a scale s and zero point z (QuantCore's uniform affine runs), with what
/// ptqkit_fused_measure needs of them, every bound precomputed by the caller in float32:
/// `lo` = qmin − z and `hi` = qmax − z (the clamp bounds of the quotient), `clip_low` = s·(qmin − z) − s/2
/// and `clip_high` = s·(qmax − z) + s/2 (a finite x outside them is clipped), `reciprocal` nonzero for
/// v = x · (1/s) (1/s rounded to float32 first) instead of v = x / s, `away` nonzero for ties away from zero
/// instead of ties to even.
typedef struct {
    float scale;
    float lo, hi;
    float clip_low, clip_high;
    int reciprocal;
    int away;
} ptqkit_affine_run;

/// Fake-quantizes float32 values in registers and adds the pairs (x, x̂) to the error lanes, in one pass:
/// per element, in float32 with every operation rounded on its own (no fused multiply-add):
///   v = x / s (or x · (1/s));  v = lo if v < lo;  v = hi if v > hi;  v = +0 if v is NaN;
///   ties to even:  r = (v + 1.5·2^23) − 1.5·2^23;
///   ties away:     a = |v|, t = (a + 1.5·2^23) − 1.5·2^23, t = t + 1 if a − t = 0.5, r = ±t + 0 (sign of v);
///   x̂ = s · r
/// — bit for bit QuantCore's FakeQuantizeVisitor (AffineRounder) — then the pairs go into `lanes` (20
/// doubles) exactly as ptqkit_error_lanes_add adds them: groups of four from x[0], pair j of a group in lane
/// j, d = x − x̂ in float64, lane += d² / x² / x̂² / x·x̂, max |d|. Adds to `*clipped` the elements of the
/// added groups (all finite) with x < clip_low or x > clip_high.
///
/// Stops before the first group of four with a non-finite d (d − d ≠ 0: a NaN or ±Inf x) and at the last
/// whole group, as ptqkit_error_lanes_add: returns the number of elements added (a multiple of 4). Every
/// code path gives the same lanes and count, bit for bit.
ptrdiff_t ptqkit_fused_measure(
    const float *x, ptrdiff_t n, const ptqkit_affine_run *run, double *lanes, ptrdiff_t *clipped);

/// Which code path ptqkit_fused_measure takes on this machine: 1 AVX, 0 portable C.
int ptqkit_fused_measure_path(void);

/// ptqkit_fused_measure on code path `path` (0 portable C, 1 AVX; a path the CPU lacks falls back to 0), for
/// tests that hold the paths to the same bits.
ptrdiff_t ptqkit_fused_measure_on(
    int path, const float *x, ptrdiff_t n, const ptqkit_affine_run *run, double *lanes, ptrdiff_t *clipped);

/// x̂ of one element (the portable path's arithmetic, see ptqkit_fused_measure).
float ptqkit_fake_quantize_one(float x, const ptqkit_affine_run *run);

/// Integer codes of one run: q[i] = r_i + z with r_i = clamp(round(x_i / s), qmin − z, qmax − z) computed as
/// in ptqkit_fused_measure (the same quotient, clamp, NaN → +0 and rounding rule; `clip_low`/`clip_high`
/// unused), so q is bit for bit QuantCore's QuantizeVisitor. AVX2 (eight at a time) or portable C; every
/// path gives the same codes.
void ptqkit_quantize_codes(const float *x, ptrdiff_t n, const ptqkit_affine_run *run, int32_t zero_point,
                           int32_t *q);

/// Which code path ptqkit_quantize_codes takes on this machine: 1 AVX2, 0 portable C.
int ptqkit_quantize_codes_path(void);

/// ptqkit_quantize_codes on code path `path` (0 portable C, 1 AVX2; a path the CPU lacks falls back to 0), for
/// tests that hold the paths to the same codes.
void ptqkit_quantize_codes_on(
    int path, const float *x, ptrdiff_t n, const ptqkit_affine_run *run, int32_t zero_point, int32_t *q);

#endif
