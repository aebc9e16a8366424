//! Schannel's certificate and TLS errors, recognised from their code: under native-tls on
//! Windows they reach tcup only as text ending `(os error N)`, N an `HRESULT` as a signed 32-bit
//! number (native-tls hides the `io::Error` it wraps), and where Windows has no message for the
//! code (wine) that is all the text says. The codes are winerror.h's: `CERT_E_*`/`TRUST_E_*`
//! (facility 11, `0x800B01xx`), the revocation `CRYPT_E_*` (`0x800920xx`) and `SEC_E_*`
//! (`0x800903xx`).

use crate::download::Kind;

/// Named codes: (HRESULT, name, what it means), certificate problems first.
const NAMED: &[(u32, &str, &str)] = &[
    (0x800B_0101, "CERT_E_EXPIRED", "a certificate is outside its validity period"),
    (0x800B_0109, "CERT_E_UNTRUSTEDROOT", "the chain ends in a root that is not trusted"),
    (0x800B_010A, "CERT_E_CHAINING", "no chain to a trusted root could be built"),
    (0x800B_010C, "CERT_E_REVOKED", "a certificate in the chain was revoked"),
    (0x800B_010E, "CERT_E_REVOCATION_FAILURE", "the revocation status of a certificate could not be checked"),
    (0x800B_010F, "CERT_E_CN_NO_MATCH", "the certificate does not name this host"),
    (0x8009_2010, "CRYPT_E_REVOKED", "a certificate in the chain was revoked"),
    (0x8009_2012, "CRYPT_E_NO_REVOCATION_CHECK", "the revocation status of a certificate could not be checked"),
    (0x8009_2013, "CRYPT_E_REVOCATION_OFFLINE", "the revocation server could not be reached"),
    (0x8009_0322, "SEC_E_WRONG_PRINCIPAL", "the certificate does not name this host"),
    (0x8009_0325, "SEC_E_UNTRUSTED_ROOT", "the chain ends in a root that is not trusted"),
    (0x8009_0328, "SEC_E_CERT_EXPIRED", "the certificate has expired"),
];

/// The kind of the Schannel error whose text is `message`, and its name and meaning when the code
/// is a named one; `None` when the text carries no Windows security code.
pub fn classify(message: &str) -> Option<(Kind, Option<(&'static str, &'static str)>)> {
    let code = os_error_code(message)?;
    let named = NAMED.iter().find(|(c, ..)| *c == code).map(|(_, name, what)| (*name, *what));
    let kind = match code >> 8 {
        0x0080_0B01 | 0x0080_0920 => Kind::Certificate,
        0x0080_0903 if named.is_some() => Kind::Certificate,
        0x0080_0903 => Kind::Tls,
        _ => return None,
    };
    Some((kind, named))
}

/// The number in the last `os error N` of `message`, as the 32 bits of an `HRESULT`.
fn os_error_code(message: &str) -> Option<u32> {
    let lower = message.to_ascii_lowercase();
    let at = lower.rfind("os error ")? + "os error ".len();
    let digits: String = lower[at..].chars().take_while(|c| *c == '-' || c.is_ascii_digit()).collect();
    // An HRESULT prints as a negative i32; the bits are the code.
    digits.parse::<i32>().ok().map(i32::cast_unsigned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schannel_codes_are_certificate_or_tls_errors() {
        // What native-tls printed under wine for a private CA (CERT_E_REVOCATION_FAILURE).
        let wine = "client error (Connect): OS Error -2146762482 (FormatMessageW() returned error 317) (os error -2146762482)";
        assert_eq!(
            classify(wine),
            Some((Kind::Certificate, Some(("CERT_E_REVOCATION_FAILURE", "the revocation status of a certificate could not be checked"))))
        );
        let untrusted = format!("(os error {})", 0x800B_0109_u32.cast_signed());
        assert_eq!(classify(&untrusted).map(|(k, n)| (k, n.map(|n| n.0))), Some((Kind::Certificate, Some("CERT_E_UNTRUSTEDROOT"))));
        // Another SEC_E_ code: a TLS failure, unnamed.
        let handshake = format!("(os error {})", 0x8009_0326_u32.cast_signed());
        assert_eq!(classify(&handshake), Some((Kind::Tls, None)));
        // Not a security code, or no code at all.
        assert_eq!(classify("connection refused (os error 10061)"), None);
        assert_eq!(classify("certificate verify failed"), None);
    }
}
