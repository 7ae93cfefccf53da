//! The live page's delivery line: how many accepted orders (and cancellations) are still on
//! their way to origin and how long the oldest has waited, and how many wait as dead letters —
//! red once the oldest has waited over [`LATE_AFTER_MS`] or any letter waits, so that a late
//! queue or a stuck origin shows on the big screen before the figures go wrong.

use festival_domain::dead_letter::Summary;
use festival_domain::stock::BacklogReport;
use leptos::prelude::*;

use crate::ConsoleState;
use crate::i18n::{t, tf};

/// An order on its way longer than this means delivery is falling behind (a healthy queue
/// delivers within seconds; origin's retries back off up to a minute).
pub const LATE_AFTER_MS: i64 = 60_000;

/// Whether the line is red, and its words.
pub fn reading(report: &BacklogReport, dead_letters: Option<&Summary>) -> (bool, String) {
    let backlog = &report.backlog;
    let letters = dead_letters.map_or(0, |s| s.letters);
    let late = report.oldest_age_ms.is_some_and(|age| age > LATE_AFTER_MS);
    let on_the_way = match (backlog.waiting, backlog.more) {
        (0, _) => t("Every order is at origin").to_owned(),
        (n, more) => {
            let n = n.to_string();
            let count = match more {
                true => tf("over {n} on their way to origin", &[&n]),
                false => tf("{n} on their way to origin", &[&n]),
            };
            let age = report
                .oldest_age_ms
                .map(|ms| tf(", the oldest for {n}", &[&seconds(ms)]))
                .unwrap_or_default();
            format!("{count}{age}")
        }
    };
    let dead = match letters {
        0 => t("no dead letters").to_owned(),
        1 => t("1 dead letter").to_owned(),
        n => tf("{n} dead letters", &[&n.to_string()]),
    };
    (late || letters > 0, format!("{on_the_way} · {dead}"))
}

fn seconds(ms: i64) -> String {
    match ms / 1_000 {
        s if s < 120 => tf("{n} s", &[&s.to_string()]),
        s => tf("{n} min", &[&(s / 60).to_string()]),
    }
}

/// The line, once the backlog has been read.
#[component]
pub fn DeliveryLine() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let line = Memo::new(move |_| {
        let dead_letters = state.dead_letters.get();
        state
            .backlog
            .get()
            .map(|backlog| reading(&backlog, dead_letters.as_ref()))
    });
    move || {
        line.get().map(|(late, words)| {
            view! {
                <p class="delivery" class:delivery-late=late data-testid="delivery" data-late=late.to_string() role="status">
                    {words}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use festival_domain::stock::Backlog;

    use super::*;

    #[test]
    fn the_line_turns_red_when_delivery_is_late_or_letters_wait() {
        let calm = BacklogReport::default();
        assert_eq!(
            reading(&calm, None),
            (false, "Every order is at origin · no dead letters".into())
        );
        let on_time = BacklogReport {
            backlog: Backlog {
                waiting: 3,
                ..Backlog::default()
            },
            oldest_age_ms: Some(4_000),
        };
        assert_eq!(
            reading(&on_time, None),
            (
                false,
                "3 on their way to origin, the oldest for 4 s · no dead letters".into()
            )
        );
        let late = BacklogReport {
            backlog: Backlog {
                waiting: 1_024,
                more: true,
                oldest_since: None,
            },
            oldest_age_ms: Some(300_000),
        };
        let (red, words) = reading(&late, None);
        assert!(red);
        assert_eq!(
            words,
            "over 1024 on their way to origin, the oldest for 5 min · no dead letters"
        );
        let letters = Summary {
            letters: 2,
            ..Summary::default()
        };
        assert!(reading(&calm, Some(&letters)).0);
    }
}
