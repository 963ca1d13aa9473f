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

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/faltrainConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/faltrainConfig.cmake"
  INSTALL_DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/faltrainConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/faltrainConfig.cmake"
  "${PROJECT_BINARY_DIR}/faltrainConfigVersion.cmake"
  DESTINATION ${FALTRAIN_INSTALL_CMAKEDIR})
