#include "report_html/page.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace wv::report_html {

std::string escape(std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '&': o += "&amp;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&#39;"; break;
        default: o += c;
        }
    }
    return o;
}

namespace {
constexpr const char* css =
    "*{box-sizing:border-box}"
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#222;background:#fafafa}"
    "header{background:#1d2b3a;color:#eee;padding:16px 28px}"
    "header h1{margin:0 0 6px;font-size:22px;font-weight:600}"
    "header dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 0}"
    "header dt{color:#9fb3c8}header dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}"
    ".verdict{padding:12px 28px;font-size:18px;font-weight:600}"
    ".verdict.ok{background:#e3f4e1;color:#1e6b1e}.verdict.bad{background:#fbe3e1;color:#a51d15}"
    "main{padding:8px 28px 28px;width:100%}"
    "section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:10px 18px 14px;margin:16px 0}"
    "h2{font-size:17px;margin:4px 0 10px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{flex:1 1 150px;border:1px solid #e2e2e2;border-radius:6px;padding:8px 12px;background:#fff}"
    ".card .v{font-size:22px;font-weight:600}.card .l{color:#666;font-size:12px}"
    ".card.good .v{color:#1e6b1e}.card.bad .v{color:#a51d15}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.bad td{color:#a51d15}tr.good td{color:#1e6b1e}"
    ".bars td.bar{width:45%}.bars .b{height:14px;border-radius:2px}"
    "figure.chart{margin:6px 0 18px;width:100%}figcaption{font-weight:600;margin-bottom:2px}"
    "figure.chart svg{display:block;width:100%;height:auto}"
    "svg text{font-size:12px;fill:#333}svg text.unit{fill:#666}"
    "p.empty{color:#a51d15;background:#fdf1f0;padding:10px;border-radius:4px}"
    "p.caption{color:#555;margin:2px 0 0}"
    "pre{background:#f4f4f4;padding:12px;overflow-x:auto;font-size:12px}";

std::string fmt_num(double v) {
    char b[32];
    if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(b, sizeof b, "%.0f", v);
    else std::snprintf(b, sizeof b, "%.2f", v);
    return b;
}
}  // namespace

std::string page_begin(const run_header& h) {
    std::ostringstream o;
    o << "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
         "<meta name='viewport' content='width=device-width,initial-scale=1'><title>"
      << escape(h.tool + ": " + h.title) << "</title><style>" << css << "</style></head><body>\n";
    o << "<header id='run'><h1>" << escape(h.tool) << ": " << escape(h.title) << "</h1><dl>";
    o << "<dt>command</dt><dd class='command'>" << escape(h.command_line.empty() ? "(not recorded)" : h.command_line)
      << "</dd>";
    o << "<dt>started</dt><dd class='started'>" << escape(h.started_at.empty() ? "(not recorded)" : h.started_at)
      << "</dd>";
    o << "<dt>target</dt><dd class='target'>" << escape(h.target) << "</dd>";
    std::string v;
    for (const auto& [k, x] : h.versions) v += (v.empty() ? "" : ", ") + k + " " + x;
    o << "<dt>versions</dt><dd class='versions'>" << escape(v) << "</dd></dl></header>\n";
    o << "<div id='verdict' class='verdict " << (h.ok ? "ok" : "bad") << "'>" << escape(h.verdict) << "</div>\n<main>\n";
    return o.str();
}

std::string page_end() { return "</main></body></html>\n"; }

std::string section(const std::string& id, const std::string& title, const std::string& body) {
    return "<section id='" + escape(id) + "'><h2>" + escape(title) + "</h2>\n" + body + "</section>\n";
}

std::string stat_cards(const std::vector<stat_card>& cards) {
    std::string o = "<div class='cards'>";
    for (const auto& c : cards)
        o += "<div class='card" + (c.tone.empty() ? std::string() : " " + escape(c.tone)) + "'><div class='v'>" +
             escape(c.value) + "</div><div class='l'>" + escape(c.label) + "</div></div>";
    return o + "</div>\n";
}

std::string table(const std::vector<std::string>& headers, const std::vector<table_row>& rows,
                  const std::string& css_class) {
    // A column whose cells all start with a digit is right-aligned.
    std::vector<bool> numeric(headers.size(), !rows.empty());
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.cells.size() && i < numeric.size(); ++i)
            if (r.cells[i].empty() || !(std::isdigit(static_cast<unsigned char>(r.cells[i][0])) || r.cells[i] == "-"))
                numeric[i] = false;
    std::string o = "<table" + (css_class.empty() ? std::string() : " class='" + escape(css_class) + "'") + "><tr>";
    for (std::size_t i = 0; i < headers.size(); ++i)
        o += std::string("<th") + (numeric[i] ? " class='n'" : "") + ">" + escape(headers[i]) + "</th>";
    o += "</tr>\n";
    for (const auto& r : rows) {
        o += "<tr" + (r.tone.empty() ? std::string() : " class='" + escape(r.tone) + "'") + ">";
        for (std::size_t i = 0; i < r.cells.size(); ++i)
            o += std::string("<td") + (i < numeric.size() && numeric[i] ? " class='n'" : "") + ">" + escape(r.cells[i]) +
                 "</td>";
        o += "</tr>\n";
    }
    return o + "</table>\n";
}

std::string bars(const std::vector<bar_row>& rows, const std::string& css_class) {
    double most = 0;
    for (const auto& r : rows) most = std::max(most, r.value);
    if (most <= 0) most = 1;
    std::string o = "<table class='bars" + (css_class.empty() ? std::string() : " " + escape(css_class)) + "'>";
    for (const auto& r : rows) {
        char w[32];
        std::snprintf(w, sizeof w, "%.1f", 100.0 * r.value / most);
        o += "<tr><td>" + escape(r.label) + "</td><td class='n'>" + fmt_num(r.value) +
             "</td><td class='bar'><div class='b' style='width:" + w + "%;background:" + escape(r.color) +
             "'></div></td><td>" + escape(r.note) + "</td></tr>\n";
    }
    return o + "</table>\n";
}

std::string pre(const std::string& text) { return "<pre>" + escape(text) + "</pre>\n"; }

std::string shell_quote(const std::vector<std::string>& argv) {
    std::string o;
    for (const auto& a : argv) {
        if (!o.empty()) o += ' ';
        const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
        });
        if (plain) {
            o += a;
            continue;
        }
        o += '\'';
        for (char c : a) {
            if (c == '\'') o += "'\\''";
            else o += c;
        }
        o += '\'';
    }
    return o;
}

std::string utc_now_iso8601() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

}  // namespace wv::report_html
