#include <faltrain/preflight/contact_sheet.hpp>

#include "preflight/detail/decode.hpp"
#include "preflight/detail/image_probe.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace {

constexpr int kPad = 10;          // around each thumbnail, inside its cell
constexpr int kFrame = 4;         // the verdict frame's width
constexpr int kLineHeight = 16;   // caption lines
constexpr int kCaptionLines = 3;  // the name, then reasons wrapped over two lines
constexpr double kFontScale = 0.4;

cv::Scalar VerdictColour(Verdict v) {  // BGR
  switch (v) {
    case Verdict::kOk: return {60, 170, 40};
    case Verdict::kWarn: return {0, 150, 255};
    case Verdict::kReject: return {40, 40, 220};
  }
  return {128, 128, 128};
}

// The photo at thumbnail size, or a grey tile when it cannot be decoded.
cv::Mat Thumbnail(const std::string& bytes, int side) {
  cv::Mat thumbnail;
  try {
    const auto probe = detail::ProbeImage(bytes);
    if (!probe.format.empty())
      thumbnail = detail::DecodeForSide(bytes, probe, side, /*color=*/true);
  } catch (const cv::Exception&) {
    thumbnail.release();
  }
  if (thumbnail.empty())
    thumbnail = cv::Mat(side * 3 / 4, side, CV_8UC3, cv::Scalar(150, 150, 150));
  return thumbnail;
}

void DrawFaces(cv::Mat& thumbnail, const PhotoCheck& photo) {
  if (photo.width <= 0) return;
  const double scale = static_cast<double>(thumbnail.cols) / photo.width;
  for (const auto& face : photo.faces) {
    const cv::Rect box(static_cast<int>(std::lround(face.x * scale)),
                       static_cast<int>(std::lround(face.y * scale)),
                       static_cast<int>(std::lround(face.width * scale)),
                       static_cast<int>(std::lround(face.height * scale)));
    cv::rectangle(thumbnail, box, cv::Scalar(0, 230, 255), 2);
  }
}

// "name", then the reasons joined by ", " and wrapped to lines of at most `width` characters.
std::vector<std::string> Caption(const PhotoCheck& photo, std::size_t width) {
  std::vector<std::string> lines = {photo.name.substr(0, width)};
  std::string line = photo.reasons.empty() ? std::string(to_string(photo.verdict)) : "";
  for (std::size_t i = 0; i < photo.reasons.size(); ++i) {
    const bool last = i + 1 == photo.reasons.size();
    const std::string word = std::string(to_string(photo.reasons[i])) + (last ? "" : ",");
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  lines.push_back(line);
  lines.resize(std::min<std::size_t>(lines.size(), kCaptionLines));
  return lines;
}

void DrawCell(cv::Mat& sheet, cv::Point origin, int side, const PhotoCheck& photo,
              const std::string& bytes) {
  cv::Mat thumbnail = Thumbnail(bytes, side);
  DrawFaces(thumbnail, photo);
  const cv::Rect placed(origin.x + kPad + (side - thumbnail.cols) / 2,
                        origin.y + kPad + (side - thumbnail.rows) / 2, thumbnail.cols,
                        thumbnail.rows);
  thumbnail.copyTo(sheet(placed));
  const cv::Rect frame(placed.x - kFrame / 2 - 1, placed.y - kFrame / 2 - 1,
                       placed.width + kFrame + 1, placed.height + kFrame + 1);
  cv::rectangle(sheet, frame, VerdictColour(photo.verdict), kFrame);
  int y = origin.y + kPad + side + kPad + kLineHeight - 4;
  for (const auto& line : Caption(photo, static_cast<std::size_t>(side / 7))) {
    cv::putText(sheet, line, cv::Point(origin.x + kPad, y), cv::FONT_HERSHEY_SIMPLEX, kFontScale,
                cv::Scalar(30, 30, 30), 1, cv::LINE_AA);
    y += kLineHeight;
  }
}

result<std::string> Render(const TrainingSet& set, const PreflightReport& report,
                           const ContactSheetOptions& options) {
  const int count = static_cast<int>(report.photos.size());
  const int columns = options.columns > 0
                          ? options.columns
                          : std::clamp(static_cast<int>(std::ceil(std::sqrt(count))), 1, 5);
  const int rows = std::max(1, (count + columns - 1) / columns);
  const int side = options.thumbnail_side;
  const cv::Size cell(side + 2 * kPad, side + 3 * kPad + kCaptionLines * kLineHeight);
  cv::Mat sheet(rows * cell.height, columns * cell.width, CV_8UC3, cv::Scalar(245, 245, 245));
  for (int i = 0; i < count; ++i) {
    const cv::Point origin((i % columns) * cell.width, (i / columns) * cell.height);
    DrawCell(sheet, origin, side, report.photos[i], set.images()[i].bytes);
  }
  std::vector<uchar> png;
  if (!cv::imencode(".png", sheet, png)) {
    return fail(errc::io_error, "cannot encode the contact sheet");
  }
  return std::string(png.begin(), png.end());
}

}  // namespace

result<std::string> ContactSheetPng(const TrainingSet& set, const PreflightReport& report,
                                    const ContactSheetOptions& options) {
  if (report.photos.size() != set.images().size()) {
    return fail(errc::invalid_argument,
                "the report is not of this training set (photo counts differ)");
  }
  if (options.thumbnail_side < 64 || options.thumbnail_side > 1024 || options.columns < 0) {
    return fail(errc::invalid_argument, "thumbnail_side must be 64..1024 and columns >= 0");
  }
  try {
    return Render(set, report, options);
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("contact sheet: ") + e.what());
  }
}

}  // namespace v1
}  // namespace faltrain
