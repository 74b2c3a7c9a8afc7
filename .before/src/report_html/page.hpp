#pragma once
// The page around the charts, shared by wvsim's and `wvauthz bench`'s HTML reports: one
// self-contained document (inline CSS and SVG, no script, no network), full page width, with
// what was run on top (command line, start time, versions, target), the verdict, then the
// caller's sections.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wv::report_html {

// Escapes text for element content and quoted attribute values.
std::string escape(std::string_view s);

struct run_header {
    std::string tool;          // "wvsim", "wvauthz bench"
    std::string title;         // "1,000 devices against 127.0.0.1:8883"
    std::string command_line;  // as typed, shell-quoted
    std::string started_at;    // ISO 8601 UTC, e.g. 2026-12-06T10:02:03Z
    std::string target;        // host:port, or the authorizer backend
    std::vector<std::pair<std::string, std::string>> versions;  // {"wvsim", "0.1.0"}, {"OpenSSL", "3.0.15"}
    bool ok = true;            // the verdict: true when the exit code is 0
    std::string verdict;       // "OK (exit 0)" or "FAILED: ... (exit 1)"
};

// <!doctype html> ... <body> and the header block.
std::string page_begin(const run_header& h);
std::string page_end();

// <section id=...><h2>title</h2> ... </section>
std::string section(const std::string& id, const std::string& title, const std::string& body);

// A row of big numbers: label, value, tone ("", "good", "bad").
struct stat_card {
    std::string label, value, tone;
};
std::string stat_cards(const std::vector<stat_card>& cards);

// A table; cells are text (escaped). A row whose `tone` is "bad" is drawn red, "good" green.
struct table_row {
    std::vector<std::string> cells;
    std::string tone;
};
std::string table(const std::vector<std::string>& headers, const std::vector<table_row>& rows,
                  const std::string& css_class = {});

// Horizontal bars, one per row, lengths relative to the largest value: the failures chart.
struct bar_row {
    std::string label;   // e.g. "closed_without_connack"
    double value = 0;
    std::string color;
    std::string note;    // a description after the value
};
std::string bars(const std::vector<bar_row>& rows, const std::string& css_class = {});

// Preformatted text (the summary as the terminal printed it).
std::string pre(const std::string& text);

// Shell-quotes argv as one line a user can paste: 'a b' stays one word.
std::string shell_quote(const std::vector<std::string>& argv);
// Now, as ISO 8601 UTC to the second.
std::string utc_now_iso8601();

}  // namespace wv::report_html
