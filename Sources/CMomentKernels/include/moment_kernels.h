#ifndef PTQKIT_MOMENT_KERNELS_H
#define PTQKIT_MOMENT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The Gram partial of one block of feature vectors, tile by tile (see Observers' InputMomentsAccumulator).
///
/// `panels` holds the block's n vectors of 4·panel_count features (zero-padded) as float64 panels of 4
/// features: panel p is n consecutive groups of 4 doubles (vector r's features 4p … 4p+3 at
/// panels[(p·n + r)·4 …]). For every tile (ip, jp) with ip ≤ jp, in order ip = 0 …, jp = ip …, the 16 sums
/// G[a][b] = Σ_r x[r][4·ip + a] · x[r][4·jp + b] (a, b < 4) are written row by row to the next 16 doubles of
/// `tiles` ((panel_count·(panel_count+1)/2)·16 doubles). Every sum runs over r = 0, 1, …, n−1 in that order,
/// starting from +0.0, each product rounded to float64 then added (a fused multiply-add gives the same bits:
/// the products of float32 values are exact in float64), so every code path, vector width and machine gives
/// the same result bit for bit.
void ptqkit_gram_tiles(const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles);

/// Which code path ptqkit_gram_tiles takes on this machine: 2 AVX2+FMA, 0 portable C.
int ptqkit_gram_path(void);

/// ptqkit_gram_tiles on code path `path` (0 portable C, 2 AVX2+FMA; a path the CPU lacks falls back to 0),
/// for tests that hold the paths to the same bits.
void ptqkit_gram_tiles_on(int path, const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles);

/// Adds `value` (finite) to one reproducible binned sum (Observers' ReproducibleSums, which documents the
/// scheme): `*top` its window's top bin (−1 when empty), `limbs` its three Int64 limbs, top bin first.
void ptqkit_binned_add(int32_t *top, int64_t *limbs, double value);

/// Adds the tiles ptqkit_gram_tiles wrote for `panel_count` panels of `features` features to the binned sums
/// of the Gram matrix's upper triangle (entry (i, j), i ≤ j < features, at i·features − i(i−1)/2 + j − i;
/// `top` one per entry, `limbs` three per entry). Entries past `features` and below the diagonal are skipped.
void ptqkit_binned_add_tiles(
    const double *tiles, ptrdiff_t panel_count, ptrdiff_t features, int32_t *top, int64_t *limbs);

#endif
