# Finds a CBLAS: OpenBLAS (default) or the reference CBLAS, chosen by the
# cache variable GAN_BLAS. Sets GAN_BLAS_NAME, GAN_BLAS_LIBRARIES,
# GAN_BLAS_INCLUDE_DIRS, GAN_BLAS_IS_OPENBLAS and GAN_BLAS_PC (pkg-config name).
find_package(PkgConfig QUIET)
set(GAN_BLAS_IS_OPENBLAS OFF)
set(GAN_BLAS_HEADER "cblas.h")
if(GAN_BLAS STREQUAL "OpenBLAS")
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(GAN_OPENBLAS_PC QUIET openblas)
  endif()
  find_path(GAN_BLAS_INCLUDE_DIR NAMES cblas.h
    HINTS ${GAN_OPENBLAS_PC_INCLUDE_DIRS}
    PATH_SUFFIXES openblas openblas-pthread x86_64-linux-gnu/openblas-pthread)
  find_library(GAN_BLAS_LIBRARY NAMES openblas
    HINTS ${GAN_OPENBLAS_PC_LIBRARY_DIRS}
    PATH_SUFFIXES openblas-pthread x86_64-linux-gnu/openblas-pthread)
  if(NOT GAN_BLAS_INCLUDE_DIR OR NOT GAN_BLAS_LIBRARY)
    message(FATAL_ERROR "OpenBLAS not found (install libopenblas-dev), or configure with -DGAN_BLAS=CBLAS")
  endif()
  set(GAN_BLAS_IS_OPENBLAS ON)
  set(GAN_BLAS_PC "openblas")
elseif(GAN_BLAS STREQUAL "CBLAS")
  # Debian's reference BLAS (libblas-dev) carries the CBLAS symbols; look in
  # its own folder first so the alternatives symlink (often OpenBLAS) is not
  # picked up by mistake.
  find_path(GAN_BLAS_INCLUDE_DIR NAMES cblas-netlib.h cblas.h
    PATH_SUFFIXES x86_64-linux-gnu aarch64-linux-gnu)
  find_library(GAN_BLAS_LIBRARY NAMES cblas blas
    PATHS /usr/lib/x86_64-linux-gnu/blas /usr/lib/aarch64-linux-gnu/blas
    NO_DEFAULT_PATH)
  if(NOT GAN_BLAS_LIBRARY)
    find_library(GAN_BLAS_LIBRARY NAMES cblas blas)
  endif()
  if(NOT GAN_BLAS_INCLUDE_DIR OR NOT GAN_BLAS_LIBRARY)
    message(FATAL_ERROR "Reference CBLAS not found (install libblas-dev)")
  endif()
  if(EXISTS "${GAN_BLAS_INCLUDE_DIR}/cblas-netlib.h")
    set(GAN_BLAS_HEADER "cblas-netlib.h")
  endif()
  set(GAN_BLAS_PC "blas-netlib")
else()
  message(FATAL_ERROR "GAN_BLAS must be OpenBLAS or CBLAS, not '${GAN_BLAS}'")
endif()
set(GAN_BLAS_NAME "${GAN_BLAS}")
set(GAN_BLAS_LIBRARIES ${GAN_BLAS_LIBRARY})
set(GAN_BLAS_INCLUDE_DIRS ${GAN_BLAS_INCLUDE_DIR})
message(STATUS "libgan CBLAS: ${GAN_BLAS_NAME} -> ${GAN_BLAS_LIBRARY} (cblas.h in ${GAN_BLAS_INCLUDE_DIR})")
