//! Property tests: every parser that sees user or server input returns a value or a
//! clear error for any input, and never panics.

use proptest::prelude::*;

use crate::app::parse_duration;
use crate::authorize::{Expected, check_callback, parse_pasted};
use crate::config::Config;
use crate::oauth::response::parse_token_response;
use crate::request::body::{DataArgs, plan};

fn expected() -> Expected<'static> {
    Expected {
        state: "st4te",
        issuer: Some("https://issuer.example"),
        require_iss: true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn token_responses_never_panic(status in 100u16..600, ct in ".{0,40}", body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_token_response(status, &ct, &body, " ", &Default::default());
    }

    /// A model of the parser: the answer is usable exactly when it has a non-empty
    /// access token of visible ASCII, and its lifetime is the number it carries,
    /// clamped (a string that is no number counts as absent).
    #[test]
    fn json_token_responses_match_the_model(
        access in proptest::option::of(prop_oneof![".{0,20}", "[ -~]{0,12}", "[!-~]{1,12}"]),
        expires in proptest::option::of(prop_oneof![
            any::<i64>().prop_map(|n| (n.to_string(), Some(i128::from(n)))),
            any::<u32>().prop_map(|n| (format!("\"{n}\""), Some(i128::from(n)))),
            "[a-z]{1,8}".prop_map(|s| (format!("{s:?}"), None)),
        ]),
        scope in proptest::option::of("[a-z:]{1,8}( [a-z:]{1,8}){0,3}"),
    ) {
        let mut fields = Vec::new();
        if let Some(a) = &access { fields.push(format!(r#""access_token":{}"#, serde_json::to_string(a).unwrap())); }
        if let Some((e, _)) = &expires { fields.push(format!(r#""expires_in":{e}"#)); }
        if let Some(s) = &scope { fields.push(format!(r#""scope":{s:?}"#)); }
        let body = format!("{{{}}}", fields.join(","));
        let usable = access.as_ref().is_some_and(|a| !a.is_empty() && a.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        match parse_token_response(200, "application/json", body.as_bytes(), " ", &Default::default()) {
            Ok(t) => {
                prop_assert!(usable, "accepted {body}");
                prop_assert_eq!(Some(t.access_token.expose()), access.as_deref());
                let max = i128::from(crate::oauth::response::MAX_LIFETIME);
                let want = expires.and_then(|(_, n)| n).map(|n| n.clamp(0, max) as u64);
                prop_assert_eq!(t.expires_in, want);
                let want_scope: Option<Vec<String>> = scope.map(|s| s.split(' ').map(str::to_owned).collect());
                prop_assert_eq!(t.scope, want_scope);
            }
            Err(e) => prop_assert!(!usable, "refused {body}: {e}"),
        }
    }

    /// Extreme numbers and control characters: lifetimes always land in
    /// 0..=MAX_LIFETIME (so `now + lifetime` cannot wrap), a token with a control
    /// character or space is refused, and no error or scope carries a control character.
    #[test]
    fn extreme_numbers_and_control_characters(
        expires in prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<i128>().prop_map(|n| format!("\"{n}\"")),
            Just("18446744073709551615".to_owned()),
            Just("1e308".to_owned()),
            Just("-1e308".to_owned()),
            Just("\"NaN\"".to_owned()),
            Just("\"inf\"".to_owned()),
            Just("\"-5\"".to_owned()),
        ],
        token in "[\\x00-\\x7f]{1,12}",
        text in "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}a-z ]{0,20}",
    ) {
        let body = serde_json::json!({
            "access_token": token,
            "refresh_token": "r1",
            "scope": text,
            "error_description": text,
        });
        let mut body = body.to_string();
        body.insert_str(1, &format!(r#""expires_in":{expires},"refresh_token_expires_in":{expires},"#));
        let max = crate::oauth::response::MAX_LIFETIME;
        match parse_token_response(200, "application/json", body.as_bytes(), " ", &Default::default()) {
            Ok(t) => {
                prop_assert!(t.expires_in.is_none_or(|e| e <= max));
                prop_assert!(t.refresh_expires_in.is_none_or(|e| e <= max));
                prop_assert!(t.access_token.expose().bytes().all(|b| (0x21..=0x7e).contains(&b)));
                for scope in t.scope.unwrap_or_default() {
                    prop_assert!(!scope.chars().any(char::is_control), "{scope:?}");
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let error = serde_json::json!({"error": text, "error_description": text}).to_string();
        let e = parse_token_response(400, "application/json", error.as_bytes(), " ", &Default::default());
        if let Err(e) = e {
            let shown = e.scrub(&crate::secret::Redactor::default()).to_string();
            prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
    }

    /// A refused file is refused with a position inside the text (or none), never
    /// one past its end, and an accepted one defines exactly the apps it names.
    #[test]
    fn configuration_files_are_refused_with_a_place_in_them(text in r#"(\[apps\.[a-z]{1,3}\]\n|[a-z_]{1,12} = ("[^"\n]{0,20}"|[0-9]{1,4}|true|\[\]|\{\})\n|#.{0,10}\n|.{0,10}\n){0,12}"#) {
        match Config::parse(std::path::Path::new("apps.toml"), &text) {
            Ok(config) => {
                let tables = text.lines().filter(|l| l.starts_with("[apps.")).count();
                prop_assert!(config.apps.len() <= tables, "{} apps from {tables} tables", config.apps.len());
            }
            Err(e) => {
                if let Some((line, col)) = e.error.position {
                    let lines = text.split('\n').count();
                    prop_assert!(line >= 1 && line <= lines, "line {line} of {lines}");
                    prop_assert!(col >= 1);
                }
                prop_assert!(!e.error.message.trim().is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_text_as_configuration(text in ".{0,200}") {
        let _ = Config::parse(std::path::Path::new("apps.toml"), &text);
    }

    /// Durations mean what they say: `N`, `Ns`, `Nm`, `Nh`, `Nd` are N times the unit.
    #[test]
    fn durations_mean_what_they_say(n in 0u64..1_000_000, unit in prop::sample::select(vec![("", 1u64), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)])) {
        let text = format!(" {n}{} ", unit.0);
        prop_assert_eq!(parse_duration(&text), Ok(std::time::Duration::from_secs(n * unit.1)));
    }

    /// Text without a digit is never a duration.
    #[test]
    fn durations_need_a_number(text in "[^0-9]{0,20}") {
        prop_assert!(parse_duration(&text).is_err(), "{text:?} accepted");
    }

    #[test]
    fn callback_queries_never_panic(query in ".{0,120}") {
        let e = expected();
        let _ = check_callback(url::form_urlencoded::parse(query.as_bytes()), &e);
        let _ = parse_pasted(&query, &e);
    }

    #[test]
    fn a_callback_without_our_state_is_never_accepted(code in "[a-z]{1,10}", state in "[a-z0-9]{0,10}") {
        prop_assume!(state != "st4te");
        let query = format!("code={code}&state={state}&iss=https%3A%2F%2Fissuer.example");
        prop_assert!(check_callback(url::form_urlencoded::parse(query.as_bytes()), &expected()).is_err());
    }

    #[test]
    fn curl_data_arguments_never_panic(data in proptest::collection::vec("[^@]{0,20}", 0..4), urlenc in proptest::collection::vec("[^@]{0,20}", 0..3), form in proptest::collection::vec(".{0,15}", 0..2), get in any::<bool>()) {
        let args = DataArgs { data: &data, data_urlencode: &urlenc, form: &form, get, ..Default::default() };
        let _ = plan(&args);
    }
}
