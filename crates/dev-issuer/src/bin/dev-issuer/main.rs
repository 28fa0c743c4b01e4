//! `dev-issuer`: runs the embedded issuer for local development and prints
//! how to use it. `dev-issuer --help` lists the options.

mod args;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use dev_issuer::dpop::{ProofBuilder, ProofKey};
use dev_issuer::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DevIssuer, User};

use args::Options;
use clap::Parser as _;

fn main() -> ExitCode {
    // `--help`, `--version` and bad arguments end here: clap prints to
    // stdout (exit 0) or stderr with the usage line (exit 2).
    let options = Options::parse();
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dev-issuer: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(async {
        let issuer = DevIssuer::builder()
            .bind(SocketAddr::new(options.host, options.port))
            .audience(&options.audience)
            .user(User::new(&options.sub))
            .login_page(options.login_page)
            .start()
            .await
            .map_err(|e| e.to_string())?;
        print!("{}", banner(&issuer, options)?);
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("could not wait for Ctrl-C: {e}"))?;
        issuer.shutdown().await;
        Ok(())
    })
}

/// Everything printed at startup: the URLs, a token, a DPoP example and
/// the curl commands.
fn banner(issuer: &DevIssuer, options: &Options) -> Result<String, String> {
    let mut token = issuer.token();
    token.sub(&options.sub);
    if let Some(scope) = &options.scope {
        token.scope(scope);
    }
    let bearer = token.sign().map_err(|e| e.to_string())?;

    let key = ProofKey::generate().map_err(|e| e.to_string())?;
    let bound = token
        .cnf_jkt(key.thumbprint())
        .sign()
        .map_err(|e| e.to_string())?;
    let proof = ProofBuilder::new(&key)
        .htm("GET")
        .htu(&options.api_url)
        .access_token(&bound)
        .iat(issuer.now())
        .sign()
        .map_err(|e| format!("--api-url {:?}: {e}", options.api_url))?;

    let api = &options.api_url;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "\
dev-issuer is running. Its keys are public test keys: never trust its tokens outside development.

Issuer:         {issuer_url}
Discovery:      {discovery}
JWKS:           {jwks}
Token endpoint: {token_endpoint}
Client:         {client_id} / {client_secret} (HTTP Basic)
Audience:       {audience}

For interactive and MCP clients (PKCE S256, RFC 8707 resource = the token's aud):
AS metadata:    {as_metadata}
Registration:   {registration} (RFC 7591)
Authorize:      {authorize} ({approval})

Configure your API with domain {issuer_url} and audience {audience}.

Access token (sub {sub}, valid 24 hours):
{bearer}

Call your API with it:
  curl -H \"Authorization: Bearer {bearer}\" {api}

Get another token from the token endpoint:
  curl -u {client_id}:{client_secret} -d grant_type=client_credentials -d audience={audience} {token_endpoint}

DPoP example: a token bound to a fresh P-256 key (cnf.jkt {jkt}) and a proof
for GET {api} (valid once, for five minutes):
  curl -H \"Authorization: DPoP {bound}\" -H \"DPoP: {proof}\" {api}

Press Ctrl-C to stop.
",
        issuer_url = issuer.issuer_url(),
        discovery = issuer.discovery_url(),
        jwks = issuer.jwks_uri(),
        token_endpoint = issuer.token_endpoint(),
        client_id = DEFAULT_CLIENT_ID,
        client_secret = DEFAULT_CLIENT_SECRET,
        audience = issuer.audience(),
        sub = options.sub,
        jkt = key.thumbprint(),
        as_metadata = issuer.authorization_server_metadata_url(),
        registration = issuer.registration_endpoint(),
        authorize = issuer.authorization_endpoint(),
        approval = if options.login_page {
            "shows a page to sign in as a user"
        } else {
            "redirects at once, signed in as the --sub user"
        },
    );
    Ok(out)
}
