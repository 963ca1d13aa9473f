# faltrain_find_opencv([REQUIRED]) -> the imported targets opencv_core, opencv_imgproc,
# opencv_imgcodecs and opencv_objdetect (the names OpenCV's own CMake package gives them), and
# FALTRAIN_OPENCV_FOUND.
#
# OpenCV's CMake package (OpenCVConfig.cmake) is used when there is one (libopencv-dev, vcpkg,
# Conan, a source build). Debian 12's per-module packages (libopencv-core-dev, ...) ship none, and
# no opencv4.pc either, so the headers and libraries are then found directly. Installed beside
# faltrainConfig.cmake: a static faltrain::preflight's consumers find OpenCV the same way.
set(_faltrain_opencv_modules core imgproc imgcodecs objdetect)

macro(faltrain_find_opencv)
  cmake_parse_arguments(_FALTRAIN_OPENCV "REQUIRED" "" "" ${ARGN})
  set(FALTRAIN_OPENCV_FOUND FALSE)
  find_package(OpenCV 4 QUIET CONFIG COMPONENTS ${_faltrain_opencv_modules})
  if(OpenCV_FOUND)
    set(FALTRAIN_OPENCV_FOUND TRUE)
  else()
    _faltrain_find_opencv_modules()
  endif()
  if(NOT FALTRAIN_OPENCV_FOUND AND _FALTRAIN_OPENCV_REQUIRED)
    message(FATAL_ERROR "faltrain::preflight needs OpenCV 4 (core, imgproc, imgcodecs, objdetect): "
                        "on Debian install libopencv-core-dev libopencv-imgproc-dev "
                        "libopencv-imgcodecs-dev libopencv-objdetect-dev opencv-data, "
                        "or set FALTRAIN_WITH_PREFLIGHT=OFF")
  endif()
endmacro()

# Without OpenCVConfig.cmake: <prefix>/include/opencv4 and libopencv_<module>.
macro(_faltrain_find_opencv_modules)
  find_path(FALTRAIN_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
  set(FALTRAIN_OPENCV_FOUND TRUE)
  if(NOT FALTRAIN_OPENCV_INCLUDE_DIR)
    set(FALTRAIN_OPENCV_FOUND FALSE)
  endif()
  foreach(_faltrain_module IN LISTS _faltrain_opencv_modules)
    find_library(FALTRAIN_OPENCV_${_faltrain_module}_LIBRARY opencv_${_faltrain_module})
    if(NOT FALTRAIN_OPENCV_${_faltrain_module}_LIBRARY)
      set(FALTRAIN_OPENCV_FOUND FALSE)
    elseif(FALTRAIN_OPENCV_FOUND AND NOT TARGET opencv_${_faltrain_module})
      add_library(opencv_${_faltrain_module} UNKNOWN IMPORTED)
      set_target_properties(opencv_${_faltrain_module} PROPERTIES
        IMPORTED_LOCATION "${FALTRAIN_OPENCV_${_faltrain_module}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${FALTRAIN_OPENCV_INCLUDE_DIR}")
    endif()
  endforeach()
endmacro()
