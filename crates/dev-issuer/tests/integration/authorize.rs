//! `GET /authorize`: the redirect a headless client follows, the errors
//! redirected to the client, the ones that must not be, and the optional
//! login page.

use dev_issuer::testing::ClockedIssuer;
use dev_issuer::{DevIssuer, Endpoint, Fault, Grant, RegisteredClient, User};
use http::StatusCode;

use crate::oauth_flow::{
    Authorize, Pkce, REDIRECT, mcp_registration, redirected, redirected_error, register,
    register_public,
};
use crate::support::{Reply, block_on, get, http, send, shared};

#[test]
fn approves_at_once_and_redirects_with_code_state_and_iss() {
    let issuer = shared();
    block_on(async {
        let client_id = register_public(issuer).await;
        let reply = Authorize::new(&client_id, &Pkce::new())
            .set("scope", "openid read:tools")
            .send(issuer)
            .await;
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let query = redirected(&reply);
        assert_eq!(query["code"].len(), 43);
        assert_eq!(query["state"], "af0ifjsldkj");
        assert_eq!(query["iss"], issuer.issuer_url());
        assert_eq!(query.len(), 3);

        // Without state, none comes back; each code is new.
        let again = Authorize::new(&client_id, &Pkce::new())
            .without("state")
            .send(issuer)
            .await;
        let again = redirected(&again);
        assert!(!again.contains_key("state"));
        assert_ne!(again["code"], query["code"]);
    });
}

#[test]
fn a_registered_query_is_kept_and_a_single_redirect_uri_may_be_left_out() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .client(
                RegisteredClient::public("app").redirect_uri("https://app.example/cb?tenant=a%20b"),
            )
            .start()
            .await
            .unwrap();
        let reply = Authorize::new("app", &Pkce::new())
            .without("redirect_uri")
            .send(&issuer)
            .await;
        assert_eq!(reply.status, StatusCode::FOUND);
        let location = reply.header("location").unwrap();
        assert!(
            location.starts_with("https://app.example/cb?tenant=a%20b&code="),
            "{location}"
        );
    });
}

fn assert_page(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert!(reply.header("location").is_none(), "must not redirect");
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        reply.headers
    );
}

#[test]
fn an_untrusted_client_or_redirect_uri_gets_a_page_not_a_redirect() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .client(
                RegisteredClient::public("two")
                    .redirect_uri(REDIRECT)
                    .redirect_uri("http://127.0.0.1:9/other"),
            )
            .client(RegisteredClient::public("none-registered"))
            .start()
            .await
            .unwrap();
        let client_id = register_public(&issuer).await;
        let pkce = Pkce::new();
        let cases = [
            Authorize::new(&client_id, &pkce).without("client_id"),
            Authorize::new("no-such-client", &pkce),
            Authorize::new(&client_id, &pkce).add("client_id", &client_id),
            Authorize::new(&client_id, &pkce).set("redirect_uri", "https://evil.example/cb"),
            Authorize::new(&client_id, &pkce).set("redirect_uri", &format!("{REDIRECT}/")),
            Authorize::new(&client_id, &pkce).add("redirect_uri", REDIRECT),
            Authorize::new("two", &pkce).without("redirect_uri"),
            Authorize::new("none-registered", &pkce).without("redirect_uri"),
            // Even a request that is wrong in other ways is not redirected.
            Authorize::new("no-such-client", &pkce).set("response_type", "token"),
        ];
        for case in cases {
            assert_page(&case.send(&issuer).await);
        }

        // Markup in the request stays text on the page.
        let reply = Authorize::new("<script>alert(1)</script>", &pkce)
            .send(&issuer)
            .await;
        assert_page(&reply);
        let page = reply.body.as_str().unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
    });
}

