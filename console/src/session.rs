//! The marketer's token, kept for this browser tab only (sessionStorage): closing the tab signs
//! out, and no other site or tab reads it.

use crate::api::Token;

const KEY: &str = "festival-console-token";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The token this tab signed in with, if any.
pub fn load() -> Option<Token> {
    storage()?
        .get_item(KEY)
        .ok()?
        .filter(|t| !t.is_empty())
        .map(Token)
}

/// Remembers `token` for this tab.
pub fn save(token: &Token) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &token.0);
    }
}

/// Forgets the token.
pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}
