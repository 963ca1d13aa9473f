#pragma once
// `faltrain check DIR`: the photo check of faltrain::preflight, as a table or (--json) one JSON
// object; and the same check run by `faltrain train` before it uploads a folder.

#include "commands.hpp"

#include <faltrain/client/trainers.hpp>
#include <faltrain/client/training_set.hpp>

namespace faltrain_cli {

/// The `check` entry of the command table.
Command CheckCommand();

/// Checks `set` for `trainer` before `train` uploads it: prints the report and returns
/// kExitInputError when the set is not usable (rejected photos, or too few); otherwise prints any
/// warnings (text mode) and returns kExitOk.
int CheckBeforeTraining(const Context& ctx, const faltrain::TrainingSet& set,
                        const faltrain::TrainerSpec& trainer);

}  // namespace faltrain_cli