#[test]
fn other_errors_are_redirected_to_the_client() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .client(
                RegisteredClient::new("machine", "secret")
                    .grants([Grant::ClientCredentials])
                    .redirect_uri(REDIRECT),
            )
            .start()
            .await
            .unwrap();
        let client_id = register_public(&issuer).await;
        let pkce = Pkce::new();
        let request = || Authorize::new(&client_id, &pkce);
        let cases = [
            (
                request().set("response_type", "token"),
                "unsupported_response_type",
            ),
            (
                request().set("response_type", "code id_token"),
                "unsupported_response_type",
            ),
            (request().without("response_type"), "invalid_request"),
            (request().without("code_challenge"), "invalid_request"),
            (
                request().without("code_challenge_method"),
                "invalid_request",
            ),
            (
                request().set("code_challenge_method", "plain"),
                "invalid_request",
            ),
            (
                request().set("code_challenge", "too-short"),
                "invalid_request",
            ),
            (
                request().set("code_challenge", &"+".repeat(43)),
                "invalid_request",
            ),
            (
                request().add("scope", "a").add("scope", "b"),
                "invalid_request",
            ),
            (request().set("max_age", "-1"), "invalid_request"),
            (request().set("max_age", "soon"), "invalid_request"),
            (
                request().set("response_mode", "fragment"),
                "invalid_request",
            ),
            (
                request().set("login_hint", "auth0|nobody"),
                "invalid_request",
            ),
            (request().set("scope", &"s".repeat(3000)), "invalid_request"),
            (request().set("resource", "/relative"), "invalid_target"),
            (
                request().set("resource", "https://mcp.example.com/mcp#frag"),
                "invalid_target",
            ),
            (
                request().add("resource", "https://other.example"),
                "invalid_target",
            ),
            (Authorize::new("machine", &pkce), "unauthorized_client"),
        ];
        for (case, error) in cases {
            let reply = case.send(&issuer).await;
            assert_eq!(
                redirected_error(&issuer, &reply),
                error,
                "{}",
                case.url(&issuer)
            );
        }

        // A repeated state is refused, and the first one still echoed.
        let reply = request().add("state", "second").send(&issuer).await;
        assert_eq!(redirected_error(&issuer, &reply), "invalid_request");
    });
}

#[test]
fn the_login_page_links_each_user_and_escapes_everything() {
    block_on(async {
        let mut builder = DevIssuer::builder();
        builder
            .login_page(true)
            .user(User::new("auth0|alice"))
            .user(User::new("auth0|<b>bob</b>"))
            .client(RegisteredClient::public("<i>app</i>").redirect_uri(REDIRECT));
        let fixture = ClockedIssuer::start_with(&builder).await.unwrap();
        let issuer = fixture.issuer();
        let pkce = Pkce::new();

        let reply = Authorize::new("<i>app</i>", &pkce)
            .set("scope", "read:\"x\"")
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        let page = reply.body.as_str().unwrap();
        assert!(page.contains("&lt;i&gt;app&lt;/i&gt;"), "{page}");
        assert!(page.contains("read:&quot;x&quot;"), "{page}");
        assert!(page.contains("auth0|&lt;b&gt;bob&lt;/b&gt;"), "{page}");
        assert!(!page.contains("<b>") && !page.contains("<i>"), "{page}");

        // Each link is the same request with a login_hint; following
        // Bob's signs Bob in.
        let hrefs: Vec<String> = page
            .split("href=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
            .collect();
        assert_eq!(hrefs.len(), 2, "{page}");
        assert!(
            hrefs[0].contains("login_hint=auth0%7Calice"),
            "{}",
            hrefs[0]
        );
        let followed = send(http().get(&hrefs[1])).await;
        let query = redirected(&followed);
        assert!(query.contains_key("code"));

        // prompt=none and login_hint both skip the page.
        for request in [
            Authorize::new("<i>app</i>", &pkce).set("prompt", "none"),
            Authorize::new("<i>app</i>", &pkce).set("login_hint", "auth0|alice"),
        ] {
            assert_eq!(request.send(issuer).await.status, StatusCode::FOUND);
        }
    });
}

#[test]
fn hostile_queries_get_answers_not_panics() {
    let issuer = shared();
    block_on(async {
        let base = issuer.authorization_endpoint();
        for query in [
            "",
            "%FF%FE",
            "&&&=&=",
            "client_id=%00",
            "client_id",
            "a=b=c",
        ] {
            let reply = send(http().get(format!("{base}?{query}"))).await;
            assert_page(&reply);
        }
        let client_id = register_public(issuer).await;
        let long = Authorize::new(&client_id, &Pkce::new()).set("state", &"s".repeat(20_000));
        let reply = long.send(issuer).await;
        assert_eq!(reply.status, StatusCode::URI_TOO_LONG);
        assert!(reply.header("location").is_none());

        // Values that are only text to this issuer travel back unchanged.
        let odd_state = "<\"&'>\u{1F600} %";
        let reply = Authorize::new(&client_id, &Pkce::new())
            .set("state", odd_state)
            .send(issuer)
            .await;
        assert_eq!(redirected(&reply)["state"], odd_state);
    });
}

#[test]
fn the_new_endpoints_are_counted_and_can_fail_on_purpose() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        issuer.set_fault(
            Endpoint::Registration,
            Fault::status(StatusCode::SERVICE_UNAVAILABLE).times(1),
        );
        let body = mcp_registration();
        let failed = register(&issuer, &body).await;
        assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
        let client_id = register_public(&issuer).await;
        Authorize::new(&client_id, &Pkce::new()).code(&issuer).await;
        get(issuer.authorization_server_metadata_url()).await;
        assert_eq!(issuer.request_count(Endpoint::Registration), 2);
        assert_eq!(issuer.request_count(Endpoint::Authorize), 1);
        assert_eq!(
            issuer.request_count(Endpoint::AuthorizationServerMetadata),
            1
        );
    });
}
