# Installs the library, its headers and a relocatable CMake package:
#   find_package(faltrain CONFIG REQUIRED)  ->  faltrain::faltrain
include(CMakePackageConfigHelpers)

set(FALTRAIN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/faltrain"
    CACHE STRING "Where faltrainConfig.cmake is installed")

install(TARGETS faltrain EXPORT faltrainTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/faltrain"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT faltrainTargets
  NAMESPACE faltrain::
  FILE faltrainTargets.cmake
  DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR})

# A static faltrain carries its private dependencies into consumers' links; the package config
# then has to find them too.
get_target_property(_faltrain_type faltrain TYPE)
if(_faltrain_type STREQUAL "STATIC_LIBRARY")
  set(FALTRAIN_STATIC_LIBRARY ON)
else()
  set(FALTRAIN_STATIC_LIBRARY OFF)
endif()

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
  DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR})
