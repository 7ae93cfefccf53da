//! Buying: one purchase intent with its idempotency key, the request, and what the shopper is
//! told. Shared by the deal cards and the deal page.

use festival_domain::DealId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Refused};
use crate::i18n::{Text, refusal_words, tr, trf, use_lang};
use crate::router::{Location, use_location};
use crate::shopper;

/// Where a purchase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing in flight.
    Idle,
    /// A request is on its way.
    Sending,
    /// The last attempt got no answer; the next press resends the same idempotency key.
    Unanswered,
    /// In the waiting room: this many ahead, about this many seconds to go.
    Queued(u32, u32),
}

impl Step {
    /// A purchase is under way (sent, or waiting in line): the button waits too.
    pub fn is_busy(self) -> bool {
        matches!(self, Step::Sending | Step::Queued(..))
    }
}

/// One buyer's purchase of one deal, across retries.
#[derive(Debug, Clone, Copy)]
pub struct Purchase {
    /// Where it stands.
    pub step: RwSignal<Step>,
    /// The edge's last refusal, shown in words until the next attempt.
    pub refusal: RwSignal<Option<Refused>>,
    /// One key per purchase intent: kept across retries after no answer, dropped after a
    /// definitive one, so a retry can never buy twice.
    key: RwSignal<Option<String>>,
    location: Location,
}

impl Purchase {
    /// A purchase with nothing sent yet.
    pub fn idle() -> Self {
        Purchase {
            step: RwSignal::new(Step::Idle),
            refusal: RwSignal::new(None),
            key: RwSignal::new(None),
            location: use_location(),
        }
    }

    /// A new intent (the shopper changed the quantity): the next press gets a fresh key.
    pub fn start_over(&self) {
        self.key.set(None);
        if self.step.get_untracked() == Step::Unanswered {
            self.step.set(Step::Idle);
        }
    }

    /// Sends the order; on success shows it on its order page.
    pub fn buy(self, deal: DealId, quantity: u32) {
        if self.step.get_untracked().is_busy() {
            return;
        }
        let key = self.key.get_untracked().unwrap_or_else(shopper::new_uuid);
        self.key.set(Some(key.clone()));
        self.step.set(Step::Sending);
        self.refusal.set(None);
        spawn_local(async move {
            let on_queue = move |position, wait_s| self.step.set(Step::Queued(position, wait_s));
            match api::place_order(&deal, quantity, &key, on_queue).await {
                Ok(order) => {
                    self.key.set(None);
                    self.step.set(Step::Idle);
                    self.location.navigate(&format!("/orders/{}", order.id));
                }
                Err(ApiError::Refused(refused)) => {
                    self.key.set(None);
                    self.step.set(Step::Idle);
                    self.refusal.set(Some(refused));
                }
                Err(ApiError::Unreachable) => self.step.set(Step::Unanswered),
            }
        });
    }
}

/// What the shopper is told about the purchase: the refusal, or that the shop was unreachable.
#[component]
pub fn PurchaseNotes(purchase: Purchase) -> impl IntoView {
    let lang = use_lang();
    view! {
        {move || purchase.refusal.get().map(|refused| view! { <RefusalNote refused /> })}
        {move || match purchase.step.get() {
            Step::Queued(position, wait_s) => Some(view! {
                <p class="waiting-room" data-testid="waiting-room" role="status">
                    {move || {
                        let (position, wait_s) = (position.to_string(), wait_s.to_string());
                        trf(Text::WaitingWords, lang.get(), &[&position, &wait_s])
                    }}
                </p>
            }),
            _ => None,
        }}
        {move || {
            (purchase.step.get() == Step::Unanswered)
                .then(|| view! {
                    <p class="buy-trouble" data-testid="buy-trouble" role="alert">
                        {move || tr(Text::BuyTrouble, lang.get())}
                    </p>
                })
        }}
    }
}

/// A refusal from the edge, in the shopper's language.
#[component]
pub fn RefusalNote(refused: Refused) -> impl IntoView {
    let lang = use_lang();
    let words = move || {
        refusal_words(
            &refused.code,
            &refused.message,
            refused.retry_after_s,
            lang.get(),
        )
    };
    view! { <p class="refusal" data-testid="refusal" role="alert">{words}</p> }
}
