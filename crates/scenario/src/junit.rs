//! JUnit XML for CI: one `<testsuite>` per scenario file, one `<testcase>` per customer
//! (its steps are its story: a failure names the step, its line and the reason, and every
//! step's line goes to `<system-out>`).

use std::fmt::Write;

use crate::outcome::{ScenarioOutcome, StepOutcome};

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&apos;".into(),
            c if c.is_control() && c != '\n' && c != '\t' => " ".into(),
            c => c.to_string(),
        })
        .collect()
}

/// A step as one line of text (`✓ #3 send text (line 22, 12 ms): message 7 sent`).
pub fn step_line(step: &StepOutcome) -> String {
    let (mark, note) = match &step.result {
        Ok(note) => ("✓", note),
        Err(reason) => ("✗", reason),
    };
    format!(
        "{mark} #{} {} (line {}, {} ms): {note}",
        step.number,
        step.label,
        step.line,
        step.elapsed.as_millis()
    )
}

pub fn render(outcomes: &[ScenarioOutcome]) -> String {
    let total: usize = outcomes.iter().map(|o| o.customers.len().max(1)).sum();
    let failed = outcomes.iter().map(|o| o.failures().len()).sum::<usize>();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wxsim run\" tests=\"{total}\" failures=\"{failed}\">\n"
    );
    for o in outcomes {
        let failures = o.failures().len();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{failures}\" time=\"{:.3}\">",
            escape(&o.name),
            escape(&o.file.display().to_string()),
            o.customers.len().max(1),
            o.elapsed.as_secs_f64()
        );
        if let Some(e) = &o.setup_error {
            let _ = writeln!(
                xml,
                "    <testcase classname=\"{0}\" name=\"setup\"><error message=\"{1}\">{1}</error></testcase>",
                escape(&o.name),
                escape(e)
            );
        }
        for c in &o.customers {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
                escape(&o.name),
                escape(&c.nickname),
                c.elapsed.as_secs_f64()
            );
            let story: Vec<String> = c.steps.iter().map(step_line).collect();
            if let Some(step) = c.failure() {
                let _ = write!(
                    xml,
                    "<failure message=\"step {} (line {}) {}: {}\">{}</failure>",
                    step.number,
                    step.line,
                    escape(&step.label),
                    escape(step.result.as_ref().err().map_or("", String::as_str)),
                    escape(&story.join("\n"))
                );
            }
            let _ = writeln!(
                xml,
                "<system-out>{}</system-out></testcase>",
                escape(&story.join("\n"))
            );
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
