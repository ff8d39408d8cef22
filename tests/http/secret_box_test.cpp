// The key that seals webhook secrets and stored first answers: created once (0600),
// read back on every start, never replaced.
#include "http/crypto/secret_box.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace waitroom::http {
namespace {

namespace fs = std::filesystem;

class SecretBoxKey : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/waitroom-secret-box-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string contents() const {
    std::ifstream in(path());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path path() const { return dir_ / "keys" / "secrets.key"; }

  fs::path dir_;
};

TEST_F(SecretBoxKey, IsCreatedOnceOwnerOnlyAndReadBack) {
  auto box = secret_box::open(path());
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto before = contents();
  EXPECT_EQ(before.size(), 65u); // 64 hex digits and a newline
  auto sealed = box.seal("whsec_secret");
  EXPECT_EQ(sealed.find("whsec_secret"), std::string::npos);
  auto again = secret_box::open(path());
  EXPECT_EQ(contents(), before);
  auto opened = again.open_sealed(sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "whsec_secret");
}

TEST_F(SecretBoxKey, AMalformedOrEmptyKeyFileStopsTheStartAndStaysAsItIs) {
  for (const std::string bad : {"", "not hex\n", "abcd\n"}) {
    fs::create_directories(path().parent_path());
    { std::ofstream(path(), std::ios::trunc) << bad; }
    EXPECT_THROW(secret_box::open(path()), std::runtime_error) << bad;
    EXPECT_EQ(contents(), bad) << "the key file was replaced";
  }
}

TEST(SecretBox, RejectsTamperedBoxes) {
  std::array<unsigned char, 32> key{};
  secret_box box(key);
  auto sealed = box.seal("payload");
  sealed[sealed.size() - 1] = sealed.back() == '0' ? '1' : '0';
  EXPECT_FALSE(box.open_sealed(sealed).ok());
}

} // namespace
} // namespace waitroom::http
