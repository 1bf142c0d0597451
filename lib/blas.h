/* The one place that includes the CBLAS header chosen at configure time. */
#ifndef GAN_BLAS_H
#define GAN_BLAS_H

#ifndef GAN_BLAS_HEADER
#define GAN_BLAS_HEADER "cblas.h"
#endif
#include GAN_BLAS_HEADER

#endif
