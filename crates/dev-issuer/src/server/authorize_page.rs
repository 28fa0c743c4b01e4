//! The two HTML pages of `GET /authorize`: the user picker (off by
//! default) and the error page for a request that cannot be redirected.
//!
//! Every value written into a page comes from the request or the
//! configuration and is escaped: a `client_id` or a `login_hint` link must
//! not become markup.

use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;
use http::header::{CACHE_CONTROL, HeaderValue};

/// The page for a request whose `client_id` or `redirect_uri` is not
/// valid: RFC 6749 section 4.1.2.1 forbids redirecting it.
pub(super) fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>dev-issuer: {error}</title></head>\n\
         <body><h1>Authorization request refused</h1>\n<p><code>{error}</code>: {description}</p>\n\
         <p>The client was not redirected because its client_id or redirect_uri could not be trusted.</p>\n\
         </body></html>\n",
        error = escape(error),
        description = escape(description),
    );
    page(status, body)
}

/// One user to sign in as, and the `/authorize` URL that does it.
#[derive(Debug)]
pub(super) struct Choice<'a> {
    pub(super) sub: &'a str,
    pub(super) href: String,
}

/// The page that lets a person pick the user to sign in as.
pub(super) fn login_page(client_id: &str, scope: Option<&str>, choices: &[Choice<'_>]) -> Response {
    let mut items = String::new();
    for choice in choices {
        items.push_str(&format!(
            "<li><a href=\"{}\">Sign in as <code>{}</code></a></li>\n",
            escape(&choice.href),
            escape(choice.sub)
        ));
    }
    let scope = scope.map_or_else(String::new, |s| {
        format!("<p>Scope: <code>{}</code></p>\n", escape(s))
    });
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>dev-issuer: sign in</title></head>\n\
         <body><h1>Sign in to <code>{client}</code></h1>\n{scope}<ul>\n{items}</ul>\n\
         <p>dev-issuer: a local development authorization server. No password is asked.</p>\n\
         </body></html>\n",
        client = escape(client_id),
    );
    page(StatusCode::OK, body)
}

fn page(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// HTML escaping for text and double- or single-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(escape("auth0|alice"), "auth0|alice");
    }
}
