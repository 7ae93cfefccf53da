//! A festival as data: its name, tagline, dates, time zone, accent colour and the deals in it.
//! Marketers schedule festivals one after another; the storefront's hero, countdown and title
//! follow the current one, and between festivals the shop says when the next one starts.
//!
//! Time zones are checked against the names of the IANA database (tzdata 2025b: every zone and
//! link, `time_zones.txt`, made by `awk '$1=="Z"{print $2} $1=="L"{print $3}'
//! /usr/share/zoneinfo/tzdata.zi | sort -u`). Only the names: Festival never converts a time
//! itself — the browser does, with `Intl.DateTimeFormat` — so a 9 KB list is the honest check
//! that a browser will know the zone, at no cost to the shopper's download (the storefront
//! never validates). A zone added to the database later is refused until the list is renewed.

use serde::{Deserialize, Serialize};

use crate::deal::{DealId, ScheduleProblem};
use crate::time::UnixMillis;

/// The IANA time zone names, one a line, sorted.
const TIME_ZONES: &str = include_str!("festival/time_zones.txt");

/// The least contrast white text must have on the accent (WCAG 2 AA for body text): the
/// hero's words are white on it.
pub const MIN_CONTRAST: f64 = 4.5;

/// Longest festival id, name and tagline, in characters.
pub const MAX_ID_LEN: usize = 64;
pub const MAX_NAME_CHARS: usize = 40;
pub const MAX_TAGLINE_CHARS: usize = 160;

/// A scheduled festival. Its window is `[starts_at, ends_at)` on the edge's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Festival {
    /// Chosen by the marketer: lowercase letters, digits and `-` (e.g. `singles-day-2026`).
    pub id: String,
    /// What the hero and the page title say, e.g. `11.11`.
    pub name: String,
    /// One line under the name.
    pub tagline: String,
    pub starts_at: UnixMillis,
    pub ends_at: UnixMillis,
    /// An IANA name, e.g. `Asia/Shanghai`: times are shown in it.
    pub time_zone: String,
    /// The storefront's accent colour, `#rrggbb`.
    pub accent: String,
    /// The deals in this festival (each must be scheduled).
    pub deals: Vec<DealId>,
}

impl Festival {
    /// Every way this festival breaks the rules, given the `other` festivals scheduled (itself
    /// among them is ignored, by id, so an edit is checked the same way) and the ids of the
    /// scheduled deals. Empty when it may be stored.
    pub fn problems(&self, others: &[Festival], deals: &[DealId]) -> Vec<ScheduleProblem> {
        let mut problems = Vec::new();
        let mut add = |field, message| problems.push(ScheduleProblem { field, message });
        if !is_id(&self.id) {
            add(
                "id",
                "Use 1 to 64 lowercase letters, digits or dashes for the id.",
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_NAME_CHARS {
            add("name", "Give the festival a name of 1 to 40 characters.");
        }
        if self.tagline.chars().count() > MAX_TAGLINE_CHARS {
            add("tagline", "Keep the tagline to 160 characters.");
        }
        if self.ends_at <= self.starts_at {
            add("ends_at", "The festival must end after it starts.");
        } else if others
            .iter()
            .any(|other| other.id != self.id && other.overlaps(self))
        {
            add(
                "starts_at",
                "Another festival is scheduled at this time: festivals run one after another.",
            );
        }
        if !is_time_zone(&self.time_zone) {
            add(
                "time_zone",
                "Use an IANA time zone name such as Asia/Shanghai or Europe/Paris.",
            );
        }
        if !is_colour(&self.accent) {
            add("accent", "Give the accent colour as #rrggbb, e.g. #b0001d.");
        } else if contrast_with_white(&self.accent) < MIN_CONTRAST {
            add(
                "accent",
                "Pick a darker accent: the storefront's white text must read on it at 4.5:1.",
            );
        }
        if self.deals.iter().any(|deal| !deals.contains(deal)) {
            add("deals", "Every deal in the festival must be scheduled.");
        }
        problems
    }

    /// Whether the two windows share a moment.
    pub fn overlaps(&self, other: &Festival) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    /// Whether the festival runs at `now`.
    pub fn is_on(&self, now: UnixMillis) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// The festival running at `now`, if any, and the next one to start after `now`.
pub fn current_and_next(
    festivals: &[Festival],
    now: UnixMillis,
) -> (Option<&Festival>, Option<&Festival>) {
    let current = festivals.iter().find(|f| f.is_on(now));
    let next = festivals
        .iter()
        .filter(|f| f.starts_at > now)
        .min_by_key(|f| f.starts_at);
    (current, next)
}

/// Whether `name` is in the IANA time zone database (as of `time_zones.txt`).
pub fn is_time_zone(name: &str) -> bool {
    !name.is_empty() && TIME_ZONES.lines().any(|zone| zone == name)
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `#` and six hexadecimal digits.
fn is_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// WCAG 2's contrast ratio of white on `#rrggbb` (1 to 21); 1 for anything else.
pub fn contrast_with_white(colour: &str) -> f64 {
    if !is_colour(colour) {
        return 1.0;
    }
    let channel = |at: usize| {
        let value = f64::from(u8::from_str_radix(&colour[at..at + 2], 16).unwrap_or(255)) / 255.0;
        if value <= 0.04045 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    1.05 / (luminance + 0.05)
}

#[cfg(test)]
mod tests;
