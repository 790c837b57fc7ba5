// OpenBLAS's own cblas.h (it also declares openblas_set_num_threads / get_corename / get_config),
// plus prototypes for the Fortran LAPACK routines libopenblas exports. Debian's libopenblas has no
// LAPACKE, so we call the Fortran ABI directly: column-major, everything by pointer, one hidden
// trailing size_t per CHARACTER argument (gfortran ABI; pass 1).
#include <stddef.h>
#include <cblas.h>

void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda,
             float *b, const int *ldb, int *info, size_t uplo_len);
void sposv_(const char *uplo, const int *n, const int *nrhs, float *a, const int *lda,
            float *b, const int *ldb, int *info, size_t uplo_len);
void spotri_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

// Software prefetch for the gather of factor rows (random rows miss the caches; prefetching a few
// rows ahead overlaps those misses). Hint only: no effect on results.
static inline __attribute__((always_inline)) void zhongcao_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}
