//! The live dashboard's dead-letter panel: orders the shop accepted whose delivery to origin gave
//! up, kept at the edge until `cargo xtask redrive` sends them again. Shown only while letters
//! wait, so a calm night shows nothing; when it shows, it says how many, why (origin's own code
//! and words, or the queue's retries that ran out), and what to do.

use festival_domain::dead_letter::{RETRIES_RAN_OUT, ReasonCount, Summary};
use leptos::prelude::*;

use crate::ConsoleState;

/// The panel, while at least one letter waits; nothing otherwise (or before the first read).
#[component]
pub fn DeadLetters() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    // A memo, so that a refresh with the same letters leaves the panel (and a reader's place in
    // it) alone instead of drawing it again every two seconds.
    let waiting = Memo::new(move |_| state.dead_letters.get().filter(|s| s.letters > 0));
    move || waiting.get().map(|summary| view! { <Panel summary /> })
}

#[component]
fn Panel(summary: Summary) -> impl IntoView {
    let heading = match summary.letters {
        1 => "1 order waits as a dead letter".to_owned(),
        n => format!("{n} orders wait as dead letters"),
    };
    view! {
        <div
            class="panel dead-letters"
            role="status"
            aria-labelledby="dead-letters-heading"
            data-testid="dead-letters"
            data-letters=summary.letters.to_string()
        >
            <h2 id="dead-letters-heading">{heading}</h2>
            <p class="dead-letters-lead">
                "The shop accepted them, but their delivery to origin gave up. They are kept safe at the edge and nothing is lost, but origin does not have them yet, so the figures below leave them out."
            </p>
            <ul class="dead-letter-reasons">
                {summary.reasons.into_iter().map(|reason| view! { <Reason reason /> }).collect_view()}
            </ul>
            <p class="dead-letters-todo">
                <strong>"What to do: "</strong>
                "once origin is fixed, run "
                <code>"cargo xtask redrive"</code>
                ". It sends these orders again, origin stores each one once, and this panel goes away."
            </p>
        </div>
    }
}

/// One reason: how many letters, and why, in origin's words and code.
#[component]
fn Reason(reason: ReasonCount) -> impl IntoView {
    // Origin's words for a refusal are terse ("the signature does not match"): say whose they
    // are. The edge's own reason is a whole sentence already.
    let why = if reason.code == RETRIES_RAN_OUT {
        reason.message
    } else {
        format!("Origin refused them: {}", reason.message)
    };
    let (code, data_code) = (reason.code.clone(), reason.code);
    let count = match reason.letters {
        1 => "1 order".to_owned(),
        n => format!("{n} orders"),
    };
    view! {
        <li data-testid="dead-letter-reason" data-code=data_code>
            <span class="dead-letter-count">{count}</span>
            <span class="dead-letter-why">
                {why}
                " "
                <code class="dead-letter-code">{code}</code>
            </span>
        </li>
    }
}
