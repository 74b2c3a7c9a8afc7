// Both targets define LLVMFuzzerTestOneInput; the replay test links them under other names.
#define LLVMFuzzerTestOneInput fuzz_response_entry
#include "fuzz_authorizer_response.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_username_entry
#include "fuzz_username.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_credentials_entry
#include "fuzz_credentials_csv.cpp"
#undef LLVMFuzzerTestOneInput

int fuzz_response(const std::uint8_t* d, std::size_t n) { return fuzz_response_entry(d, n); }
int fuzz_username(const std::uint8_t* d, std::size_t n) { return fuzz_username_entry(d, n); }
int fuzz_credentials(const std::uint8_t* d, std::size_t n) { return fuzz_credentials_entry(d, n); }
