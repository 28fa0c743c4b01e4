//! Command-line options, parsed by hand.

use std::net::IpAddr;

use dev_issuer::{DEFAULT_AUDIENCE, DEFAULT_SUBJECT};

pub(crate) const USAGE: &str = "\
dev-issuer: an Auth0-compatible authorization server for local development

USAGE:
    dev-issuer [OPTIONS]

OPTIONS:
    --port <PORT>         port to listen on; 0 picks a free one [default: 8080]
    --host <IP>           address to listen on [default: 127.0.0.1]
    --audience <AUD>      audience of the printed token [default: https://api.example.com]
    --sub <SUB>           subject of the printed token [default: auth0|dev-user]
    --scope <SCOPE>       scope of the printed token [default: none]
    --api-url <URL>       your API, for the printed curl commands [default: http://localhost:3000/]
    -h, --help            print this help
    -V, --version         print the version

Every key this server signs with is a public test key: never trust its tokens
outside development.";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Run(Options),
    Help,
    Version,
}

/// The options of a run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) host: IpAddr,
    pub(crate) port: u16,
    pub(crate) audience: String,
    pub(crate) sub: String,
    pub(crate) scope: Option<String>,
    pub(crate) api_url: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            audience: DEFAULT_AUDIENCE.to_owned(),
            sub: DEFAULT_SUBJECT.to_owned(),
            scope: None,
            api_url: "http://localhost:3000/".to_owned(),
        }
    }
}

/// Parses the arguments after the program name. Both `--port 8080` and
/// `--port=8080` are accepted.
pub(crate) fn parse<I>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = String>,
{
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--port" => {
                let raw = value()?;
                options.port = raw
                    .parse()
                    .map_err(|_| format!("--port: {raw:?} is not a port number"))?;
            }
            "--host" => {
                let raw = value()?;
                options.host = raw
                    .parse()
                    .map_err(|_| format!("--host: {raw:?} is not an IP address"))?;
            }
            "--audience" => options.audience = value()?,
            "--sub" => options.sub = value()?,
            "--scope" => options.scope = Some(value()?),
            "--api-url" => options.api_url = value()?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Command::Run(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn defaults_and_both_value_spellings() {
        assert_eq!(run(&[]).unwrap(), Command::Run(Options::default()));
        let Command::Run(options) =
            run(&["--port", "0", "--scope=read:x", "--host", "::1"]).unwrap()
        else {
            panic!("expected a run");
        };
        assert_eq!(options.port, 0);
        assert_eq!(options.scope.as_deref(), Some("read:x"));
        assert_eq!(options.host, "::1".parse::<IpAddr>().unwrap());
        assert_eq!(run(&["--port", "1", "-h"]).unwrap(), Command::Help);
        assert_eq!(run(&["--version"]).unwrap(), Command::Version);
    }

    #[test]
    fn bad_input_is_explained() {
        assert_eq!(run(&["--port"]).unwrap_err(), "--port needs a value");
        assert!(
            run(&["--port", "99999"])
                .unwrap_err()
                .contains("not a port")
        );
        assert!(
            run(&["--host", "localhost"])
                .unwrap_err()
                .contains("not an IP")
        );
        assert!(
            run(&["--frobnicate"])
                .unwrap_err()
                .contains("unknown option")
        );
    }
}
