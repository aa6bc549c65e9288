//! The conformance report as one standalone HTML page: inline style, no script, no asset
//! from anywhere (its CSP allows none), every quoted text escaped. Counts carry `data-*`
//! attributes so that a test (or a tool) can read them back.

use std::fmt::Write;

use wxsim_engine::protocol::html::escape;
use wxsim_engine::protocol::Severity;
use wxsim_engine::{Exchange, ExchangeDirection};

use super::{code_label, ConformanceReport, RuleCheck};

/// Offending exchanges shown in full; the JSON form has every one.
const SHOWN: usize = 500;
/// Characters of a body shown.
const BODY_CHARS: usize = 20_000;

const STYLE: &str = "\
:root{--ok:#1b7f3b;--bad:#b3261e;--warn:#a15c00;--note:#3a5a99;--line:#d9dde3;--muted:#5f6670;--bg:#f6f7f9}\
*{box-sizing:border-box}\
body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','PingFang SC','Microsoft YaHei',sans-serif;color:#1d2127;margin:0;background:#fff}\
main{max-width:72rem;margin:0 auto;padding:2rem 1.5rem 4rem}\
h1{font-size:1.7rem;margin:0 0 .2rem}h2{font-size:1.2rem;margin:2.2rem 0 .7rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}\
h3{font-size:.95rem;margin:0 0 .5rem;font-weight:600}h4{font-size:.8rem;margin:.4rem 0 .2rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}\
.meta{color:var(--muted);margin:0}\
.tiles{display:flex;flex-wrap:wrap;gap:.8rem;margin:1.4rem 0 0}\
.tile{flex:1 1 11rem;border:1px solid var(--line);border-radius:.5rem;padding:.7rem .9rem;background:var(--bg)}\
.tile b{display:block;font-size:1.6rem;line-height:1.2}.tile.bad b{color:var(--bad)}.tile.good b{color:var(--ok)}\
table{border-collapse:collapse;width:100%;font-size:.9rem}\
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}\
th{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.03em}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
tr.fail td:first-child{border-left:4px solid var(--bad)}tr.warn td:first-child{border-left:4px solid var(--warn)}\
tr.note td:first-child{border-left:4px solid var(--note)}tr.pass td:first-child{border-left:4px solid var(--ok)}\
tr.idle td:first-child{border-left:4px solid var(--line)}tr.idle{color:var(--muted)}\
.verdict{font-weight:600}.fail .verdict,.sev-error{color:var(--bad)}.warn .verdict,.sev-warning{color:var(--warn)}\
.note .verdict,.sev-info{color:var(--note)}.pass .verdict{color:var(--ok)}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}\
.exchange{border:1px solid var(--line);border-radius:.5rem;padding:.8rem 1rem;margin:0 0 1rem}\
.findings{margin:.2rem 0 .6rem;padding-left:1.1rem}.findings li{margin:.15rem 0}\
.bodies{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:.8rem}\
pre{margin:0;padding:.6rem;background:var(--bg);border:1px solid var(--line);border-radius:.35rem;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-word;font-size:.8rem}\
.empty{color:var(--muted);font-style:italic}\
footer{margin-top:3rem;color:var(--muted);font-size:.8rem}\
@media print{.exchange{break-inside:avoid}pre{max-height:none}}";

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string())
        .unwrap_or_else(|| ms.to_string())
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn direction(d: ExchangeDirection) -> &'static str {
    match d {
        ExchangeDirection::Out => "wxsim → webchat",
        ExchangeDirection::In => "webchat → wxsim",
    }
}

/// A rule's row class and verdict.
fn verdict(c: &RuleCheck) -> (&'static str, String) {
    match c.worst {
        Some(Severity::Error) => ("fail", "broken".into()),
        Some(Severity::Warning) => ("warn", "warnings".into()),
        Some(Severity::Info) => ("note", "notes".into()),
        None if c.checked == 0 => ("idle", "not exercised".into()),
        None => ("pass", "passed".into()),
    }
}

