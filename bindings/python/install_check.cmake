# ctest python_install: `cmake --install` into a fresh prefix, then
# `import libgan` from it (as from ~/.local: PYTHONUSERBASE) finds the
# installed library by itself.
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DPYTHON=... -P install_check.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LIBGAN_LIBRARY --unset=PYTHONPATH
  PYTHONUSERBASE=${WORK_DIR}/prefix PYTHONNOUSERSITE=
  ${PYTHON} -c "import libgan, sys; print(libgan.library_path); r = libgan.Rng(1); sys.exit(0 if libgan.library_path.startswith(sys.argv[1]) else 1)" ${WORK_DIR}/prefix
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "import libgan from the installed prefix failed (${rc}): ${out} ${err}")
endif()
message(STATUS "installed libgan loads ${out}")
