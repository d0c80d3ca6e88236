#ifndef PTQKIT_ERROR_METRIC_KERNELS_H
#define PTQKIT_ERROR_METRIC_KERNELS_H

#include <stddef.h>

/// The vector part of QuantCore's ErrorMetrics.Stream: adds pairs (x[i], y[i]) of float32 values, four at a
/// time, to four float64 lanes of each running sum, `lanes` being 20 doubles: Σd² (0–3), Σx² (4–7), Σy²
/// (8–11), Σxy (12–15) and max |d| (16–19), d = x − y in float64 (exact), pair i of a group in lane i mod 4.
/// Each lane's update is lane += p with p one float64 product (no fused multiply-add); the maximum takes |d|
/// only when it is greater (|d| is −d for d < 0, else d).
///
/// Stops before the first group of four holding a NaN or ±Inf (a difference d with d − d ≠ 0), which the
/// caller adds element by element, and at the last whole group: returns the number of pairs added (a
/// multiple of 4). Every code path gives the same lanes, bit for bit.
ptrdiff_t ptqkit_error_lanes_add(const float *x, const float *y, ptrdiff_t n, double *lanes);

/// Which code path ptqkit_error_lanes_add takes on this machine: 1 AVX, 0 portable C.
int ptqkit_error_lanes_add_path(void);

/// ptqkit_error_lanes_add on code path `path` (0 portable C, 1 AVX; a path the CPU lacks falls back to 0).
ptrdiff_t ptqkit_error_lanes_add_on(int path, const float *x, const float *y, ptrdiff_t n, double *lanes);

#endif
