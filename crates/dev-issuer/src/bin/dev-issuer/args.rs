//! Command-line options, parsed by clap.

use std::net::IpAddr;

use clap::Parser;
use dev_issuer::{DEFAULT_AUDIENCE, DEFAULT_SUBJECT};

/// An Auth0-compatible authorization server for local development.
#[derive(Debug, PartialEq, Eq, Parser)]
#[command(
    name = "dev-issuer",
    version,
    after_help = "Prints the issuer's URLs, a ready-to-use access token, a DPoP example and \
                  the curl commands to use them; Ctrl-C stops it.\n\n\
                  Every key this server signs with is a public test key: never trust its \
                  tokens outside development."
)]
pub(crate) struct Options {
    /// Port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 8080, value_parser = parse_port)]
    pub(crate) port: u16,

    /// Address to listen on
    #[arg(long, value_name = "IP", default_value_t = IpAddr::from([127, 0, 0, 1]), value_parser = parse_host)]
    pub(crate) host: IpAddr,

    /// Audience of the printed token
    #[arg(long, value_name = "AUD", default_value = DEFAULT_AUDIENCE)]
    pub(crate) audience: String,

    /// Subject of the printed token, and the user /authorize signs in as
    #[arg(long, default_value = DEFAULT_SUBJECT)]
    pub(crate) sub: String,

    /// Scope of the printed token [default: none]
    #[arg(long)]
    pub(crate) scope: Option<String>,

    /// Your API, for the printed curl commands and DPoP proof
    #[arg(long, value_name = "URL", default_value = "http://localhost:3000/")]
    pub(crate) api_url: String,

    /// Show a page to pick the user at /authorize, for a browser, instead
    /// of redirecting at once
    #[arg(long)]
    pub(crate) login_page: bool,
}

/// `--port`, with the old hand parser's wording: "not a port number" says
/// more than "number too large to fit in target type".
fn parse_port(raw: &str) -> Result<u16, String> {
    raw.parse()
        .map_err(|_| format!("{raw:?} is not a port number (0 to 65535)"))
}

/// `--host`: an IP address; a host name would need a resolver and could
/// name several addresses.
fn parse_host(raw: &str) -> Result<IpAddr, String> {
    raw.parse()
        .map_err(|_| format!("{raw:?} is not an IP address"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn run(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(std::iter::once("dev-issuer").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_definition_is_consistent() {
        Options::command().debug_assert();
    }

    #[test]
    fn defaults_and_both_value_spellings() {
        let defaults = run(&[]).unwrap();
        assert_eq!(defaults.host, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(defaults.port, 8080);
        assert_eq!(defaults.audience, DEFAULT_AUDIENCE);
        assert_eq!(defaults.sub, DEFAULT_SUBJECT);
        assert_eq!(defaults.scope, None);
        assert_eq!(defaults.api_url, "http://localhost:3000/");
        assert!(!defaults.login_page);
        assert!(run(&["--login-page"]).unwrap().login_page);

        let options = run(&["--port", "0", "--scope=read:x", "--host", "::1"]).unwrap();
        assert_eq!(options.port, 0);
        assert_eq!(options.scope.as_deref(), Some("read:x"));
        assert_eq!(options.host, "::1".parse::<IpAddr>().unwrap());

        let help = run(&["--port", "1", "-h"]).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        let version = run(&["--version"]).unwrap_err();
        assert_eq!(version.kind(), ErrorKind::DisplayVersion);
    }

    #[test]
    fn bad_input_is_explained() {
        let missing = run(&["--port"]).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::InvalidValue);
        assert!(missing.to_string().contains("--port <PORT>"), "{missing}");

        let too_big = run(&["--port", "99999"]).unwrap_err();
        assert_eq!(too_big.kind(), ErrorKind::ValueValidation);
        assert!(too_big.to_string().contains("not a port"), "{too_big}");

        let name = run(&["--host", "localhost"]).unwrap_err();
        assert!(name.to_string().contains("not an IP"), "{name}");

        let unknown = run(&["--frobnicate"]).unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::UnknownArgument);
        assert!(unknown.to_string().contains("'--frobnicate'"), "{unknown}");
        assert_eq!(unknown.exit_code(), 2);
    }
}
