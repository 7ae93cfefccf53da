//! Refusals in words. The edge answers a stable code and a message (`ErrorBody`); shoppers read
//! sentences, never codes. The codes a shopper meets in a normal sale get the shop's own words;
//! any other code falls back to the edge's message.

use festival_domain::refusal::ErrorBody;

/// What to tell the shopper about a refused request.
pub fn refusal_words(body: &ErrorBody) -> String {
    let own = match body.code.as_str() {
        "sold_out" => Some("Sold out: every unit of this deal has been taken."),
        "limit_reached" => Some("You've reached the limit for this deal."),
        "sale_not_open" => Some("This sale hasn't started yet. Watch the countdown!"),
        "sale_ended" => Some("This sale has ended."),
        "unknown_deal" => Some("This deal is no longer available."),
        "unknown_order" => Some("We can't find this order."),
        _ => None,
    };
    match own {
        Some(words) => words.to_owned(),
        None if !body.message.trim().is_empty() => body.message.clone(),
        None => "Sorry, the shop couldn't take this request.".to_owned(),
    }
}
