//! Every text the storefront shows, with its English words: the one list of what the shop
//! says, read by the storefront (`app/src/i18n.rs`) and by the edge's first paint, which paints
//! the same words. English is built in — the default and the fallback. Korean and Chinese are
//! language packs (`app/lang/{tag}.json`, keyed by the English words), loaded only by shoppers
//! who read them (the app's `i18n/packs.rs`), so no shopper downloads the words of languages
//! they do not read.

/// Declares [`Text`] and [`ENGLISH`] from one list, so the two cannot disagree.
macro_rules! texts {
    ($($name:ident => $english:literal,)*) => {
        /// Everything the storefront says. Texts with `{n}` or `{m}` take values through
        /// `fill`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text {
            $($name,)*
        }

        /// Each text's English words, in [`Text`]'s order: what the shop says in English and
        /// the keys of every language pack.
        pub const ENGLISH: &[&str] = &[$($english,)*];
    };
}

texts! {
    SkipToContent => "Skip to content",
    BrandName => "Festival",
    Language => "Language",
    MyOrders => "My orders",
    Footer => "Prices and stock are live. Times follow the shop's clock, not your device's.",
    HeroKicker => "Shopping festival",
    NextFestival => "Next festival",
    NextStarts => "Starts {n}",
    GetReady => "Get ready for midnight",
    StartsIn => "Starts in",
    OnSaleNow => "On sale now",
    FestivalOver => "This festival has ended. Thank you for shopping!",
    FlashDeals => "Flash deals",
    LoadingDeals => "Loading deals…",
    Unreachable => "We can't reach the shop right now. Retrying…",
    NoDeals => "No deals are scheduled yet. Come back soon!",
    PercentOff => "{n}% off",
    Now => "Now ",
    Was => "was ",
    StockLeft => "{n} of {m} left",
    LimitPerShopper => "Limit {n} per shopper",
    BuyNow => "Buy now",
    Buying => "Buying…",
    TryAgain => "Try again",
    OpensIn => "Opens in {n}",
    DaysShort => "d ",
    StateUpcoming => "Coming soon",
    StateOnSale => "On sale",
    StateAlmostGone => "Almost gone",
    StateSoldOut => "Sold out",
    StateEnded => "Sale ended",
    StatePaused => "Paused",
    BuyTrouble => "We couldn't reach the shop. Press Try again: it won't place a second order.",
    Details => "Details",
    BackToFestival => "← Back to the festival",
    Quantity => "Quantity",
    Starts => "Starts",
    Ends => "Ends",
    MayBuyMore => "You may buy {n} more.",
    DealNotFound => "We can't find this deal.",
    YourOrder => "Your order",
    LoadingOrder => "Loading your order…",
    Reserved => "Reserved — confirming…",
    Confirmed => "Confirmed",
    Cancelled => "Cancelled",
    OrderNumber => "Order number",
    Deal => "Deal",
    UnitPrice => "Unit price",
    Total => "Total",
    OrderedAt => "Ordered",
    NotAnOrderNumber => "That is not one of our order numbers.",
    NoOrders => "You have no orders yet. The deals are on the festival page.",
    LoadingOrders => "Loading your orders…",
    Cancel => "Cancel",
    Cancelling => "Cancelling…",
    CancelOrderOf => "Cancel the order of {n}",
    ViewOrder => "View order",
    NothingHere => "Nothing here",
    NothingHereBody => "This page doesn't exist. The deals are on the festival page.",
    NoImage => "No picture yet",
    SoldOutWords => "Sold out: every unit of this deal has been taken.",
    LimitReachedWords => "You've reached the limit for this deal.",
    OverLimitWords => "That's more than one shopper may buy of this deal.",
    SaleNotOpenWords => "This sale hasn't started yet. Watch the countdown!",
    SaleEndedWords => "This sale has ended.",
    SalePausedWords => "This sale is paused. Try again in a moment.",
    UnknownDealWords => "This deal is no longer available.",
    UnknownOrderWords => "We can't find this order.",
    NotYourOrderWords => "This order belongs to another shopper.",
    InvalidQuantityWords => "Choose a quantity of at least 1.",
    SessionWords => "Your visit has expired. Reload the page to continue.",
    SaleTokenWords => "This page is out of date. Reload it and try again.",
    WaitingWords => "You're in the queue: number {n}, about {m} s to go. Keep this page open.",
    NotAdmittedWords => "The shop is busy: you're being placed in the queue.",
    RateLimitedWords => "Too many requests — try again in {n} s",
    GenericRefusal => "Sorry, the shop couldn't take this request.",
}

impl Text {
    /// The text in English.
    pub fn english(self) -> &'static str {
        ENGLISH[self as usize]
    }
}

/// `words` with `{n}` and `{m}` replaced by `values`, in that order.
///
/// Read char by char rather than with `str::replace`: its searcher was the storefront's only
/// checked string slicing, which brings the slicing panic's message (the `Debug` of a string)
/// into the download — 1,007 bytes gzip, measured.
pub fn fill(words: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(words.len());
    let mut chars = words.chars();
    while let Some(c) = chars.next() {
        let mut ahead = chars.clone();
        let value = match (c, ahead.next(), ahead.next()) {
            ('{', Some('n'), Some('}')) => values.first(),
            ('{', Some('m'), Some('}')) => values.get(1),
            _ => None,
        };
        match value {
            Some(value) => {
                out.push_str(value);
                chars = ahead;
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fill_their_slots() {
        assert_eq!(
            fill(Text::StockLeft.english(), &["3", "10"]),
            "3 of 10 left"
        );
        assert_eq!(fill("{n}{m}{n} {x} {", &["a", "b"]), "aba {x} {");
        assert_eq!(fill("{m} of {n}", &["1"]), "{m} of 1");
    }
}
