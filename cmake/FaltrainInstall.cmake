# Installs each component (library, headers, an export set and a pkg-config file of its own) and a
# relocatable CMake package:
#   find_package(faltrain CONFIG REQUIRED COMPONENTS client webhooks ...)  ->  faltrain::<component>
#   find_package(faltrain CONFIG REQUIRED)                                 ->  every component + faltrain::faltrain
include(CMakePackageConfigHelpers)

set(FALTRAIN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/faltrain"
    CACHE STRING "Where faltrainConfig.cmake is installed")
set(FALTRAIN_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where the faltrain*.pc files are installed")

# pkg-config modules each component's library needs (Requires: of its .pc file). Components are
# static by default, so their private dependencies are listed as public requirements.
set(_faltrain_pc_requires_client "libcurl simdjson fmt libzip")
set(_faltrain_pc_requires_webhooks "faltrain-client libcrypto")
set(_faltrain_pc_requires_jobs "faltrain-webhooks")
set(_faltrain_pc_requires_sqlite "faltrain-jobs sqlite3")
set(_faltrain_pc_requires_postgres "faltrain-sqlite libpq")
set(_faltrain_pc_requires_testing "faltrain-webhooks libcrypto")
# OpenCV's opencv4.pc comes only with libopencv-dev; without it the libraries are named directly.
set(_faltrain_pc_requires_preflight "faltrain-client")
set(_faltrain_pc_libs_preflight "")
if(FALTRAIN_WITH_PREFLIGHT)
  pkg_check_modules(_faltrain_opencv4_pc QUIET opencv4)
  if(_faltrain_opencv4_pc_FOUND)
    string(APPEND _faltrain_pc_requires_preflight " opencv4")
  else()
    set(_faltrain_pc_libs_preflight "-lopencv_objdetect -lopencv_imgcodecs -lopencv_imgproc -lopencv_core")
  endif()
endif()

file(RELATIVE_PATH FALTRAIN_PC_PREFIX_FROM_PCFILEDIR "/prefix/${FALTRAIN_INSTALL_PKGCONFIGDIR}" "/prefix")

foreach(_component IN LISTS FALTRAIN_COMPONENTS)
  install(TARGETS faltrain_${_component} EXPORT faltrain-${_component}-targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT development
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/faltrain/${_component}"
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/faltrain COMPONENT development)
  install(FILES "${PROJECT_SOURCE_DIR}/include/faltrain/${_component}.hpp"
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/faltrain COMPONENT development)
  install(EXPORT faltrain-${_component}-targets
    NAMESPACE faltrain::
    FILE faltrain-${_component}-targets.cmake
    DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR} COMPONENT development)

  set(FALTRAIN_PC_NAME "faltrain-${_component}")
  set(FALTRAIN_PC_DESCRIPTION "faltrain::${_component}")
  set(FALTRAIN_PC_REQUIRES "${_faltrain_pc_requires_${_component}}")
  set(FALTRAIN_PC_LIBS "-lfaltrain_${_component} ${_faltrain_pc_libs_${_component}}")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/faltrain.pc.in"
                 "${PROJECT_BINARY_DIR}/pkgconfig/faltrain-${_component}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/faltrain-${_component}.pc"
          DESTINATION ${FALTRAIN_INSTALL_PKGCONFIGDIR} COMPONENT development)
endforeach()
install(TARGETS faltrain EXPORT faltrain-all-targets)
install(EXPORT faltrain-all-targets NAMESPACE faltrain:: FILE faltrain-all-targets.cmake
        DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR} COMPONENT development)
install(FILES "${PROJECT_BINARY_DIR}/include/faltrain/faltrain.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/faltrain COMPONENT development)

# faltrain.pc: every installed component.
set(FALTRAIN_PC_NAME "faltrain")
set(FALTRAIN_PC_DESCRIPTION "every faltrain component")
list(TRANSFORM FALTRAIN_COMPONENTS PREPEND "faltrain-" OUTPUT_VARIABLE _faltrain_pc_all)
list(JOIN _faltrain_pc_all " " FALTRAIN_PC_REQUIRES)
set(FALTRAIN_PC_LIBS "")
configure_file("${PROJECT_SOURCE_DIR}/cmake/faltrain.pc.in" "${PROJECT_BINARY_DIR}/pkgconfig/faltrain.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/faltrain.pc"
        DESTINATION ${FALTRAIN_INSTALL_PKGCONFIGDIR} COMPONENT development)

get_target_property(_faltrain_type faltrain_client TYPE)
if(_faltrain_type STREQUAL "STATIC_LIBRARY")
  set(FALTRAIN_STATIC_LIBRARY ON)
else()
  set(FALTRAIN_STATIC_LIBRARY OFF)
endif()
set(FALTRAIN_INSTALLED_COMPONENTS "${FALTRAIN_COMPONENTS}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/faltrainConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/faltrainConfig.cmake"
  INSTALL_DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/faltrainConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  # Before 1.0 a minor release may break the API.
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/faltrainConfig.cmake"
  "${PROJECT_BINARY_DIR}/faltrainConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/FaltrainFindOpenCV.cmake"
  DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR} COMPONENT development)

include(FaltrainPackaging)
