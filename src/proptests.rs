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

    #[test]
    fn json_token_responses_with_any_values(access in proptest::option::of(".{0,20}"), expires in proptest::option::of(prop_oneof![any::<i64>().prop_map(|n| n.to_string()), ".{0,8}".prop_map(|s| format!("{s:?}")), Just("1e400".to_owned()), Just("-5.5".to_owned())]), scope in proptest::option::of(".{0,30}")) {
        let mut fields = Vec::new();
        if let Some(a) = &access { fields.push(format!(r#""access_token":{a:?}"#)); }
        if let Some(e) = &expires { fields.push(format!(r#""expires_in":{e}"#)); }
        if let Some(s) = &scope { fields.push(format!(r#""scope":{s:?}"#)); }
        let body = format!("{{{}}}", fields.join(","));
        match parse_token_response(200, "application/json", body.as_bytes(), " ", &Default::default()) {
            Ok(t) => prop_assert!(!t.access_token.is_empty()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn configuration_files_never_panic(text in r#"(\[apps\.[a-z]{1,3}\]\n|[a-z_]{1,12} = ("[^"\n]{0,20}"|[0-9]{1,4}|true|\[\]|\{\})\n|#.{0,10}\n|.{0,10}\n){0,12}"#) {
        match Config::parse(std::path::Path::new("apps.toml"), &text) {
            Ok(_) => {}
            Err(e) => prop_assert!(e.error.to_string().starts_with("apps.toml")),
        }
    }

    #[test]
    fn arbitrary_text_as_configuration(text in ".{0,200}") {
        let _ = Config::parse(std::path::Path::new("apps.toml"), &text);
    }

    #[test]
    fn durations_parse_or_explain(text in ".{0,20}") {
        if let Err(e) = parse_duration(&text) {
            prop_assert!(e.contains("not a duration"));
        }
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
