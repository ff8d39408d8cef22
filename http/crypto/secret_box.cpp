#include "http/crypto/secret_box.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace waitroom::http {

namespace {

constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xF];
  }
  return out;
}

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.resize(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

} // namespace

secret_box secret_box::open(const std::filesystem::path& path) {
  std::array<unsigned char, 32> key{};
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    // An existing key is never replaced: every sealed secret in the log depends on it.
    std::ifstream in(path);
    std::string hex;
    std::vector<unsigned char> bytes;
    if (!(in >> hex) || !from_hex(hex, bytes) || bytes.size() != key.size())
      throw std::runtime_error("cannot read the key file " + path.string() +
                               " (unreadable or malformed; restore it from a backup)");
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return secret_box(key);
  }
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::filesystem::create_directories(path.parent_path());
  // Created exclusively with mode 0600 and synced (file and folder) before first use.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "create " + path.string());
  const auto text = to_hex(key.data(), key.size()) + "\n";
  const bool written =
      ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write the key file " + path.string());
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return secret_box(key);
}

std::string secret_box::seal(std::string_view plaintext) const {
  std::vector<unsigned char> buf(nonce_size + plaintext.size() + tag_size);
  if (RAND_bytes(buf.data(), nonce_size) != 1)
    throw std::runtime_error("RAND_bytes failed");
  ctx_ptr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                         buf.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), buf.data() + nonce_size, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), buf.data() + nonce_size + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                          buf.data() + nonce_size + plaintext.size()) != 1)
    throw std::runtime_error("AES-256-GCM sealing failed");
  return to_hex(buf.data(), buf.size());
}

events::outcome<std::string> secret_box::open_sealed(std::string_view sealed) const {
  std::vector<unsigned char> buf;
  if (!from_hex(sealed, buf) || buf.size() < nonce_size + tag_size)
    return events::internal_error("not a sealed secret");
  std::size_t n = buf.size() - nonce_size - tag_size;
  std::string out(n, '\0');
  ctx_ptr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(),
                         buf.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        buf.data() + nonce_size, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size,
                          buf.data() + nonce_size + n) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len,
                          &len) != 1)
    return events::internal_error(
        "the sealed secret does not open with this server's key");
  return out;
}

} // namespace waitroom::http
