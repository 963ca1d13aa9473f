# The docs/reference test: runs Doxygen with Doxyfile.check and fails, listing them, on any
# warning (an undocumented public symbol, a documentation error) or on Doxygen's own errors.
#   cmake -DDOXYGEN=<doxygen> -DDOXYFILE=<Doxyfile.check> -DOUTPUT_DIR=<dir> -DWARN_LOG=<file> -P check_reference.cmake
foreach(_var IN ITEMS DOXYGEN DOXYFILE OUTPUT_DIR WARN_LOG)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "check_reference.cmake: -D${_var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${OUTPUT_DIR}")
file(MAKE_DIRECTORY "${OUTPUT_DIR}")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "doxygen failed (exit ${_rc}):\n${_out}${_err}")
endif()

set(_warnings "")
if(EXISTS "${WARN_LOG}")
  file(READ "${WARN_LOG}" _warnings)
endif()
# Anything Doxygen says on stderr besides the log (configuration problems) fails the test too.
string(STRIP "${_warnings}${_err}" _warnings)
if(_warnings)
  string(REGEX MATCHALL "warning:" _count "${_warnings}")
  list(LENGTH _count _count)
  message("${_warnings}\n")
  message(FATAL_ERROR "${_count} Doxygen warning(s) above: document every public symbol and fix "
                      "the comments they name (log: ${WARN_LOG})")
endif()
message(STATUS "API reference: no Doxygen warnings")
