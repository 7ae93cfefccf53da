//! Which page the address names, and moving between pages without a reload.
//!
//! A few lines instead of `leptos_router`: the storefront has four fixed routes, and the router
//! crate's generic matching cost about a quarter of the shopper's Wasm budget. Links stay plain
//! `<a href>` (they work with a middle click, a new tab and without Wasm); a click on a
//! same-origin link becomes a `history.pushState` here.

use festival_domain::{DealId, OrderId};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A page of the storefront, as the path names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// `/`: the hero and the deal grid.
    Festival,
    /// `/deals/:id`.
    Deal(DealId),
    /// `/orders`: this session's orders.
    MyOrders,
    /// `/orders/:id`; `None` when the id is not one of ours.
    Order(Option<OrderId>),
    /// Anything else.
    NotFound,
}

impl Page {
    /// The page `path` names (query and fragment already removed).
    pub fn of(path: &str) -> Page {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => Page::Festival,
            ["deals", id] => DealId::parse(id).map_or(Page::NotFound, Page::Deal),
            ["orders"] => Page::MyOrders,
            ["orders", id] => Page::Order(OrderId::parse(id)),
            _ => Page::NotFound,
        }
    }
}

/// The current path, provided as context by [`start`].
#[derive(Debug, Clone, Copy)]
pub struct Location(RwSignal<String>);

impl Location {
    /// The current path; reading it in a view re-renders on navigation.
    pub fn path(&self) -> String {
        self.0.get()
    }
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

/// Starts following the address: back/forward buttons and clicks on same-origin links.
pub fn start() -> Location {
    let location = Location(RwSignal::new(current_path()));
    provide_context(location);
    // For the app's whole life, like the app itself.
    let _ = window_event_listener(ev::popstate, move |_| {
        location.0.set(current_path());
    });
    let _ = window_event_listener(ev::click, move |event| {
        if let Some(href) = internal_link(&event) {
            event.prevent_default();
            location.navigate(&href);
        }
    });
    location
}

/// The `href` of the same-origin link a plain left click landed on, if any. Clicks with a
/// modifier (new tab, new window, download) stay the browser's.
fn internal_link(event: &web_sys::MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let target: web_sys::Element = event.target()?.dyn_into().ok()?;
    let link = target.closest("a[href]").ok()??;
    if link.has_attribute("target") || link.has_attribute("download") {
        return None;
    }
    let href = link.get_attribute("href")?;
    (href.starts_with('/') && !href.starts_with("//")).then_some(href)
}

/// The current location, from the context `App` provides.
pub fn use_location() -> Location {
    expect_context::<Location>()
}

impl Location {
    /// Goes to `path` as a link would: a new history entry, the page at its top, and keyboard
    /// focus on the new page's content so a screen reader starts reading there.
    pub fn navigate(&self, path: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if self.0.get_untracked() == path {
            return;
        }
        if let Ok(history) = window.history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
        }
        self.0.set(path.to_owned());
        focus_main(&window);
    }
}

/// Scrolls to the top and puts keyboard focus on `<main>` once the new page is drawn.
fn focus_main(window: &web_sys::Window) {
    window.scroll_to_with_x_and_y(0.0, 0.0);
    request_animation_frame(|| {
        let main = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(main) = main {
            let _ = main.focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_pages() {
        assert_eq!(Page::of("/"), Page::Festival);
        assert_eq!(Page::of("/orders"), Page::MyOrders);
        assert_eq!(Page::of("/orders/"), Page::MyOrders);
        assert!(matches!(Page::of("/deals/tea-set"), Page::Deal(_)));
        assert_eq!(Page::of("/deals/Not%20ours"), Page::NotFound);
        assert_eq!(Page::of("/orders/nonsense"), Page::Order(None));
        assert_eq!(Page::of("/console"), Page::NotFound);
    }
}
