#pragma once
// wvpub's --help and --version texts: mosquitto_pub 2.0.11's help, with the options Paho
// cannot provide marked, then wvpub's extensions, and the pub.py mode's help.
#include <cstdio>

namespace wv::wvpub {

void print_usage(std::FILE* out);
void print_version(std::FILE* out);
void print_pubpy_usage(std::FILE* out);

}  // namespace wv::wvpub
