# Fails when a doctest TEST_CASE name holds ';': doctest_discover_tests hands the name to CMake as a
# list, ctest then runs `--test-case=<first piece>`, which matches no test case, and the test
# "passes" having run nothing. Usage: cmake -DTESTS_DIR=<tests folder> -P check_test_names.cmake
file(GLOB_RECURSE _sources "${TESTS_DIR}/*.cpp")
set(_bad "")
foreach(_source IN LISTS _sources)
  file(STRINGS "${_source}" _lines REGEX "TEST_CASE\\(\"[^\"]*\\;")
  foreach(_line IN LISTS _lines)
    string(APPEND _bad "\n  ${_source}: ${_line}")
  endforeach()
endforeach()
if(_bad)
  message(FATAL_ERROR "test case names with ';' (ctest would run none of them):${_bad}")
endif()
message(STATUS "no test case name holds ';'")
