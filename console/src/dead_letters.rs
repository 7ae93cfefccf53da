//! The live dashboard's dead-letter panel: orders the shop accepted whose delivery to origin gave
//! up, kept at the edge until `cargo xtask redrive` sends them again. Shown only while letters
//! wait, so a calm night shows nothing; when it shows, it says how many, why (origin's own code
//! and words, or the queue's retries that ran out), and what to do.

use festival_domain::dead_letter::{RETRIES_RAN_OUT, ReasonCount, Summary};
use leptos::prelude::*;

use crate::ConsoleState;
use crate::i18n::{t, tf, translated};

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
    let letters = summary.letters;
    let heading = move || match letters {
        1 => t("1 order waits as a dead letter").to_owned(),
        n => tf("{n} orders wait as dead letters", &[&n.to_string()]),
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
                {move || t("The shop accepted them, but their delivery to origin gave up. They are kept safe at the edge and nothing is lost, but origin does not have them yet, so the figures below leave them out.")}
            </p>
            <ul class="dead-letter-reasons">
                {summary.reasons.into_iter().map(|reason| view! { <Reason reason /> }).collect_view()}
            </ul>
            <p class="dead-letters-todo">
                <strong>{move || t("What to do: ")}</strong>
                {move || t("once origin is fixed, run ")}
                <code>"cargo xtask redrive"</code>
                {move || t(". It sends these orders again, origin stores each one once, and this panel goes away.")}
            </p>
        </div>
    }
}

/// One reason: how many letters, and why, in origin's words and code.
#[component]
fn Reason(reason: ReasonCount) -> impl IntoView {
    // Origin's words for a refusal are terse ("the signature does not match"): say whose they
    // are. The edge's own reason is a whole sentence already.
    let (retries_ran_out, message) = (reason.code == RETRIES_RAN_OUT, reason.message);
    let why = move || match retries_ran_out {
        true => translated(&message),
        false => tf("Origin refused them: {n}", &[&message]),
    };
    let (code, data_code) = (reason.code.clone(), reason.code);
    let letters = reason.letters;
    let count = move || match letters {
        1 => t("1 order").to_owned(),
        n => tf("{n} orders", &[&n.to_string()]),
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
