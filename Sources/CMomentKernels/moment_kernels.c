#include "moment_kernels.h"

#include "cpu_dispatch.h"

#include <string.h>

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

#endif

int ptqkit_gram_path(void) {
#ifdef PTQKIT_X86
    if (PTQKIT_CPU_HAS("avx2") && PTQKIT_CPU_HAS("fma")) return 2;
#endif
    return 0;
}

void ptqkit_gram_tiles_on(int path, const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles) {
#ifdef PTQKIT_X86
    if (path == 2 && PTQKIT_CPU_HAS("avx2") && PTQKIT_CPU_HAS("fma")) {
        gram_tiles_avx2(panels, n, panel_count, tiles);
        return;
    }
#endif
    gram_tiles_portable(panels, n, panel_count, tiles);
}

void ptqkit_gram_tiles(const double *panels, ptrdiff_t n, ptrdiff_t panel_count, double *tiles) {
    ptqkit_gram_tiles_on(ptqkit_gram_path(), panels, n, panel_count, tiles);
}

enum { BIN_BITS = 32, LIMBS = 3, LOWEST_BIT = -1088 };

void ptqkit_binned_add(int32_t *top, int64_t *limbs, double value) {
    if (value == 0) return;
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    int negative = (int)(bits >> 63);
    int exponent = (int)((bits >> 52) & 0x7FF);
    uint64_t significand = bits & ((UINT64_C(1) << 52) - 1);
    int lsb = -1074;  // value = ±significand · 2^lsb
    if (exponent != 0) {
        significand |= UINT64_C(1) << 52;
        lsb = exponent - 1075;
    }
    int leading = lsb + (63 - __builtin_clzll(significand));
    int32_t value_top = (int32_t)((leading - LOWEST_BIT) >> 5);
    int32_t window = *top;
    if (value_top > window) {
        if (window >= 0) {
            int by = value_top - window;
            for (int k = LIMBS - 1; k >= 0; k--) limbs[k] = k - by >= 0 ? limbs[k - by] : 0;
        }
        *top = value_top;
        window = value_top;
    }
    for (int k = 0; k < LIMBS; k++) {
        int offset = (window - k) * BIN_BITS + LOWEST_BIT - lsb;  // the bin's lowest bit in the significand
        uint64_t piece;
        if (offset >= 53 || offset <= -BIN_BITS) {
            piece = 0;
        } else if (offset >= 0) {
            piece = (significand >> offset) & 0xFFFFFFFFu;
        } else {
            piece = (significand << (-offset)) & 0xFFFFFFFFu;
        }
        uint64_t limb = (uint64_t)limbs[k];
        limbs[k] = (int64_t)(negative ? limb - piece : limb + piece);  // two's complement, no overflow UB
    }
}

void ptqkit_binned_add_tiles(
    const double *tiles, ptrdiff_t panel_count, ptrdiff_t features, int32_t *top, int64_t *limbs) {
    const double *tile = tiles;
    for (ptrdiff_t ip = 0; ip < panel_count; ip++) {
        for (ptrdiff_t jp = ip; jp < panel_count; jp++, tile += 16) {
            for (ptrdiff_t a = 0; a < 4; a++) {
                ptrdiff_t i = 4 * ip + a;
                if (i >= features) break;
                for (ptrdiff_t b = 0; b < 4; b++) {
                    ptrdiff_t j = 4 * jp + b;
                    if (j >= features) break;
                    if (j < i) continue;
                    ptrdiff_t index = i * features - i * (i - 1) / 2 + (j - i);
                    ptqkit_binned_add(top + index, limbs + index * LIMBS, tile[a * 4 + b]);
                }
            }
        }
    }
}
