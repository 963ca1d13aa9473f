#pragma once
/// @file
/// faltrain::testing — test mode: the fal simulator, a scripted transport, CreateTrainingClient (link faltrain::testing).

#include <faltrain/testing/sim_status_stream.hpp>
#include <faltrain/testing/sim_transport.hpp>
#include <faltrain/testing/scripted_transport.hpp>
#include <faltrain/testing/test_mode.hpp>
