//! Every word the storefront shows, in English, Korean and Simplified Chinese, and the formatting
//! of prices and dates for the chosen language.
//!
//! Translations live here and nowhere else: one `match` on (text, language). Prices and dates go
//! through the browser's own `Intl.NumberFormat` / `Intl.DateTimeFormat` (via `js_sys::Intl`), so
//! the Wasm carries no locale data. The chosen language is remembered in `localStorage`.

use festival_domain::UnixMillis;
use festival_domain::money::{format_plain, is_currency_code, minor_digits};
use js_sys::{Array, Function, Intl, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// `localStorage` key of the chosen language.
const LANG_KEY: &str = "festival.lang";

/// A language the storefront speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ko, Lang::Zh];

    /// The BCP 47 tag, for `<html lang>`, `Intl` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
            Lang::Zh => "简体中文",
        }
    }

    /// Reads a tag, ours or a browser's (`ko-KR`, `zh-Hans-CN`, `en-GB`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("ko") {
            Some(Lang::Ko)
        } else if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The remembered choice, else the browser's language, else English.
    pub fn initial() -> Lang {
        let window = web_sys::window();
        let stored = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(LANG_KEY).ok().flatten());
        stored
            .or_else(|| window.and_then(|w| w.navigator().language()))
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or(Lang::En)
    }

    /// Remembers the choice and tells the document (screen readers pick their voice by it).
    pub fn adopt(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Ok(Some(storage)) = window.local_storage() {
            // Ignored on failure (private mode): the choice still holds for this visit.
            let _ = storage.set_item(LANG_KEY, self.tag());
        }
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", self.tag());
        }
    }
}

/// The language chosen now, from the context `App` provides.
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// Everything the storefront says. Texts with `{n}` or `{m}` take values through [`fill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    SkipToContent,
    BrandName,
    Language,
    MyOrders,
    Footer,
    HeroKicker,
    HeroTitle,
    HeroTagline,
    GetReady,
    StartsIn,
    OnSaleNow,
    FestivalOver,
    FlashDeals,
    LoadingDeals,
    Unreachable,
    NoDeals,
    PercentOff,
    Now,
    Was,
    StockLeft,
    LimitPerShopper,
    BuyNow,
    Buying,
    TryAgain,
    OpensIn,
    DaysShort,
    StateUpcoming,
    StateOnSale,
    StateAlmostGone,
    StateSoldOut,
    StateEnded,
    BuyTrouble,
    Details,
    BackToFestival,
    Quantity,
    Starts,
    Ends,
    MayBuyMore,
    DealNotFound,
    YourOrder,
    LoadingOrder,
    Reserved,
    Confirmed,
    Cancelled,
    OrderNumber,
    Deal,
    UnitPrice,
    Total,
    OrderedAt,
    NotAnOrderNumber,
    NoOrders,
    LoadingOrders,
    Cancel,
    Cancelling,
    CancelOrderOf,
    ViewOrder,
    NothingHere,
    NothingHereBody,
    NoImage,
    SoldOutWords,
    LimitReachedWords,
    OverLimitWords,
    SaleNotOpenWords,
    SaleEndedWords,
    UnknownDealWords,
    UnknownOrderWords,
    NotYourOrderWords,
    InvalidQuantityWords,
    SessionWords,
    SaleTokenWords,
    WaitingWords,
    NotAdmittedWords,
    RateLimitedWords,
    GenericRefusal,
}

