#include <faltrain/client/training_set.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

using namespace faltrain;
namespace fs = std::filesystem;

namespace {

// Only the signature matters to TrainingSet; the tail makes every photo distinct.
std::string Jpeg(std::string tail) { return std::string("\xFF\xD8\xFF\xE0", 4) + tail; }
std::string Png(std::string tail) { return std::string("\x89PNG\r\n\x1A\n", 8) + tail; }
std::string Webp(std::string tail) { return std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16) + tail; }

// Reads a zip with libarchive (an independent implementation) into name -> contents.
std::map<std::string, std::string> ReadZip(const std::string& zip) {
  std::map<std::string, std::string> entries;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  REQUIRE(archive_read_open_memory(a, zip.data(), zip.size()) == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry);
    std::string contents;
    char buffer[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0) contents.append(buffer, n);
    REQUIRE(n == 0);
    CHECK(entries.count(name) == 0);
    entries[name] = contents;
  }
  CHECK(rc == ARCHIVE_EOF);
  archive_read_free(a);
  return entries;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("faltrain_ts_" + std::to_string(rd()) + "_" +
                                        std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream out(path / name, std::ios::binary);
    out << bytes;
  }
};

}  // namespace

TEST_CASE("DetectImageType reads signatures, not names") {
  CHECK(DetectImageType(Jpeg("x")) == "image/jpeg");
  CHECK(DetectImageType(Png("x")) == "image/png");
  CHECK(DetectImageType(Webp("x")) == "image/webp");
  CHECK(DetectImageType(std::string("RIFF\x10\x00\x00\x00WAVE", 12)) == "");
  CHECK(DetectImageType("GIF89a....") == "");
  CHECK(DetectImageType("\xFF\xD8") == "");
  CHECK(DetectImageType(std::string("RIFF\x10\x00\x00\x00WEB", 11)) == "");
  CHECK(DetectImageType("") == "");
}

TEST_CASE("AddImage rejects bad names, formats and duplicates") {
  TrainingSet set;
  CHECK(set.AddImage("face01.jpg", Jpeg("1")));
  auto expect_invalid = [&](std::string name, std::string bytes) {
    auto r = set.AddImage(name, bytes);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
  };
  expect_invalid("", Jpeg("2"));
  expect_invalid("dir/face.jpg", Jpeg("2"));
  expect_invalid("..\\face.jpg", Jpeg("2"));
  expect_invalid("../face.jpg", Jpeg("2"));
  expect_invalid("a..b.jpg", Jpeg("2"));
  expect_invalid(".hidden.jpg", Jpeg("2"));
  expect_invalid("C:face.jpg", Jpeg("2"));
  expect_invalid(std::string("fa\nce.jpg"), Jpeg("2"));
  expect_invalid("face", Jpeg("2"));
  expect_invalid("notes.txt", Jpeg("2"));
  expect_invalid("text.jpg", "just some text");
  expect_invalid("empty.jpg", "");
  expect_invalid("FACE01.JPG", Jpeg("2"));   // same name, other case
  expect_invalid("face01.png", Png("2"));    // same stem: captions would collide
  CHECK(set.images().size() == 1);
  // Content decides the format, so a PNG named .jpg is accepted.
  CHECK(set.AddImage("face02.jpg", Png("2")));
  CHECK(set.AddImage("face03.WEBP", Webp("3"), "a caption"));
  CHECK(set.images().size() == 3);
  CHECK(set.total_bytes() == Jpeg("1").size() + Png("2").size() + Webp("3").size() + 9);
}

TEST_CASE("limits are enforced when adding and validating") {
  TrainingSetOptions limits;
  limits.min_images = 2;
  limits.max_images = 3;
  limits.max_image_bytes = 100;
  limits.max_total_bytes = 200;
  TrainingSet set(limits);

  auto big = set.AddImage("big.jpg", Jpeg(std::string(100, 'x')));
  REQUIRE_FALSE(big);
  CHECK(big.error().code == errc::payload_too_large);

  auto one = set.Validate();
  REQUIRE_FALSE(one);
  CHECK(one.error().code == errc::invalid_argument);

  REQUIRE(set.AddImage("a.jpg", Jpeg(std::string(90, 'a'))));
  REQUIRE(set.AddImage("b.jpg", Jpeg(std::string(90, 'b'))));
  CHECK(set.Validate());
  auto total = set.AddImage("c.jpg", Jpeg(std::string(90, 'c')));
  REQUIRE_FALSE(total);
  CHECK(total.error().code == errc::payload_too_large);
  REQUIRE(set.AddImage("c.jpg", Jpeg("c")));
  auto count = set.AddImage("d.jpg", Jpeg("d"));
  REQUIRE_FALSE(count);
  CHECK(count.error().code == errc::payload_too_large);

  // A trainer's own minimum wins over the set's.
  auto trainer_min = set.Validate(10);
  REQUIRE_FALSE(trainer_min);
  CHECK(trainer_min.error().message.find("10") != std::string::npos);
  CHECK_FALSE(set.ToZip(10));
}

