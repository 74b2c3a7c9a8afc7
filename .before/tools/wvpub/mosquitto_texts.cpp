#include "mosquitto_texts.hpp"

#include <map>

namespace wv::wvpub {

std::string connack_string(int rc) {
    switch (rc) {
        case 0: return "Connection Accepted.";
        case 1: return "Connection Refused: unacceptable protocol version.";
        case 2: return "Connection Refused: identifier rejected.";
        case 3: return "Connection Refused: broker unavailable.";
        case 4: return "Connection Refused: bad user name or password.";
        case 5: return "Connection Refused: not authorised.";
        default: return "Connection Refused: unknown reason.";
    }
}

std::string reason_string(int reason) {
    static const std::map<int, const char*> texts{
        {0, "Success"}, {1, "Granted QoS 1"}, {2, "Granted QoS 2"}, {4, "Disconnect with Will Message"},
        {16, "No matching subscribers"}, {17, "No subscription existed"}, {24, "Continue authentication"},
        {25, "Re-authenticate"}, {128, "Unspecified error"}, {129, "Malformed Packet"}, {130, "Protocol Error"},
        {131, "Implementation specific error"}, {132, "Unsupported Protocol Version"},
        {133, "Client Identifier not valid"}, {134, "Bad User Name or Password"}, {135, "Not authorized"},
        {136, "Server unavailable"}, {137, "Server busy"}, {138, "Banned"}, {139, "Server shutting down"},
        {140, "Bad authentication method"}, {141, "Keep Alive timeout"}, {142, "Session taken over"},
        {143, "Topic Filter invalid"}, {144, "Topic Name invalid"}, {145, "Packet Identifier in use"},
        {146, "Packet Identifier not found"}, {147, "Receive Maximum exceeded"}, {148, "Topic Alias invalid"},
        {149, "Packet too large"}, {150, "Message rate too high"}, {151, "Quota exceeded"},
        {152, "Administrative action"}, {153, "Payload format invalid"}, {154, "Retain not supported"},
        {155, "QoS not supported"}, {156, "Use another server"}, {157, "Server moved"},
        {158, "Shared Subscriptions not supported"}, {159, "Connection rate exceeded"},
        {160, "Maximum connect time"}, {161, "Subscription identifiers not supported"},
        {162, "Wildcard Subscriptions not supported"}};
    const auto it = texts.find(reason);
    return it == texts.end() ? "Unknown reason" : it->second;
}

std::string strerror_text(int err) {
    switch (err) {
        case 0: return "No error.";
        case 1: return "Out of memory.";
        case 2: return "A network protocol error occurred when communicating with the broker.";
        case 3: return "Invalid function arguments provided.";
        case 4: return "The client is not currently connected.";
        case 5: return "The connection was refused.";
        case 6: return "Message not found (internal error).";
        case 7: return "The connection was lost.";
        case 8: return "A TLS error occurred.";
        case 9: return "Payload too large.";
        case 10: return "This feature is not supported.";
        case 11: return "Authorisation failed.";
        case 12: return "Access denied by ACL.";
        case 14: return "Error defined by errno.";
        case 15: return "Lookup error.";
        default: return "Unknown error.";
    }
}

}  // namespace wv::wvpub
