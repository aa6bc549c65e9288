//! The simulator's clock: real time, shifted or stopped by the tester, so that working
//! hours and queue timeouts can be reached without waiting. Wire timestamps (`msgTime`,
//! `responseTime`, …) stay on real time; only the queue's rules read this clock.

use serde::{Deserialize, Serialize};
use wxsim_protocol::ParseError;

use crate::state::now_ms;

const DAY_MS: i64 = 86_400_000;

/// Where the simulator's "now" is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clock {
    /// Added to real time.
    offset_ms: i64,
    /// A stopped clock shows this time.
    frozen_at: Option<i64>,
    /// Minutes east of UTC, for local times.
    pub zone_minutes: i32,
}

/// A change to the clock; every field is optional and they apply in this order: `real`,
/// `offsetMs`, `nowMs`/`now`, `advanceMs`, `frozen`, `timeZoneOffsetMinutes`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimClockPatch"))]
pub struct ClockPatch {
    /// Back to real time, running.
    #[serde(default)]
    pub real: bool,
    /// Real time plus this much.
    #[serde(default, alias = "offset_ms")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub offset_ms: Option<i64>,
    /// Now is this instant (epoch ms); the clock runs on from it unless frozen.
    #[serde(default, alias = "now_ms")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub now_ms: Option<i64>,
    /// Now is this local wall time, `yyyy-MM-dd HH:mm:ss` (or `…THH:mm[:ss]`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub now: Option<String>,
    /// Moves the clock forward (or back, when negative).
    #[serde(default, alias = "advance_ms")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub advance_ms: Option<i64>,
    /// Stops the clock where it is (`true`) or lets it run on from there (`false`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub frozen: Option<bool>,
    #[serde(default, alias = "time_zone_offset_minutes")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub time_zone_offset_minutes: Option<i32>,
}

/// The clock as `/sim/state` shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimClockView"))]
pub struct ClockView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub now_ms: i64,
    /// Local wall time in the simulator's time zone.
    pub local: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub offset_ms: i64,
    pub frozen: bool,
    pub time_zone_offset_minutes: i32,
}

impl Clock {
    pub fn new(zone_minutes: i32) -> Self {
        Clock {
            zone_minutes,
            ..Clock::default()
        }
    }

    pub fn now(&self) -> i64 {
        self.frozen_at.unwrap_or_else(|| now_ms() + self.offset_ms)
    }

    /// Local wall time of an instant, in minutes since the epoch.
    pub fn local_minute(&self, at_ms: i64) -> i64 {
        (at_ms + i64::from(self.zone_minutes) * 60_000).div_euclid(60_000)
    }

    fn set_now(&mut self, at: i64) {
        match &mut self.frozen_at {
            Some(frozen) => *frozen = at,
            None => self.offset_ms = at - now_ms(),
        }
    }

    pub fn apply(&mut self, patch: &ClockPatch) -> Result<(), ParseError> {
        if let Some(zone) = patch.time_zone_offset_minutes {
            if !(-14 * 60..=14 * 60).contains(&zone) {
                return Err(field(
                    "timeZoneOffsetMinutes",
                    format!("{zone} is not between -840 and 840"),
                ));
            }
        }
        let zone = patch.time_zone_offset_minutes.unwrap_or(self.zone_minutes);
        let wall = patch
            .now
            .as_deref()
            .map(|text| {
                parse_local(text)
                    .map(|local| local - i64::from(zone) * 60_000)
                    .map_err(|e| field("now", e))
            })
            .transpose()?;
        if patch.real {
            self.offset_ms = 0;
            self.frozen_at = None;
        }
        if let Some(offset) = patch.offset_ms {
            self.offset_ms = offset;
            if let Some(frozen) = &mut self.frozen_at {
                *frozen = now_ms() + offset;
            }
        }
        if let Some(at) = patch.now_ms.or(wall) {
            self.set_now(at);
        }
        if let Some(step) = patch.advance_ms {
            let at = self.now() + step;
            self.set_now(at);
        }
        match patch.frozen {
            Some(true) if self.frozen_at.is_none() => self.frozen_at = Some(self.now()),
            Some(false) => {
                if let Some(at) = self.frozen_at.take() {
                    self.offset_ms = at - now_ms();
                }
            }
            _ => {}
        }
        self.zone_minutes = zone;
        Ok(())
    }

