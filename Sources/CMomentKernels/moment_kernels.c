#include "moment_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define PTQKIT_X86 1
#endif

// Portable: one 4×4 tile at a time, every sum in row order.
static void gram_tiles_portable(const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles) {
    double *out = tiles;
    for (ptrdiff_t ip = 0; ip < panel_count; ip++) {
        const double *pi = panels + ip * n * 4;
        for (ptrdiff_t jp = ip; jp < panel_count; jp++) {
            const double *pj = panels + jp * n * 4;
            double acc[16] = {0};
            for (ptrdiff_t r = 0; r < n; r++) {
                for (int a = 0; a < 4; a++) {
                    double xi = pi[r * 4 + a];
                    for (int b = 0; b < 4; b++) {
                        double product = xi * pj[r * 4 + b];
                        acc[a * 4 + b] = acc[a * 4 + b] + product;
                    }
                }
            }
            for (int k = 0; k < 16; k++) out[k] = acc[k];
            out += 16;
        }
    }
}

#ifdef PTQKIT_X86
// AVX2 + FMA: tiles of one i-panel against up to three j-panels at once (12 accumulators of 4 doubles).
__attribute__((target("avx2,fma")))
static void gram_tiles_avx2(const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles) {
    double *out = tiles;
    for (ptrdiff_t ip = 0; ip < panel_count; ip++) {
        const double *pi = panels + ip * n * 4;
        ptrdiff_t jp = ip;
        while (jp < panel_count) {
            ptrdiff_t width = panel_count - jp >= 3 ? 3 : panel_count - jp;
            const double *p0 = panels + jp * n * 4;
            const double *p1 = width > 1 ? panels + (jp + 1) * n * 4 : p0;
            const double *p2 = width > 2 ? panels + (jp + 2) * n * 4 : p0;
            __m256d c[3][4];
            for (int t = 0; t < 3; t++)
                for (int a = 0; a < 4; a++) c[t][a] = _mm256_setzero_pd();
            for (ptrdiff_t r = 0; r < n; r++) {
                __m256d x0 = _mm256_loadu_pd(p0 + r * 4);
                __m256d x1 = _mm256_loadu_pd(p1 + r * 4);
                __m256d x2 = _mm256_loadu_pd(p2 + r * 4);
                for (int a = 0; a < 4; a++) {
                    __m256d xi = _mm256_broadcast_sd(pi + r * 4 + a);
                    c[0][a] = _mm256_fmadd_pd(xi, x0, c[0][a]);
                    c[1][a] = _mm256_fmadd_pd(xi, x1, c[1][a]);
                    c[2][a] = _mm256_fmadd_pd(xi, x2, c[2][a]);
                }
            }
            for (ptrdiff_t t = 0; t < width; t++) {
                for (int a = 0; a < 4; a++) _mm256_storeu_pd(out + a * 4, c[t][a]);
                out += 16;
            }
            jp += width;
        }
    }
}

static int has_avx2_fma(void) {
    __builtin_cpu_init();  // idempotent; afterwards the checks read the CPU model data
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

int ptqkit_gram_path(void) {
#ifdef PTQKIT_X86
    if (has_avx2_fma()) return 2;
#endif
    return 0;
}

void ptqkit_gram_tiles_on(int path, const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles) {
#ifdef PTQKIT_X86
    if (path == 2 && has_avx2_fma()) {
        gram_tiles_avx2(panels, n, panel_count, tiles);
        return;
    }
#endif
    gram_tiles_portable(panels, n, panel_count, tiles);
}

void ptqkit_gram_tiles(const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles) {
    ptqkit_gram_tiles_on(ptqkit_gram_path(), panels, n, panel_count, tiles);
}
