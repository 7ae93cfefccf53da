//! The audit log: every change marketers made, newest first — when, who (the token's label),
//! what (the action and the subject), and what changed, field by field, from before to after.

use festival_domain::audit::AuditEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::ConsoleState;
use crate::api;
use crate::i18n::t;
use crate::time;

/// Words for a moment (a field named `…_at` holds Unix milliseconds).
type ShowTime<'a> = &'a dyn Fn(i64) -> String;

/// The fields that differ between `before` and `after` (nested objects by a dotted path), as
/// `field: before → after`; a side that is absent shows as `—`, a moment by `show_time`.
pub fn changes(before: Option<&Value>, after: Option<&Value>, show_time: ShowTime) -> Vec<String> {
    let mut lines = Vec::new();
    walk("", before, after, show_time, &mut lines);
    lines
}

fn walk(
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    show_time: ShowTime,
    lines: &mut Vec<String>,
) {
    if before == after {
        return;
    }
    if let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) {
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            walk(&inner, b.get(key), a.get(key), show_time, lines);
        }
        return;
    }
    let shown = |side: Option<&Value>| match side {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::Object(_)) => "{…}".to_owned(),
        Some(Value::Number(n)) if path.ends_with("_at") && n.is_i64() => {
            show_time(n.as_i64().unwrap_or_default())
        }
        Some(value) => value.to_string(),
    };
    let name = if path.is_empty() { "value" } else { path };
    lines.push(format!("{name}: {} → {}", shown(before), shown(after)));
}

/// What an entry did, in words (the fields by their names in the API, as the subject and
/// action are: they are what a marketer searches the log and the code for).
fn summary(entry: &AuditEntry) -> Vec<String> {
    match (&entry.before, &entry.after) {
        (None, Some(_)) => vec![t("created").into()],
        (Some(_), None) => vec![t("removed").into()],
        (before, after) => changes(before.as_ref(), after.as_ref(), &|ms| {
            time::date_time(festival_domain::UnixMillis(ms))
        }),
    }
}

/// The audit log's section, re-read whenever the sales are.
#[component]
pub fn AuditLog() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    Effect::new(move |_| {
        state.live.track();
        let Some(token) = state.token() else { return };
        spawn_local(async move {
            match api::audit(&token).await {
                Ok(page) => entries.set(page.entries),
                Err(e) => state.note(&e),
            }
        });
    });
    view! {
        <section id="audit" class="audit" aria-labelledby="audit-heading">
            <h1 id="audit-heading">{move || t("Audit log")}</h1>
            <p class="small muted">
                {move || t("Every change to a festival or a sale: who made it, when, and what it was before and after.")}
            </p>
            <Show when=move || entries.with(Vec::is_empty)>
                <p class="muted">{move || t("No changes yet.")}</p>
            </Show>
            <ol class="audit-list" data-testid="audit-log">
                <For
                    each=move || entries.get()
                    key=|entry| entry.id
                    children=move |entry| view! { <AuditRow entry /> }
                />
            </ol>
        </section>
    }
}

/// One entry: when, who, what, and its changes.
#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let lines = {
        let entry = entry.clone();
        move || {
            summary(&entry)
                .into_iter()
                .map(|line| view! { <li><code>{line}</code></li> })
                .collect_view()
        }
    };
    view! {
        <li class="audit-entry" data-testid="audit-entry">
            <div class="audit-head">
                <time class="small muted">{time::date_time(entry.at)}</time>
                <strong>{entry.actor.clone()}</strong>
                <span class="badge">{entry.action.replace('_', " ")}</span>
                <span class="small">{format!("{} {}", entry.subject.kind, entry.subject.id)}</span>
            </div>
            <ul class="audit-changes small">{lines}</ul>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_each_field_that_differs() {
        let before = json!({"deal": {"stock": 10, "name": "Tea"}, "live": {"paused": false}});
        let after = json!({"deal": {"stock": 10, "name": "Tea"}, "live": {"paused": true}});
        let at = |ms: i64| format!("t{ms}");
        assert_eq!(
            changes(Some(&before), Some(&after), &at),
            vec!["live.paused: false → true".to_owned()]
        );
        let ended = json!({"live": {"ended_at": 5, "added_units": 2}});
        let open = json!({"live": {"ended_at": null, "added_units": 0}});
        assert_eq!(
            changes(Some(&open), Some(&ended), &at),
            vec![
                "live.added_units: 0 → 2".to_owned(),
                "live.ended_at: — → t5".to_owned()
            ]
        );
        assert!(changes(Some(&before), Some(&before), &at).is_empty());
    }
}
