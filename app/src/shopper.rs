//! Fresh random ids for purchase intents (idempotency keys).
//!
//! Who the shopper is comes from the session the edge signs (a cookie), never from the app. Ids
//! come from the browser's `crypto`, so the app needs no uuid/getrandom crates (smaller Wasm).

use wasm_bindgen::JsValue;

/// A random version-4 UUID. `crypto.randomUUID()` exists only in secure contexts (https,
/// localhost); elsewhere the same UUID is built from `crypto.getRandomValues`.
pub fn new_uuid() -> String {
    let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
        return uuid_from_bytes(math_random_bytes());
    };
    let has_random_uuid =
        js_sys::Reflect::has(&crypto, &JsValue::from_str("randomUUID")).unwrap_or(false);
    if has_random_uuid {
        return crypto.random_uuid();
    }
    let mut bytes = [0u8; 16];
    if crypto.get_random_values_with_u8_array(&mut bytes).is_err() {
        bytes = math_random_bytes();
    }
    uuid_from_bytes(bytes)
}

/// Last resort without `crypto` at all (very old browsers): not secret, but still unique enough
/// for an idempotency key.
fn math_random_bytes() -> [u8; 16] {
    std::array::from_fn(|_| (js_sys::Math::random() * 256.0) as u8)
}

/// Formats 16 random bytes as a version-4, variant-1 UUID.
fn uuid_from_bytes(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    // Digits pushed by hand: `format!("{byte:02x}")` costs the Wasm more than this key is worth.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_uuid_is_version_4_in_lower_hex() {
        let uuid = super::uuid_from_bytes([0xab; 16]);
        assert_eq!(uuid, "abababab-abab-4bab-abab-abababababab");
        let zero = super::uuid_from_bytes([0; 16]);
        assert_eq!(zero, "00000000-0000-4000-8000-000000000000");
    }
}