/// The words for `text` in `lang`.
pub fn tr(text: Text, lang: Lang) -> &'static str {
    use Lang::{En, Ko, Zh};
    use Text::*;
    match (text, lang) {
        (SkipToContent, En) => "Skip to content",
        (SkipToContent, Ko) => "본문으로 건너뛰기",
        (SkipToContent, Zh) => "跳到主要内容",
        (BrandName, En) => "Festival",
        (BrandName, Ko) => "페스티벌",
        (BrandName, Zh) => "购物节",
        (Language, En) => "Language",
        (Language, Ko) => "언어",
        (Language, Zh) => "语言",
        (MyOrders, En) => "My orders",
        (MyOrders, Ko) => "내 주문",
        (MyOrders, Zh) => "我的订单",
        (Footer, En) => {
            "Prices and stock are live. Times follow the shop's clock, not your device's."
        }
        (Footer, Ko) => "가격과 재고는 실시간입니다. 시간은 기기가 아닌 상점의 시계를 따릅니다.",
        (Footer, Zh) => "价格和库存实时更新。时间以商店时钟为准，而非您的设备。",
        (HeroKicker, En) => "Singles' Day shopping festival",
        (HeroKicker, Ko) => "광군제 쇼핑 페스티벌",
        (HeroKicker, Zh) => "双十一购物狂欢节",
        (HeroTitle, En) => " Festival",
        (HeroTitle, Ko) => " 페스티벌",
        (HeroTitle, Zh) => " 购物节",
        (HeroTagline, En) => "Flash deals at huge discounts, while stock lasts.",
        (HeroTagline, Ko) => "재고 소진 시까지, 파격 할인 플래시 딜.",
        (HeroTagline, Zh) => "限时秒杀，超值折扣，售完即止。",
        (GetReady, En) => "Get ready for midnight",
        (GetReady, Ko) => "자정을 기다려 주세요",
        (GetReady, Zh) => "午夜开抢，敬请期待",
        (StartsIn, En) => "Starts in",
        (StartsIn, Ko) => "시작까지",
        (StartsIn, Zh) => "距开始",
        (OnSaleNow, En) => "On sale now",
        (OnSaleNow, Ko) => "지금 판매 중",
        (OnSaleNow, Zh) => "正在热卖",
        (FestivalOver, En) => "This festival has ended. Thank you for shopping!",
        (FestivalOver, Ko) => "페스티벌이 끝났습니다. 쇼핑해 주셔서 감사합니다!",
        (FestivalOver, Zh) => "本次购物节已结束，感谢您的惠顾！",
        (FlashDeals, En) => "Flash deals",
        (FlashDeals, Ko) => "플래시 딜",
        (FlashDeals, Zh) => "限时秒杀",
        (LoadingDeals, En) => "Loading deals…",
        (LoadingDeals, Ko) => "딜을 불러오는 중…",
        (LoadingDeals, Zh) => "正在加载商品…",
        (Unreachable, En) => "We can't reach the shop right now. Retrying…",
        (Unreachable, Ko) => "지금 상점에 연결할 수 없습니다. 다시 시도하는 중…",
        (Unreachable, Zh) => "暂时无法连接商店，正在重试…",
        (NoDeals, En) => "No deals are scheduled yet. Come back soon!",
        (NoDeals, Ko) => "아직 예정된 딜이 없습니다. 곧 다시 방문해 주세요!",
        (NoDeals, Zh) => "暂无秒杀活动，敬请期待！",
        (PercentOff, En) => "{n}% off",
        (PercentOff, Ko) => "{n}% 할인",
        (PercentOff, Zh) => "立省{n}%",
        (Now, En) => "Now ",
        (Now, Ko) => "할인가 ",
        (Now, Zh) => "现价 ",
        (Was, En) => "was ",
        (Was, Ko) => "정가 ",
        (Was, Zh) => "原价 ",
        (StockLeft, En) => "{n} of {m} left",
        (StockLeft, Ko) => "{m}개 중 {n}개 남음",
        (StockLeft, Zh) => "剩余 {n}/{m} 件",
        (LimitPerShopper, En) => "Limit {n} per shopper",
        (LimitPerShopper, Ko) => "1인당 {n}개 한정",
        (LimitPerShopper, Zh) => "每人限购 {n} 件",
        (BuyNow, En) => "Buy now",
        (BuyNow, Ko) => "지금 구매",
        (BuyNow, Zh) => "立即购买",
        (Buying, En) => "Buying…",
        (Buying, Ko) => "구매 중…",
        (Buying, Zh) => "正在购买…",
        (TryAgain, En) => "Try again",
        (TryAgain, Ko) => "다시 시도",
        (TryAgain, Zh) => "重试",
        (OpensIn, En) => "Opens in {n}",
        (OpensIn, Ko) => "{n} 후 오픈",
        (OpensIn, Zh) => "{n} 后开抢",
        (DaysShort, En) => "d ",
        (DaysShort, Ko) => "일 ",
        (DaysShort, Zh) => "天 ",
        (StateUpcoming, En) => "Coming soon",
        (StateUpcoming, Ko) => "오픈 예정",
        (StateUpcoming, Zh) => "即将开抢",
        (StateOnSale, En) => "On sale",
        (StateOnSale, Ko) => "판매 중",
        (StateOnSale, Zh) => "热卖中",
        (StateAlmostGone, En) => "Almost gone",
        (StateAlmostGone, Ko) => "마감 임박",
        (StateAlmostGone, Zh) => "即将售罄",
        (StateSoldOut, En) => "Sold out",
        (StateSoldOut, Ko) => "품절",
        (StateSoldOut, Zh) => "已售罄",
        (StateEnded, En) => "Sale ended",
        (StateEnded, Ko) => "판매 종료",
        (StateEnded, Zh) => "已结束",
        (BuyTrouble, En) => {
            "We couldn't reach the shop. Press Try again: it won't place a second order."
        }
        (BuyTrouble, Ko) => {
            "상점에 연결하지 못했습니다. 다시 시도를 누르세요. 주문이 두 번 들어가지 않습니다."
        }
        (BuyTrouble, Zh) => "无法连接商店。请点击“重试”，不会重复下单。",
        (Details, En) => "Details",
        (Details, Ko) => "자세히 보기",
        (Details, Zh) => "查看详情",
        (BackToFestival, En) => "← Back to the festival",
        (BackToFestival, Ko) => "← 페스티벌로 돌아가기",
        (BackToFestival, Zh) => "← 返回购物节",
        (Quantity, En) => "Quantity",
        (Quantity, Ko) => "수량",
        (Quantity, Zh) => "数量",
        (Starts, En) => "Starts",
        (Starts, Ko) => "시작",
        (Starts, Zh) => "开始时间",
        (Ends, En) => "Ends",
        (Ends, Ko) => "종료",
        (Ends, Zh) => "结束时间",
        (MayBuyMore, En) => "You may buy {n} more.",
        (MayBuyMore, Ko) => "{n}개 더 구매할 수 있습니다.",
        (MayBuyMore, Zh) => "您还可以购买 {n} 件。",
        (DealNotFound, En) => "We can't find this deal.",
        (DealNotFound, Ko) => "이 딜을 찾을 수 없습니다.",
        (DealNotFound, Zh) => "找不到该商品。",
        (YourOrder, En) => "Your order",
        (YourOrder, Ko) => "주문 내역",
        (YourOrder, Zh) => "您的订单",
        (LoadingOrder, En) => "Loading your order…",
        (LoadingOrder, Ko) => "주문을 불러오는 중…",
        (LoadingOrder, Zh) => "正在加载订单…",
        (Reserved, En) => "Reserved — confirming…",
        (Reserved, Ko) => "예약됨 — 확정 중…",
        (Reserved, Zh) => "已预留 — 确认中…",
        (Confirmed, En) => "Confirmed",
        (Confirmed, Ko) => "주문 확정",
        (Confirmed, Zh) => "已确认",
        (Cancelled, En) => "Cancelled",
        (Cancelled, Ko) => "취소됨",
        (Cancelled, Zh) => "已取消",
        (OrderNumber, En) => "Order number",
        (OrderNumber, Ko) => "주문 번호",
        (OrderNumber, Zh) => "订单号",
        (Deal, En) => "Deal",
        (Deal, Ko) => "상품",
        (Deal, Zh) => "商品",
        (UnitPrice, En) => "Unit price",
        (UnitPrice, Ko) => "단가",
        (UnitPrice, Zh) => "单价",
        (Total, En) => "Total",
        (Total, Ko) => "합계",
        (Total, Zh) => "合计",
        (OrderedAt, En) => "Ordered",
        (OrderedAt, Ko) => "주문 시각",
        (OrderedAt, Zh) => "下单时间",
        (NotAnOrderNumber, En) => "That is not one of our order numbers.",
        (NotAnOrderNumber, Ko) => "올바른 주문 번호가 아닙니다.",
        (NotAnOrderNumber, Zh) => "这不是有效的订单号。",
        (NoOrders, En) => "You have no orders yet. The deals are on the festival page.",
        (NoOrders, Ko) => "아직 주문이 없습니다. 딜은 페스티벌 페이지에 있습니다.",
        (NoOrders, Zh) => "您还没有订单。秒杀商品在购物节首页。",
        (LoadingOrders, En) => "Loading your orders…",
        (LoadingOrders, Ko) => "주문 목록을 불러오는 중…",
        (LoadingOrders, Zh) => "正在加载订单列表…",
        (Cancel, En) => "Cancel",
        (Cancel, Ko) => "주문 취소",
        (Cancel, Zh) => "取消订单",
        (Cancelling, En) => "Cancelling…",
        (Cancelling, Ko) => "취소 중…",
        (Cancelling, Zh) => "正在取消…",
        (CancelOrderOf, En) => "Cancel the order of {n}",
        (CancelOrderOf, Ko) => "{n} 주문 취소",
        (CancelOrderOf, Zh) => "取消{n}的订单",
        (ViewOrder, En) => "View order",
        (ViewOrder, Ko) => "주문 보기",
        (ViewOrder, Zh) => "查看订单",
        (NothingHere, En) => "Nothing here",
        (NothingHere, Ko) => "페이지가 없습니다",
        (NothingHere, Zh) => "页面不存在",
        (NothingHereBody, En) => "This page doesn't exist. The deals are on the festival page.",
        (NothingHereBody, Ko) => "없는 페이지입니다. 딜은 페스티벌 페이지에 있습니다.",
        (NothingHereBody, Zh) => "该页面不存在。秒杀商品在购物节首页。",
        (NoImage, En) => "No picture yet",
        (NoImage, Ko) => "사진 준비 중",
        (NoImage, Zh) => "暂无图片",
        (SoldOutWords, En) => "Sold out: every unit of this deal has been taken.",
        (SoldOutWords, Ko) => "품절: 이 딜의 모든 수량이 판매되었습니다.",
        (SoldOutWords, Zh) => "已售罄：该商品已被抢光。",
        (LimitReachedWords, En) => "You've reached the limit for this deal.",
        (LimitReachedWords, Ko) => "이 딜의 1인당 구매 한도에 도달했습니다.",
        (LimitReachedWords, Zh) => "您已达到该商品的限购数量。",
        (OverLimitWords, En) => "That's more than one shopper may buy of this deal.",
        (OverLimitWords, Ko) => "1인당 구매 한도를 넘는 수량입니다.",
        (OverLimitWords, Zh) => "超出了该商品的每人限购数量。",
        (SaleNotOpenWords, En) => "This sale hasn't started yet. Watch the countdown!",
        (SaleNotOpenWords, Ko) => "아직 판매가 시작되지 않았습니다. 카운트다운을 확인하세요!",
        (SaleNotOpenWords, Zh) => "活动尚未开始，请留意倒计时！",
        (SaleEndedWords, En) => "This sale has ended.",
        (SaleEndedWords, Ko) => "판매가 종료되었습니다.",
        (SaleEndedWords, Zh) => "活动已结束。",
        (UnknownDealWords, En) => "This deal is no longer available.",
        (UnknownDealWords, Ko) => "더 이상 판매하지 않는 딜입니다.",
        (UnknownDealWords, Zh) => "该商品已下架。",
        (UnknownOrderWords, En) => "We can't find this order.",
        (UnknownOrderWords, Ko) => "주문을 찾을 수 없습니다.",
        (UnknownOrderWords, Zh) => "找不到该订单。",
        (NotYourOrderWords, En) => "This order belongs to another shopper.",
        (NotYourOrderWords, Ko) => "다른 고객의 주문입니다.",
        (NotYourOrderWords, Zh) => "这不是您的订单。",
        (InvalidQuantityWords, En) => "Choose a quantity of at least 1.",
        (InvalidQuantityWords, Ko) => "수량을 1개 이상 선택하세요.",
        (InvalidQuantityWords, Zh) => "请至少选择 1 件。",
        (SessionWords, En) => "Your visit has expired. Reload the page to continue.",
        (SessionWords, Ko) => "접속이 만료되었습니다. 페이지를 새로고침하세요.",
        (SessionWords, Zh) => "会话已过期，请刷新页面后继续。",
        (SaleTokenWords, En) => "This page is out of date. Reload it and try again.",
        (SaleTokenWords, Ko) => "페이지 정보가 오래되었습니다. 새로고침 후 다시 시도하세요.",
        (SaleTokenWords, Zh) => "页面已过期，请刷新后重试。",
        (WaitingWords, En) => {
            "You're in the queue: number {n}, about {m} s to go. Keep this page open."
        }
        (WaitingWords, Ko) => {
            "대기열에 있습니다: {n}번째, 약 {m}초 남았습니다. 이 페이지를 열어 두세요."
        }
        (WaitingWords, Zh) => "您正在排队：第 {n} 位，约 {m} 秒。请保持此页面打开。",
        (NotAdmittedWords, En) => "The shop is busy: you're being placed in the queue.",
        (NotAdmittedWords, Ko) => "매장이 붐빕니다: 대기열에 등록합니다.",
        (NotAdmittedWords, Zh) => "当前人数较多：正在为您排队。",
        (RateLimitedWords, En) => "Too many requests — try again in {n} s",
        (RateLimitedWords, Ko) => "요청이 너무 많습니다 — {n}초 후 다시 시도하세요",
        (RateLimitedWords, Zh) => "请求过多 — 请在 {n} 秒后重试",
        (GenericRefusal, En) => "Sorry, the shop couldn't take this request.",
        (GenericRefusal, Ko) => "죄송합니다. 상점이 이 요청을 처리하지 못했습니다.",
        (GenericRefusal, Zh) => "抱歉，商店无法处理此请求。",
    }
}

