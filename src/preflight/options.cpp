#include <faltrain/preflight/options.hpp>

#include <algorithm>

namespace faltrain {
inline namespace v1 {

PreflightOptions PreflightOptionsFor(const TrainerSpec& trainer) {
  PreflightOptions options;
  options.min_photos = std::max<std::size_t>(trainer.min_images, 1);
  if (trainer.max_images) {
    options.max_photos = std::max(std::min(*trainer.max_images, options.max_photos), options.min_photos);
  }
  return options;
}

}  // namespace v1
}  // namespace faltrain
