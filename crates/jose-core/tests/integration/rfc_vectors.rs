//! Published test vectors: RFC 7515 A.2/A.3, RFC 7520 4.1, RFC 7638 3.1 and
//! the RFC 9449 thumbprint and `ath`.