/// `words` with `{n}` and `{m}` replaced by `values`, in that order.
pub fn fill(words: &str, values: &[&str]) -> String {
    let mut out = words.to_owned();
    for (slot, value) in ["{n}", "{m}"].iter().zip(values) {
        out = out.replace(slot, value);
    }
    out
}

/// `text` in `lang`, with values filled in (see [`fill`]).
pub fn trf(text: Text, lang: Lang, values: &[&str]) -> String {
    fill(tr(text, lang), values)
}

/// The words for a refusal code from the edge. `message` is the edge's own (English) sentence,
/// used in English for a code the shop has no words of its own for.
pub fn refusal_words(code: &str, message: &str, retry_after_s: Option<u32>, lang: Lang) -> String {
    use Text::*;
    let text = match code {
        "sold_out" => SoldOutWords,
        "limit_reached" => LimitReachedWords,
        "over_limit" => OverLimitWords,
        "sale_not_open" => SaleNotOpenWords,
        "sale_ended" => SaleEndedWords,
        "unknown_deal" => UnknownDealWords,
        "unknown_order" => UnknownOrderWords,
        "not_your_order" => NotYourOrderWords,
        "invalid_quantity" => InvalidQuantityWords,
        "session_required" | "session_invalid" | "session_expired" => SessionWords,
        "sale_token_invalid" => SaleTokenWords,
        "not_admitted" => NotAdmittedWords,
        "rate_limited" => {
            let wait = retry_after_s.unwrap_or(1).max(1).to_string();
            return trf(RateLimitedWords, lang, &[&wait]);
        }
        _ if lang == Lang::En && !message.trim().is_empty() => return message.to_owned(),
        _ => GenericRefusal,
    };
    tr(text, lang).to_owned()
}

