#pragma once
/// @file
/// faltrain::preflight — checks a training set's photos before a training is paid for (link
/// faltrain::preflight; needs OpenCV and Debian's opencv-data at run time).

#include <faltrain/preflight/contact_sheet.hpp>
#include <faltrain/preflight/fix.hpp>
#include <faltrain/preflight/options.hpp>
#include <faltrain/preflight/preflight.hpp>
#include <faltrain/preflight/report.hpp>
