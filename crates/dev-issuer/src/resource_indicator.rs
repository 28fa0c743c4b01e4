//! RFC 8707 resource indicators: the API a token is for.

/// The longest resource indicator accepted, so that a hostile value cannot
/// grow stored codes and tokens.
pub(crate) const RESOURCE_MAX: usize = 2048;

/// Why a `resource` value is refused (answered with `invalid_target`).
pub(crate) fn check(resource: &str) -> Result<(), &'static str> {
    if resource.len() > RESOURCE_MAX {
        return Err("the resource indicator is too long");
    }
    // RFC 8707 section 2: an absolute URI without a fragment.
    let url = url::Url::parse(resource).map_err(|_| "the resource must be an absolute URI")?;
    if url.fragment().is_some() || resource.contains('#') {
        return Err("the resource must not contain a fragment");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_uris_without_fragments() {
        assert!(check("https://api.example.com").is_ok());
        assert!(check("https://mcp.example.com/mcp").is_ok());
        assert!(check("urn:example:api").is_ok());
        assert!(check("/relative").is_err());
        assert!(check("api.example.com").is_err());
        assert!(check("https://api.example.com/#frag").is_err());
        assert!(check("https://api.example.com/#").is_err());
        assert!(check(&format!("https://a.example/{}", "x".repeat(RESOURCE_MAX))).is_err());
    }
}