/// A plain JS object with these string properties (the options of an `Intl` formatter).
fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// Calls an `Intl` formatter's bound `format` with one argument.
fn call_format(format: Function, arg: &JsValue) -> Option<String> {
    format.call1(&JsValue::NULL, arg).ok()?.as_string()
}

/// A price as shoppers of `lang` read it, in the deal's currency: `$12.50`, `US$12.50`,
/// `₩12,000`, `¥88.00`. Falls back to `USD 12.50` for a code `Intl` could refuse.
pub fn money(minor: i64, currency: &str, lang: Lang) -> String {
    if !is_currency_code(currency) {
        return format_plain(minor, currency);
    }
    let major = minor as f64 / 10f64.powi(minor_digits(currency) as i32);
    let locales = Array::of1(&JsValue::from_str(lang.tag()));
    let format = Intl::NumberFormat::new(
        &locales,
        &options(&[("style", "currency"), ("currency", currency)]),
    )
    .format();
    call_format(format, &JsValue::from_f64(major)).unwrap_or_else(|| format_plain(minor, currency))
}

/// A moment as shoppers of `lang` read it, in their own time zone: `Nov 11, 2026, 12:00 AM`,
/// `2026. 11. 11. 오전 12:00`, `2026年11月11日 00:00`.
pub fn date_time(at: UnixMillis, lang: Lang) -> String {
    let locales = Array::of1(&JsValue::from_str(lang.tag()));
    let format = Intl::DateTimeFormat::new(
        &locales,
        &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
    )
    .format();
    let date = js_sys::Date::new(&JsValue::from_f64(at.0 as f64));
    call_format(format, &date).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_read_browser_languages() {
        assert_eq!(Lang::from_tag("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }

    #[test]
    fn values_fill_their_slots() {
        assert_eq!(trf(Text::StockLeft, Lang::En, &["3", "10"]), "3 of 10 left");
        assert_eq!(
            trf(Text::StockLeft, Lang::Ko, &["3", "10"]),
            "10개 중 3개 남음"
        );
    }

    #[test]
    fn refusals_speak_every_language() {
        for lang in Lang::ALL {
            assert_ne!(refusal_words("sold_out", "", None, lang), "");
            assert!(refusal_words("rate_limited", "", Some(7), lang).contains('7'));
        }
        assert_eq!(
            refusal_words("odd", "The edge says.", None, Lang::En),
            "The edge says."
        );
        assert_eq!(
            refusal_words("odd", "The edge says.", None, Lang::Ko),
            tr(Text::GenericRefusal, Lang::Ko)
        );
    }
}
