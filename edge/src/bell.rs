//! A one-shot channel between two requests in one isolate, whose receiver wakes up in its own
//! request's context.
//!
//! The Workers runtime ties every I/O call to the request running when the call is made. A plain
//! Rust channel would wake the receiving request from inside the *sending* request's turn, so
//! whatever the receiver then fetches would belong to — and die with — the sender. Here the
//! receiver waits on a JavaScript promise it created itself: the runtime runs a promise's
//! continuations in the request that created it, whichever request resolves it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

struct Slot<T> {
    value: Option<T>,
    receiver_gone: bool,
}

/// The sending half.
pub struct Sender<T> {
    slot: Rc<RefCell<Slot<T>>>,
    resolve: Function,
}

/// The receiving half: a future of the value, or `Err(Gone)` if the sender was dropped unsent.
pub struct Receiver<T> {
    slot: Rc<RefCell<Slot<T>>>,
    woken: JsFuture,
}

/// The sender went away without sending.
#[derive(Debug)]
pub struct Gone;

/// A channel whose [`Receiver`] belongs to the request that calls this.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let mut resolve = None;
    let promise = Promise::new(&mut |resolve_fn, _reject| resolve = Some(resolve_fn));
    let slot = Rc::new(RefCell::new(Slot {
        value: None,
        receiver_gone: false,
    }));
    let sender = Sender {
        slot: slot.clone(),
        // `Promise::new` calls its executor before returning.
        resolve: resolve.unwrap_or_else(|| Function::new_no_args("")),
    };
    let receiver = Receiver {
        slot,
        woken: JsFuture::from(promise),
    };
    (sender, receiver)
}

impl<T> Sender<T> {
    /// Whether the receiver is gone (dropped). A receiver whose request the runtime cancelled
    /// may never be dropped, so `false` promises nothing.
    pub fn is_closed(&self) -> bool {
        self.slot.borrow().receiver_gone
    }

    /// Sends `value`; gives it back if the receiver is gone.
    pub fn send(self, value: T) -> Result<(), T> {
        let mut slot = self.slot.borrow_mut();
        if slot.receiver_gone {
            return Err(value);
        }
        slot.value = Some(value);
        Ok(())
        // Dropping `self` wakes the receiver.
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // Sent or not, the receiver has something to learn. Resolving twice changes nothing.
        let _ = self.resolve.call0(&JsValue::UNDEFINED);
    }
}

impl<T> Receiver<T> {
    /// The value, if it was sent, without waiting for the wake-up to arrive.
    pub fn try_take(&mut self) -> Option<T> {
        self.slot.borrow_mut().value.take()
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Gone>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.woken).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(_) => Poll::Ready(self.slot.borrow_mut().value.take().ok_or(Gone)),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.slot.borrow_mut().receiver_gone = true;
    }
}