    pub fn view(&self) -> ClockView {
        let now = self.now();
        ClockView {
            now_ms: now,
            local: format_local(now + i64::from(self.zone_minutes) * 60_000),
            offset_ms: self.frozen_at.map_or(self.offset_ms, |at| at - now_ms()),
            frozen: self.frozen_at.is_some(),
            time_zone_offset_minutes: self.zone_minutes,
        }
    }
}

fn field(name: &str, reason: impl Into<String>) -> ParseError {
    ParseError::Field {
        field: name.into(),
        reason: reason.into(),
    }
}

/// `"HH:MM"` as minutes since midnight.
pub fn minute_of_day(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a time of day HH:MM");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || h < 0 || m < 0 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// ISO weekday (1 Monday … 7 Sunday) of a day counted from 1970-01-01, a Thursday.
pub fn iso_weekday(day: i64) -> u8 {
    u8::try_from((day + 3).rem_euclid(7) + 1).unwrap_or(1)
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `yyyy-MM-dd HH:mm[:ss]` (a `T` may stand for the space) as epoch ms of that wall time.
pub fn parse_local(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a time yyyy-MM-dd HH:mm:ss");
    let (date, time) = text.trim().split_once([' ', 'T']).ok_or_else(bad)?;
    let date: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let time: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let ([y, mo, d], [h, mi, rest @ ..]) = (date.as_slice(), time.as_slice()) else {
        return Err(bad());
    };
    let s = match rest {
        [] => 0,
        [s] => *s,
        _ => return Err(bad()),
    };
    let valid = (1..=12).contains(mo)
        && (1..=31).contains(d)
        && (0..24).contains(h)
        && (0..60).contains(mi)
        && (0..60).contains(&s);
    if !valid || civil_from_days(days_from_civil(*y, *mo, *d)) != (*y, *mo, *d) {
        return Err(bad());
    }
    Ok(((days_from_civil(*y, *mo, *d) * 24 + h) * 60 + mi) * 60_000 + s * 1000)
}

/// Epoch ms of a wall time as `yyyy-MM-dd HH:mm:ss`.
pub fn format_local(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let secs = ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_times_round_trip_and_know_their_weekday() {
        for text in [
            "1970-01-01 00:00:00",
            "2000-02-29 12:34:56",
            "2025-01-06 09:00:00",
        ] {
            assert_eq!(format_local(parse_local(text).unwrap()), text);
        }
        assert_eq!(parse_local("1970-01-02T00:00").unwrap(), DAY_MS);
        assert_eq!(
            iso_weekday(parse_local("2025-01-06 09:00:00").unwrap() / DAY_MS),
            1
        );
        assert_eq!(iso_weekday(0), 4);
        assert!(parse_local("2025-02-30 10:00:00").is_err());
        assert!(parse_local("tomorrow").is_err());
        assert_eq!(minute_of_day("18:30"), Ok(1110));
        assert!(minute_of_day("24:00").is_err());
    }

    #[test]
    fn the_clock_shifts_stops_and_returns_to_real_time() {
        let mut clock = Clock::new(480);
        let patch = |p: ClockPatch| p;
        clock
            .apply(&patch(ClockPatch {
                now: Some("2025-01-06 17:59:00".into()),
                frozen: Some(true),
                ..Default::default()
            }))
            .unwrap();
        assert_eq!(clock.view().local, "2025-01-06 17:59:00");
        assert!(clock.view().frozen);
        clock
            .apply(&ClockPatch {
                advance_ms: Some(60_000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(clock.view().local, "2025-01-06 18:00:00");
        assert_eq!(
            clock.local_minute(clock.now()) % 1440,
            18 * 60,
            "local minutes are in the clock's zone"
        );
        clock
            .apply(&ClockPatch {
                real: true,
                ..Default::default()
            })
            .unwrap();
        assert!(!clock.view().frozen);
        assert!((clock.now() - now_ms()).abs() < 1000);
        let bad = ClockPatch {
            now: Some("soon".into()),
            ..Default::default()
        };
        assert!(clock.apply(&bad).is_err());
    }
}
