# Install libgan into WORK_DIR/prefix, then build consumer.c twice: with
# pkg-config flags and with find_package(gan). Run both.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
macro(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
endmacro()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
# pkg-config
set(ENV{PKG_CONFIG_PATH} "${prefix}/lib/pkgconfig:${prefix}/lib/x86_64-linux-gnu/pkgconfig")
run(pkg-config --cflags --libs gan)
string(STRIP "${out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(cc -std=c11 -Wall -Wextra -Wpedantic -Werror ${SOURCE_DIR}/tests/consumer/consumer.c ${flags}
    -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/consumer_pkgconfig)
run(${WORK_DIR}/consumer_pkgconfig)
message(STATUS "pkg-config: ${out}")
# static linking through pkg-config --static
run(pkg-config --cflags --libs --static gan)
string(STRIP "${out}" sflags)
separate_arguments(sflags UNIX_COMMAND "${sflags}")
run(cc -std=c11 ${SOURCE_DIR}/tests/consumer/consumer.c -Wl,-Bstatic -lgan -Wl,-Bdynamic ${sflags}
    -o ${WORK_DIR}/consumer_static)
run(${WORK_DIR}/consumer_static)
message(STATUS "static: ${out}")
# find_package
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_RPATH=${prefix}/lib)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer_cmake)
message(STATUS "find_package: ${out}")
