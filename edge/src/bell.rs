//! A bell one request makes and rings for others, who hear it each in their own request.
//!
//! The Workers runtime ties every I/O call — and every object that holds I/O, like a
//! response body — to the request whose turn runs the code, and that turn is whichever request
//! woke first: a continuation runs in the turn that settles its promise. So a request woken by
//! a plain channel, or by a promise of its own settled by another request, runs in the other's
//! turn, and what it then makes belongs to the other ("Cannot perform I/O on behalf of a
//! different request", measured as 500s and refused shard calls under load). A promise made by
//! *another* request is different: the runtime sees a request follow a promise of another
//! request and resumes the follower in its own request once that promise settles. A bell is
//! such a promise: its maker rings it, its listeners follow it.

use std::cell::Cell;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// A promise of the request that made it, and what settles it.
#[derive(Clone)]
pub struct Bell {
    id: u64,
    promise: Promise,
    ring: Function,
}

impl Default for Bell {
    fn default() -> Self {
        Bell::new()
    }
}

impl Bell {
    /// A bell of the current request. Only other requests should listen to it.
    pub fn new() -> Self {
        let mut ring = None;
        let promise = Promise::new(&mut |resolve, _reject| ring = Some(resolve));
        let id = NEXT_ID.get();
        NEXT_ID.set(id.wrapping_add(1));
        Bell {
            id,
            promise,
            // `Promise::new` calls its executor before returning.
            ring: ring.unwrap_or_else(|| Function::new_no_args("")),
        }
    }

    /// Tells this bell from another.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Wakes every listener, each in its own request; ringing again changes nothing.
    pub fn ring(&self) {
        let _ = self.ring.call0(&JsValue::UNDEFINED);
    }

    /// Resolves once the bell rang, in the listening request's own turn.
    pub fn listen(&self) -> JsFuture {
        JsFuture::from(self.promise.clone())
    }
}
