//! Buying: one purchase intent with its idempotency key, the request, and what the shopper is
//! told. Shared by the deal cards and the deal page.
//!
//! On a bad network the purchase is sent again by itself, with the same key and a growing wait
//! (`retry::purchase_wait_ms`), while the shopper reads that it is still being tried; only when
//! those tries are spent is the shopper asked to press again. The key is also kept in the tab's
//! `sessionStorage` until the order is known (accepted, or refused for good): a page reloaded
//! mid-purchase sends that same key again by itself, and the edge answers the same order, so a
//! reload can never buy twice.

use festival_domain::{DealId, IdempotencyKey};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Refused};
use crate::i18n::{Text, refusal_words, tr, trf, use_lang};
use crate::retry::{kept_purchase, purchase_wait_ms, read_kept_purchase};
use crate::router::{Location, use_location};
use crate::shopper;

/// Where a purchase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing in flight.
    Idle,
    /// A request is on its way.
    Sending,
    /// The last try got no answer; it is sent again shortly, with the same key.
    Retrying,
    /// The last attempt got no answer; the next press resends the same idempotency key.
    Unanswered,
    /// In the waiting room: this many ahead, about this many seconds to go.
    Queued(u32, u32),
}

impl Step {
    /// A purchase is under way (sent, or waiting in line): the button waits too.
    pub fn is_busy(self) -> bool {
        matches!(self, Step::Sending | Step::Retrying | Step::Queued(..))
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
    /// The purchase of `deal`: idle, or, when this tab kept an unfinished one (the page was
    /// reloaded mid-purchase), that one sent again with its key and quantity.
    pub fn of(deal: &DealId) -> Self {
        let purchase = Purchase {
            step: RwSignal::new(Step::Idle),
            refusal: RwSignal::new(None),
            key: RwSignal::new(None),
            location: use_location(),
        };
        let kept = storage().and_then(|s| s.get_item(&storage_key(deal)).ok().flatten());
        if let Some((key, quantity)) = kept.as_deref().and_then(read_kept_purchase) {
            purchase.key.set(Some(key));
            purchase.buy(deal.clone(), quantity);
        }
        purchase
    }

    /// A new intent (the shopper changed the quantity): the next press gets a fresh key. Not
    /// while one is in flight: its answer would be lost.
    pub fn start_over(&self, deal: &DealId) {
        if self.step.get_untracked().is_busy() {
            return;
        }
        self.key.set(None);
        keep(deal, None);
        if self.step.get_untracked() == Step::Unanswered {
            self.step.set(Step::Idle);
        }
    }

    /// Sends the order, again and again while no answer comes; on success shows it on its
    /// order page.
    pub fn buy(self, deal: DealId, quantity: u32) {
        if self.step.get_untracked().is_busy() {
            return;
        }
        // A key that names its deal costs the shop no claim across deals (`IdempotencyKey`).
        let key = self
            .key
            .get_untracked()
            .unwrap_or_else(|| IdempotencyKey::naming(deal.as_str(), &shopper::new_uuid()));
        self.key.set(Some(key.clone()));
        keep(&deal, Some(&kept_purchase(&key, quantity)));
        self.step.set(Step::Sending);
        self.refusal.set(None);
        spawn_local(async move {
            let on_queue = move |position, wait_s| self.step.set(Step::Queued(position, wait_s));
            let mut tries = 0;
            let answer = loop {
                let answer = api::place_order(&deal, quantity, &key, on_queue).await;
                let wait = match &answer {
                    Err(ApiError::Unreachable(retry_after_s)) => {
                        purchase_wait_ms(tries, *retry_after_s)
                    }
                    _ => None,
                };
                let Some(wait) = wait else { break answer };
                tries += 1;
                self.step.set(Step::Retrying);
                TimeoutFuture::new(wait).await;
            };
            // The outcome is known, or the tries are spent (the key is then kept for the next).
            if let Ok(_) | Err(ApiError::Refused(_)) = answer {
                self.key.set(None);
                keep(&deal, None);
            }
            self.step.set(Step::Idle);
            match answer {
                Ok(order) => self.location.navigate(&format!("/orders/{}", order.id)),
                Err(ApiError::Refused(refused)) => self.refusal.set(Some(refused)),
                Err(ApiError::Unreachable(_)) => self.step.set(Step::Unanswered),
            }
        });
    }
}

/// The tab's `sessionStorage`, where an unfinished purchase's key is kept.
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Where the unfinished purchase of `deal` is kept.
fn storage_key(deal: &DealId) -> String {
    format!("festival.purchase.{deal}")
}

/// Keeps (`Some`) or forgets (`None`: an empty entry, which reads as nothing kept, and spares
/// the download another browser call) the unfinished purchase of `deal`. Without storage (a
/// private mode that refuses it) the key still lives in memory for this page.
fn keep(deal: &DealId, kept: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&storage_key(deal), kept.unwrap_or_default());
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
        // No answer yet: still trying by itself (a status, in the offline banner's words, which
        // cost the download nothing more), or the tries are spent (an alert).
        {move || {
            let (words, class, role) = match purchase.step.get() {
                Step::Retrying => (Text::Unreachable, "buy-retrying", "status"),
                Step::Unanswered => (Text::BuyTrouble, "buy-trouble", "alert"),
                _ => return None,
            };
            Some(view! {
                <p class=class data-testid=class role=role>{move || tr(words, lang.get())}</p>
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
            refused.code,
            &refused.message,
            refused.retry_after_s,
            lang.get(),
        )
    };
    view! { <p class="refusal" data-testid="refusal" role="alert">{words}</p> }
}
