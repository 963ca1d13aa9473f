// faltrain-demo: the whole avatar story offline — fal simulated on 127.0.0.1, the webhook receiver,
// a training over HTTP, the signed webhook, an image — and everything it started stopped again.
// Public API only (include/faltrain); see README.md beside this file.

#include "demo_options.hpp"
#include "demo_story.hpp"
#include "interrupt_watch.hpp"

#include <signal.h>

#include <cstdio>

int main(int argc, char** argv) {
  // First, before any thread exists: Ctrl-C and SIGTERM become a cancellation, not a sudden death.
  faltrain_demo::InterruptWatch interrupts;
  signal(SIGPIPE, SIG_IGN);

  auto options = faltrain_demo::ParseDemoOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr, "faltrain-demo: %s\n", options.error().message.c_str());
    return 1;
  }
  if (options.value().help) {
    std::fputs(faltrain_demo::DemoUsage().c_str(), stdout);
    return 0;
  }
  faltrain_demo::DemoStory story(options.value(), interrupts.token(), stdout);
  const int code = story.Run();
  if (code == 130 && interrupts.signal() == SIGTERM) return 143;
  return code;
}
