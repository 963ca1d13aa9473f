#pragma once
// A throwaway self-signed certificate and key (PEM files in a private temp directory, removed on
// destruction) for TLS tests against 127.0.0.1.

#include <filesystem>
#include <string>

namespace faltrain_testing {

class TestCertificate {
 public:
  /// `subject_alt_names` in OpenSSL syntax, e.g. "DNS:localhost,IP:127.0.0.1". The certificate is
  /// its own CA (CA:TRUE), so pointing a client's CA bundle at `cert_file()` trusts it.
  explicit TestCertificate(const std::string& subject_alt_names);
  ~TestCertificate();
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  std::filesystem::path dir_;
  std::string cert_file_;
  std::string key_file_;
};

}  // namespace faltrain_testing
