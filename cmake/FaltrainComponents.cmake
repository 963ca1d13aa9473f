# The library's components: one folder under include/faltrain/ and src/, one target each
# (faltrain::<name>). `client` is always built; the others can be left out. A component whose
# prerequisite is left out is refused here, with the option to change, rather than half-built.
#
#   component  prerequisites        own dependencies
#   client     -                    libcurl, simdjson, fmt, libzip (Boost.Outcome public)
#   webhooks   client               OpenSSL
#   jobs       client, webhooks     -
#   sqlite     jobs                 SQLite3
#   postgres   jobs, sqlite         libpq (OpenJobStore picks PostgreSQL or SQLite by URL)
#   testing    client, webhooks     OpenSSL
#   preflight  client               OpenCV (core, imgproc, imgcodecs, objdetect) + opencv-data
option(FALTRAIN_WITH_WEBHOOKS "Build faltrain::webhooks (parse and verify fal's webhooks)" ON)
option(FALTRAIN_WITH_JOBS "Build faltrain::jobs (JobStore, webhook processing, reconciler)" ON)
option(FALTRAIN_WITH_SQLITE "Build faltrain::sqlite (the SQLite JobStore)" ON)
option(FALTRAIN_WITH_POSTGRES "Build faltrain::postgres (the PostgreSQL JobStore, needs libpq)" ON)
option(FALTRAIN_WITH_TESTING "Build faltrain::testing (the fal simulator, test mode)" ON)
option(FALTRAIN_WITH_PREFLIGHT "Build faltrain::preflight (photo checks before training, needs OpenCV)" ON)

set(FALTRAIN_COMPONENT_PREREQUISITES_webhooks client)
set(FALTRAIN_COMPONENT_PREREQUISITES_jobs client webhooks)
set(FALTRAIN_COMPONENT_PREREQUISITES_sqlite jobs)
set(FALTRAIN_COMPONENT_PREREQUISITES_postgres jobs sqlite)  # OpenJobStore falls back to SQLite
set(FALTRAIN_COMPONENT_PREREQUISITES_testing client webhooks)
set(FALTRAIN_COMPONENT_PREREQUISITES_preflight client)

set(FALTRAIN_COMPONENTS client)
foreach(_component IN ITEMS webhooks jobs sqlite postgres testing preflight)
  string(TOUPPER "${_component}" _upper)
  if(NOT FALTRAIN_WITH_${_upper})
    continue()
  endif()
  foreach(_prerequisite IN LISTS FALTRAIN_COMPONENT_PREREQUISITES_${_component})
    if(NOT _prerequisite IN_LIST FALTRAIN_COMPONENTS)
      string(TOUPPER "${_prerequisite}" _prerequisite_upper)
      message(FATAL_ERROR "faltrain::${_component} needs faltrain::${_prerequisite}: set "
                          "FALTRAIN_WITH_${_prerequisite_upper}=ON or FALTRAIN_WITH_${_upper}=OFF")
    endif()
  endforeach()
  list(APPEND FALTRAIN_COMPONENTS ${_component})
endforeach()
message(STATUS "faltrain components: ${FALTRAIN_COMPONENTS}")

# faltrain_requires(<what> [COMPONENTS <c>...] [TARGETS <t>...]) -> sets FALTRAIN_HAS_ALL in the
# caller; when a component or target is missing, says which and that <what> is skipped.
function(faltrain_requires what)
  cmake_parse_arguments(ARG "" "" "COMPONENTS;TARGETS" ${ARGN})
  set(_missing "")
  foreach(_component IN LISTS ARG_COMPONENTS)
    if(NOT _component IN_LIST FALTRAIN_COMPONENTS)
      list(APPEND _missing "faltrain::${_component}")
    endif()
  endforeach()
  foreach(_target IN LISTS ARG_TARGETS)
    if(NOT TARGET ${_target})
      list(APPEND _missing "${_target}")
    endif()
  endforeach()
  if(_missing)
    list(JOIN _missing ", " _missing_text)
    message(STATUS "faltrain: skipping ${what}: it needs ${_missing_text} (not built)")
    set(FALTRAIN_HAS_ALL OFF PARENT_SCOPE)
  else()
    set(FALTRAIN_HAS_ALL ON PARENT_SCOPE)
  endif()
endfunction()

# faltrain_skip_unless(<what> ...): as faltrain_requires, then leaves the calling CMakeLists.txt or
# function when something is missing (a macro, so its return() is the caller's).
macro(faltrain_skip_unless what)
  faltrain_requires("${what}" ${ARGN})
  if(NOT FALTRAIN_HAS_ALL)
    return()
  endif()
endmacro()