TEST_CASE("an empty set never makes a zip, whatever the limits") {
  TrainingSetOptions limits;
  limits.min_images = 0;
  TrainingSet set(limits);
  CHECK_FALSE(set.ToZip());
}

TEST_CASE("ToZip writes photos and <stem>.txt captions that another reader gets back") {
  TrainingSet set;
  const std::string a = Jpeg(std::string(5000, 'a'));
  const std::string b = Png("bbbb");
  const std::string c = Webp("cccc");
  const std::string d = Jpeg("dddd");
  REQUIRE(set.AddImage("alice_01.jpeg", a, "a photo of [trigger] smiling"));
  REQUIRE(set.AddImage("alice_02.png", b));
  REQUIRE(set.AddImage("Alice 03.webp", c, "[trigger] in a hat, \u00e9t\u00e9"));
  REQUIRE(set.AddImage("alice_04.JPG", d));

  auto zip = set.ToZip();
  REQUIRE(zip);
  CHECK(zip.value().substr(0, 4) == std::string("PK\x03\x04", 4));
  auto entries = ReadZip(zip.value());
  CHECK(entries.size() == 6);
  CHECK(entries["alice_01.jpeg"] == a);
  CHECK(entries["alice_01.txt"] == "a photo of [trigger] smiling");
  CHECK(entries["alice_02.png"] == b);
  CHECK(entries.count("alice_02.txt") == 0);
  CHECK(entries["Alice 03.webp"] == c);
  CHECK(entries["Alice 03.txt"] == "[trigger] in a hat, \u00e9t\u00e9");
  CHECK(entries["alice_04.JPG"] == d);

  // Fixed timestamps: the same set always makes the same bytes.
  auto again = set.ToZip();
  REQUIRE(again);
  CHECK(again.value() == zip.value());
}

TEST_CASE("AddFile reads the photo and a caption beside it") {
  TempDir dir;
  dir.Write("me.jpg", Jpeg("me"));
  dir.Write("me.txt", "[trigger] at the sea");
  dir.Write("you.png", Png("you"));
  TrainingSet set;
  REQUIRE(set.AddFile(dir.path / "me.jpg"));
  REQUIRE(set.AddFile(dir.path / "you.png"));
  REQUIRE(set.images().size() == 2);
  CHECK(set.images()[0].name == "me.jpg");
  CHECK(set.images()[0].bytes == Jpeg("me"));
  CHECK(set.images()[0].caption == "[trigger] at the sea");
  CHECK(set.images()[1].caption.empty());

  auto missing = set.AddFile(dir.path / "nobody.jpg");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::io_error);
}

TEST_CASE("AddFile refuses an oversized file before reading it") {
  TempDir dir;
  dir.Write("huge.jpg", Jpeg(std::string(2048, 'h')));
  TrainingSetOptions limits;
  limits.max_image_bytes = 1024;
  TrainingSet set(limits);
  auto r = set.AddFile(dir.path / "huge.jpg");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::payload_too_large);
}

TEST_CASE("AddDirectory takes images in name order and skips other files") {
  TempDir dir;
  dir.Write("c.webp", Webp("c"));
  dir.Write("a.jpg", Jpeg("a"));
  dir.Write("b.PNG", Png("b"));
  dir.Write("a.txt", "caption for a");
  dir.Write("readme.md", "not a photo");
  fs::create_directories(dir.path / "sub.jpg");  // a directory with an image-like name
  TrainingSetOptions limits;
  limits.min_images = 3;
  TrainingSet set(limits);
  REQUIRE(set.AddDirectory(dir.path));
  REQUIRE(set.images().size() == 3);
  CHECK(set.images()[0].name == "a.jpg");
  CHECK(set.images()[0].caption == "caption for a");
  CHECK(set.images()[1].name == "b.PNG");
  CHECK(set.images()[2].name == "c.webp");

  CHECK_FALSE(set.ToZip(4));  // the default minimum of 4 would refuse three photos
  auto zip = set.ToZip(3);
  REQUIRE(zip);
  auto entries = ReadZip(zip.value());
  CHECK(entries.size() == 4);
  CHECK(entries["a.txt"] == "caption for a");
}

TEST_CASE("AddDirectory is all or nothing") {
  TempDir dir;
  dir.Write("a.jpg", Jpeg("a"));
  dir.Write("b.jpg", "this is not a jpeg");
  TrainingSet set;
  REQUIRE(set.AddImage("first.png", Png("first")));
  auto r = set.AddDirectory(dir.path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_argument);
  CHECK(r.error().message.find("b.jpg") != std::string::npos);
  CHECK(set.images().size() == 1);
  CHECK(set.total_bytes() == Png("first").size());

  auto missing = set.AddDirectory(dir.path / "no-such-dir");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::io_error);
}
