//! The gate: a marketer signs in with the token. The token is checked by asking the API for the
//! list of sales; until that succeeds nothing of the console is shown.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Token};
use crate::i18n::t;
use crate::{ConsoleState, session};

/// The sign-in form.
#[component]
pub fn SignIn() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let typed = RwSignal::new(String::new());
    let checking = RwSignal::new(false);
    // Words made when shown, so they follow the language.
    let problem = RwSignal::new(None::<fn() -> &'static str>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = Token(typed.get_untracked().trim().to_owned());
        if token.0.is_empty() {
            problem.set(Some(|| t("Enter the marketer token.")));
            return;
        }
        checking.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::list_deals(&token).await;
            checking.set(false);
            match answer {
                Ok(deals) => {
                    session::save(&token);
                    state.denied.set(false);
                    state.deals.set(deals);
                    state.token.set(Some(token));
                }
                Err(ApiError::Unauthorized) => state.denied.set(true),
                Err(_) => problem.set(Some(|| t("Can't reach the shop right now. Try again."))),
            }
        });
    };

    view! {
        <section class="sign-in panel" aria-labelledby="sign-in-heading">
            <h1 id="sign-in-heading">{move || t("Sign in")}</h1>
            <p class="muted">
                {move || t("The console is for the festival's marketers. Enter your marketer token.")}
            </p>
            <form on:submit=submit>
                <label for="console-token">{move || t("Marketer token")}</label>
                <input
                    id="console-token"
                    type="password"
                    autocomplete="current-password"
                    data-testid="console-token"
                    bind:value=typed
                />
                <button
                    type="submit"
                    class="primary"
                    data-testid="console-sign-in"
                    disabled=move || checking.get()
                >
                    {move || if checking.get() { t("Checking…") } else { t("Sign in") }}
                </button>
            </form>
            <Show when=move || state.denied.get()>
                <p class="error" role="alert" data-testid="console-denied">
                    {move || t("That token was not accepted (401). Check it and try again.")}
                </p>
            </Show>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p()}</p> })}
        </section>
    }
}