/// A body as it is best read: JSON pretty-printed, cut short when long, escaped.
fn body(text: Option<&str>) -> String {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return "<p class=\"empty\">none</p>".into();
    };
    let pretty = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned());
    let mut shown: String = pretty.chars().take(BODY_CHARS).collect();
    let left = pretty.chars().count().saturating_sub(BODY_CHARS);
    if left > 0 {
        let _ = write!(shown, "\n… {left} more characters");
    }
    format!("<pre>{}</pre>", escape(&shown))
}

fn exchange(out: &mut String, e: &Exchange) {
    let target = e.operation.as_deref().unwrap_or(&e.path);
    let answer = match (e.status, e.result_code) {
        (Some(s), Some(code)) => format!("HTTP {s} · result {code} ({})", code_label(code)),
        (Some(s), None) => format!("HTTP {s}"),
        (None, _) => format!("no answer: {}", e.error.as_deref().unwrap_or("")),
    };
    let _ = write!(
        out,
        "<article class=\"exchange\" id=\"exchange-{id}\" data-exchange-id=\"{id}\">\
         <h3>#{id} · {} · {} · <code>{} {}</code></h3>\
         <p class=\"meta\">{} · {:.1} ms{}</p><ul class=\"findings\">",
        escape(&time(e.started_at)),
        escape(direction(e.direction)),
        escape(&e.method),
        escape(target),
        escape(&answer),
        e.duration_us as f64 / 1000.0,
        e.open_id
            .as_deref()
            .map(|o| format!(" · openId <code>{}</code>", escape(o)))
            .unwrap_or_default(),
        id = e.id,
    );
    for f in &e.findings {
        let _ = write!(
            out,
            "<li class=\"finding\" data-rule=\"{rule}\"><span class=\"sev-{sev}\">{sev}</span> \
             <code>{rule}</code>{field} — {message}</li>",
            rule = escape(&f.rule),
            sev = severity(f.severity),
            field = f
                .field
                .as_deref()
                .map(|x| format!(" <code>{}</code>", escape(x)))
                .unwrap_or_default(),
            message = escape(&f.message),
        );
    }
    let _ = write!(
        out,
        "</ul><div class=\"bodies\"><div><h4>Request</h4>{}</div><div><h4>Answer</h4>{}</div></div></article>",
        body(Some(&e.request_body)),
        body(e.response_body.as_deref()),
    );
}

/// The tables' columns: a label each, `true` for a numeric one.
const RULE_COLUMNS: &[(&str, bool)] = &[
    ("rule", false),
    ("what it checks", false),
    ("checked", true),
    ("passed", true),
    ("failed", true),
    ("verdict", false),
];
const TIMING_COLUMNS: &[(&str, bool)] = &[
    ("operation", false),
    ("who answered", false),
    ("count", true),
    ("p50 ms", true),
    ("p95 ms", true),
    ("p99 ms", true),
    ("max ms", true),
];
const CODE_COLUMNS: &[(&str, bool)] = &[
    ("operation", false),
    ("code", true),
    ("name", false),
    ("count", true),
];

