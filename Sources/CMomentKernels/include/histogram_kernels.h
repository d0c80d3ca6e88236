#ifndef PTQKIT_HISTOGRAM_KERNELS_H
#define PTQKIT_HISTOGRAM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Adds n finite float32 values to the bin counts of an exact histogram (Observers' ExactHistogram): value
/// x goes to bin ⌊x · inverse_width⌋ − first_bin of `counts` (bin_count uint64 counters).
///
/// Preconditions (the caller's grid guarantees them; they are not checked): inverse_width = 2^−e with
/// −126 ≤ e ≤ 0, so x · inverse_width is exact; |x · inverse_width| < 2^22 and first_bin is an integer,
/// so ⌊x · inverse_width⌋ − first_bin is an exact integer; every bin lies in [0, bin_count); no x is NaN
/// or ±Inf.
///
/// The counts do not depend on the code path: values are counted into four interleaved uint16
/// sub-histograms (element i into sub-histogram i mod 4, so a run of equal bins does not serialize on one
/// counter; 4 · bin_count · 2 bytes, 32 KiB for 4096 bins: level-1 cache), added to `counts` every 2^17
/// elements (a uint16 counter then holds at most 2^15) and at the end; the last n mod 16 values go to
/// `counts` directly. When the scratch cannot be allocated every value goes to `counts` directly.
void ptqkit_histogram_add(const float *x, ptrdiff_t n, float inverse_width, float first_bin, uint64_t *counts,
                          ptrdiff_t bin_count);

/// Which code path ptqkit_histogram_add takes on this machine: 1 AVX2, 0 portable C.
int ptqkit_histogram_add_path(void);

/// ptqkit_histogram_add on code path `path` (0 portable C, 1 AVX2; a path the CPU lacks falls back to 0),
/// for tests that hold the paths to the same counts.
void ptqkit_histogram_add_on(int path, const float *x, ptrdiff_t n, float inverse_width, float first_bin,
                             uint64_t *counts, ptrdiff_t bin_count);

/// ptqkit_histogram_add for values that may not fit the grid, in the same pass as their range: returns 1 when
/// every value is finite and its bin lies in [0, bin_count) — then `pending` (bin_count uint64 counters,
/// zero on entry) holds the values' counts and *min_out, *max_out their smallest and largest value — and 0
/// otherwise (stopping early; `pending` and the outputs are then to be discarded). Nothing outside
/// `pending` is written, so a caller can fall back to scanning the values and re-gridding first. The
/// preconditions on the grid are ptqkit_histogram_add's, for the values in range, and bin_count < 2^23 (a
/// value out of range then never computes to a bin inside it); NaN and ±Inf convert to an out-of-range bin.
int ptqkit_histogram_add_scanning(int path, const float *x, ptrdiff_t n, float inverse_width, float first_bin,
                                  uint64_t *pending, ptrdiff_t bin_count, float *min_out, float *max_out);

#endif
