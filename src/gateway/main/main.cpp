// wvgate: the AWS IoT Core device gateway on this machine (work in progress).
#include <iostream>

int main() {
    std::cerr << "wvgate: not implemented yet\n";
    return 1;
}
