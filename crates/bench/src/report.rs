//! Results: every benchmark appends rows (a figure, its baseline from the same run, a
//! target) to a JSON-lines file; `report` judges each against its target and renders the
//! table for the terminal and for `docs/BENCHMARKS.md`.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

/// One measured figure and what it is compared with.
#[derive(Clone, Debug, Serialize, Deserialize, clap::Args)]
pub struct Row {
    /// The benchmark (`callback intake`, `history search`, …).
    #[arg(long)]
    pub what: String,
    /// What was measured (`requests/s`, `p99 ms at 1000/s`, …).
    #[arg(long)]
    pub measure: String,
    #[arg(long)]
    pub figure: f64,
    /// The same measure of the baseline, measured in the same run.
    #[arg(long)]
    pub baseline: Option<f64>,
    /// What the baseline is.
    #[arg(long, default_value = "")]
    pub baseline_is: String,
    /// `ratio>=0.5` (figure/baseline), `<=5` or `>=2000` (the figure itself), or `-` (none).
    #[arg(long)]
    pub target: String,
}

/// A target: a bound on the figure or on its ratio to the baseline.
#[derive(Debug, PartialEq)]
struct Target {
    of_ratio: bool,
    at_least: bool,
    bound: f64,
}

fn parse_target(text: &str) -> anyhow::Result<Option<Target>> {
    if text == "-" {
        return Ok(None);
    }
    let (of_ratio, rest) = match text.strip_prefix("ratio") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (at_least, bound) = if let Some(b) = rest.strip_prefix(">=") {
        (true, b)
    } else if let Some(b) = rest.strip_prefix("<=") {
        (false, b)
    } else {
        bail!("target `{text}`: write ratio>=N, >=N, <=N or -");
    };
    let bound = bound
        .trim()
        .parse()
        .with_context(|| format!("target `{text}`: the bound is not a number"))?;
    Ok(Some(Target {
        of_ratio,
        at_least,
        bound,
    }))
}

impl Row {
    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b != 0.0).map(|b| self.figure / b)
    }

    /// `Some(true)` met, `Some(false)` missed, `None` when there is nothing to judge.
    pub fn met(&self) -> anyhow::Result<Option<bool>> {
        let Some(t) = parse_target(&self.target)? else {
            return Ok(None);
        };
        let value = if t.of_ratio {
            match self.ratio() {
                Some(r) => r,
                None => return Ok(None),
            }
        } else {
            self.figure
        };
        Ok(Some(if t.at_least {
            value >= t.bound
        } else {
            value <= t.bound
        }))
    }

    /// Appends this row to the results file.
    pub fn append(&self, results: &Path) -> anyhow::Result<()> {
        parse_target(&self.target)?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(results)
            .with_context(|| format!("opening {}", results.display()))?;
        writeln!(file, "{}", serde_json::to_string(self)?)?;
        println!(
            "  {:<22} {:<34} {:>12} baseline {:>12}  target {}",
            self.what,
            self.measure,
            number(self.figure),
            self.baseline.map(number).unwrap_or_else(|| "-".into()),
            self.target
        );
        Ok(())
    }
}

fn number(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub fn read(results: &Path) -> anyhow::Result<Vec<Row>> {
    let file =
        std::fs::File::open(results).with_context(|| format!("opening {}", results.display()))?;
    BufReader::new(file)
        .lines()
        .map(|line| Ok(serde_json::from_str(&line?)?))
        .collect()
}

/// The table as Markdown.
pub fn table(rows: &[Row]) -> anyhow::Result<String> {
    let mut out = String::from(
        "| what | measure | figure | baseline | baseline is | ratio | target | met |\n\
         |---|---|---:|---:|---|---:|---|---|\n",
    );
    for r in rows {
        let verdict = match r.met()? {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "-",
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.what,
            r.measure,
            number(r.figure),
            r.baseline.map(number).unwrap_or_else(|| "-".into()),
            r.baseline_is,
            r.ratio()
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "-".into()),
            r.target,
            verdict
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(figure: f64, baseline: Option<f64>, target: &str) -> Row {
        Row {
            what: "w".into(),
            measure: "m".into(),
            figure,
            baseline,
            baseline_is: String::new(),
            target: target.into(),
        }
    }

    #[test]
    fn targets_judge_figures_and_ratios() {
        assert_eq!(
            row(60.0, Some(100.0), "ratio>=0.5").met().unwrap(),
            Some(true)
        );
        assert_eq!(
            row(40.0, Some(100.0), "ratio>=0.5").met().unwrap(),
            Some(false)
        );
        assert_eq!(row(4.0, None, "<=5").met().unwrap(), Some(true));
        assert_eq!(row(2500.0, Some(1.0), ">=2000").met().unwrap(), Some(true));
        assert_eq!(row(1.0, None, "-").met().unwrap(), None);
        assert!(row(1.0, None, "about 5").met().is_err());
    }
}
