// Preflight of 20 photos of 12 megapixels (4000x3000 JPEGs, quality 90, made at start-up from
// python3-skimage's real photos: portraits, scenes, a cat; each distinct). Goal: <= 2 s on the
// 2-core build machine.
//   BM_Preflight/threads:0   the default (one worker per hardware thread): the figure to report
//   BM_Preflight/threads:1   one worker
//   BM_FullDecode            the baseline: decoding the same 20 JPEGs at full resolution (colour,
//                            as a naive check would before measuring anything), one thread
// Each Preflight run also reports `x_faster_than_full_decode`: the baseline's time (measured once,
// in the same process) divided by the run's time. "CPU" is the whole process's CPU time (all
// threads): on a machine shared with other work, CPU / cores is the wall time it would take alone.
//   faltrain_bench_preflight --benchmark_min_time=2 --benchmark_repetitions=3

#include <faltrain/preflight.hpp>

#include <benchmark/benchmark.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr int kPhotos = 20;
const cv::Size kTwelveMegapixels(4000, 3000);

cv::Mat Sample(const char* name) {
  cv::Mat photo = cv::imread(std::string(FALTRAIN_SKIMAGE_DATA) + "/" + name, cv::IMREAD_COLOR);
  if (photo.empty()) {
    std::fprintf(stderr, "cannot read %s/%s\n", FALTRAIN_SKIMAGE_DATA, name);
    std::exit(1);
  }
  return photo;
}

// Photo `i`: a sample enlarged to cover 4000x3000, cropped at an offset that depends on `i`, and
// mirrored every other time, so no two photos are the same.
std::string TwelveMegapixelJpeg(int i) {
  static const char* const kSamples[] = {"astronaut.png", "coffee.png", "chelsea.png",
                                         "camera.png",    "rocket.jpg", "motorcycle_left.png"};
  const cv::Mat sample = Sample(kSamples[i % 6]);
  const double scale = 1.1 * std::max(4000.0 / sample.cols, 3000.0 / sample.rows);
  cv::Mat big;
  cv::resize(sample, big, cv::Size(), scale, scale, cv::INTER_LINEAR);
  const int dx = (big.cols - 4000) * (i % 4) / 3, dy = (big.rows - 3000) * (i % 3) / 2;
  cv::Mat photo = big(cv::Rect(cv::Point(dx, dy), kTwelveMegapixels)).clone();
  if (i % 2) cv::flip(photo, photo, 1);
  std::vector<uchar> bytes;
  cv::imencode(".jpg", photo, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  return std::string(bytes.begin(), bytes.end());
}

const faltrain::TrainingSet& Photos() {
  static const faltrain::TrainingSet set = [] {
    faltrain::TrainingSet photos;
    for (int i = 0; i < kPhotos; ++i) {
      auto added = photos.AddImage("photo" + std::to_string(i) + ".jpg", TwelveMegapixelJpeg(i));
      if (!added) std::exit(1);
    }
    return photos;
  }();
  return set;
}

void DecodeAllFullSize(const faltrain::TrainingSet& set) {
  for (const auto& image : set.images()) {
    const cv::Mat data(1, static_cast<int>(image.bytes.size()), CV_8U,
                       const_cast<char*>(image.bytes.data()));
    benchmark::DoNotOptimize(cv::imdecode(data, cv::IMREAD_COLOR));
  }
}

// The baseline's seconds, measured once (best of two).
double FullDecodeSeconds() {
  static const double seconds = [] {
    double best = 1e9;
    for (int run = 0; run < 2; ++run) {
      const auto start = std::chrono::steady_clock::now();
      DecodeAllFullSize(Photos());
      best = std::min(
          best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
  }();
  return seconds;
}

void BM_Preflight(benchmark::State& state) {
  const auto& set = Photos();
  const double baseline = FullDecodeSeconds();
  faltrain::PreflightOptions options;
  options.threads = static_cast<unsigned>(state.range(0));
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto report = faltrain::Preflight(set, options);
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!report) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(report.value().verdict);
  }
  state.counters["photos_per_s"] = benchmark::Counter(
      kPhotos * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["x_faster_than_full_decode"] = baseline / (total / state.iterations());
}
BENCHMARK(BM_Preflight)
    ->ArgName("threads")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_FullDecode(benchmark::State& state) {
  const auto& set = Photos();
  for (auto _ : state) DecodeAllFullSize(set);
}
BENCHMARK(BM_FullDecode)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