/// A titled table: its head (a label each, `true` for a numeric column) over `rows`, each
/// already HTML; a note when there are none.
fn section(out: &mut String, title: &str, class: &str, head: &[(&str, bool)], rows: &[String]) {
    let _ = write!(out, "<h2>{title}</h2>");
    if rows.is_empty() {
        out.push_str("<p class=\"empty\">No exchanges.</p>");
        return;
    }
    let _ = write!(out, "<table class=\"{class}\"><thead><tr>");
    for (label, numeric) in head {
        let class = if *numeric { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{label}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str(row);
    }
    out.push_str("</tbody></table>");
}

/// The whole page.
pub fn page(r: &ConformanceReport) -> String {
    let c = &r.contract;
    let broken = r.checks.iter().filter(|c| c.failed > 0).count();
    let range = match (r.since, r.until) {
        (None, None) => "every exchange in the database".to_owned(),
        (since, until) => format!(
            "exchanges from {} to {}",
            since.map_or("the first".into(), time),
            until.map_or("the last".into(), time)
        ),
    };
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Conformance report — wxsim</title><style>{STYLE}</style></head>\n<body><main>\
         <h1>Conformance report</h1><p class=\"meta\">The webchat interface as wxsim saw it: {} · written {} by wxsim {}</p>\
         <div class=\"tiles\">\
         <div class=\"tile\"><b data-count=\"exchanges\">{}</b>exchanges checked</div>\
         <div class=\"tile {}\"><b data-count=\"exchanges-with-findings\">{}</b>with findings</div>\
         <div class=\"tile {}\"><b data-count=\"rules-with-findings\">{broken}</b>of {} rules with findings</div></div>",
        escape(&range),
        escape(&time(r.generated_at)),
        env!("CARGO_PKG_VERSION"),
        c.exchanges,
        if c.exchanges_with_findings > 0 { "bad" } else { "good" },
        c.exchanges_with_findings,
        if broken > 0 { "bad" } else { "good" },
        r.checks.len(),
    );

    let rules: Vec<String> = r
        .checks
        .iter()
        .map(|check| {
            let (class, said) = verdict(check);
            format!(
                "<tr class=\"{class}\" data-rule=\"{rule}\" data-checked=\"{checked}\" data-passed=\"{passed}\" \
                 data-failed=\"{failed}\"><td><code>{rule}</code></td><td>{}</td><td class=\"n\">{checked}</td>\
                 <td class=\"n\">{passed}</td><td class=\"n\">{failed}</td><td class=\"verdict\">{}</td></tr>",
                escape(&check.checks),
                escape(&said),
                rule = escape(&check.rule),
                checked = check.checked,
                passed = check.passed,
                failed = check.failed,
            )
        })
        .collect();
    section(&mut out, "Contract rules", "rules", RULE_COLUMNS, &rules);

    let timings: Vec<String> = r
        .timings
        .iter()
        .map(|t| {
            format!(
                "<tr data-operation=\"{op}\" data-count=\"{count}\"><td><code>{op}</code></td><td>{}</td>\
                 <td class=\"n\">{count}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}</td>\
                 <td class=\"n\">{:.1}</td><td class=\"n\">{:.1}</td></tr>",
                match t.direction {
                    ExchangeDirection::Out => "webchat",
                    ExchangeDirection::In => "wxsim",
                },
                t.p50_ms,
                t.p95_ms,
                t.p99_ms,
                t.max_ms,
                op = escape(&t.operation),
                count = t.count,
            )
        })
        .collect();
    section(
        &mut out,
        "Timings per operation",
        "timings",
        TIMING_COLUMNS,
        &timings,
    );

    let codes: Vec<String> = r
        .result_codes
        .iter()
        .map(|k| {
            format!(
                "<tr data-operation=\"{op}\" data-code=\"{code}\" data-count=\"{count}\"><td><code>{op}</code></td>\
                 <td class=\"n\">{code}</td><td>{}</td><td class=\"n\">{count}</td></tr>",
                escape(&k.name),
                op = escape(&k.operation),
                code = k.code.map_or("—".into(), |c| c.to_string()),
                count = k.count,
            )
        })
        .collect();
    section(&mut out, "Result codes", "codes", CODE_COLUMNS, &codes);

    let _ = write!(
        out,
        "<h2>Offending exchanges <span class=\"meta\" data-count=\"offending\">{}</span></h2>",
        c.details.len()
    );
    if c.details.is_empty() {
        out += "<p class=\"empty\">None: every exchange follows the interface.</p>";
    }
    for e in c.details.iter().take(SHOWN) {
        exchange(&mut out, e);
    }
    if c.details.len() > SHOWN {
        let _ = write!(
            out,
            "<p class=\"meta\">The first {SHOWN} are shown; <code>wxsim report --format json</code> lists all {}.</p>",
            c.details.len()
        );
    }
    out += "<footer>Rules are those of the interface in <code>docs/interface.md</code>; an error breaks the interface, \
            a warning breaks its letter, info is worth knowing. Made with <code>wxsim report</code>.</footer></main></body></html>\n";
    out
}
