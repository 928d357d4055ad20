//! The server side of NTLM (MS-NLMP): builds the CHALLENGE_MESSAGE and
//! verifies the NTLMv2 response of the AUTHENTICATE_MESSAGE against the
//! account's password.
//!
//! Only NTLMv2 is accepted; LM and NTLMv1 responses are rejected. Message
//! integrity (MIC) and session keys are not checked, because the simulator
//! neither signs nor seals.

use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;

type HmacMd5 = Hmac<Md5>;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NEGOTIATE_SIGN: u32 = 0x0000_0010;
const NEGOTIATE_SEAL: u32 = 0x0000_0020;
const NEGOTIATE_NTLM: u32 = 0x0000_0200;
const NEGOTIATE_ALWAYS_SIGN: u32 = 0x0000_8000;
const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
const NEGOTIATE_EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
const NEGOTIATE_VERSION: u32 = 0x0200_0000;
const NEGOTIATE_128: u32 = 0x2000_0000;
const NEGOTIATE_KEY_EXCH: u32 = 0x4000_0000;
const NEGOTIATE_56: u32 = 0x8000_0000;

/// Flags the server grants when the client asks for them.
const GRANTABLE: u32 = NEGOTIATE_UNICODE
    | REQUEST_TARGET
    | NEGOTIATE_SIGN
    | NEGOTIATE_SEAL
    | NEGOTIATE_NTLM
    | NEGOTIATE_ALWAYS_SIGN
    | NEGOTIATE_EXTENDED_SESSIONSECURITY
    | NEGOTIATE_VERSION
    | NEGOTIATE_128
    | NEGOTIATE_KEY_EXCH
    | NEGOTIATE_56;

/// Returns the message type (1, 2 or 3) of an NTLM message.
pub(crate) fn message_type(message: &[u8]) -> Option<u32> {
    if message.len() < 12 || &message[..8] != SIGNATURE {
        return None;
    }
    read_u32(message, 8)
}

/// A CHALLENGE_MESSAGE sent on one connection.
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    server_challenge: [u8; 8],
    flags: u32,
    domain: String,
}

impl Challenge {
    /// Creates the CHALLENGE_MESSAGE for a NEGOTIATE_MESSAGE, with a fresh random server challenge.
    pub(crate) fn new(negotiate: &[u8], domain: &str) -> Challenge {
        let requested = read_u32(negotiate, 12).unwrap_or(NEGOTIATE_UNICODE | NEGOTIATE_NTLM);
        let flags = (requested & GRANTABLE)
            | NEGOTIATE_UNICODE
            | NEGOTIATE_NTLM
            | NEGOTIATE_TARGET_INFO
            | TARGET_TYPE_DOMAIN;
        Challenge {
            server_challenge: rand::random(),
            flags,
            domain: domain.to_ascii_uppercase(),
        }
    }

    /// Encodes the CHALLENGE_MESSAGE.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let target_name = utf16le(&self.domain);
        let mut target_info = Vec::new();
        av_pair(&mut target_info, 2, &utf16le(&self.domain));
        av_pair(&mut target_info, 1, &utf16le("EXCHANGE-SIM"));
        av_pair(&mut target_info, 4, &utf16le("example.com"));
        av_pair(&mut target_info, 3, &utf16le("exchange-sim.example.com"));
        av_pair(&mut target_info, 7, &filetime_now().to_le_bytes());
        av_pair(&mut target_info, 0, &[]);

        const HEADER: usize = 56;
        let mut out = Vec::with_capacity(HEADER + target_name.len() + target_info.len());
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&2u32.to_le_bytes());
        security_buffer(&mut out, target_name.len(), HEADER);
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.server_challenge);
        out.extend_from_slice(&[0; 8]);
        security_buffer(&mut out, target_info.len(), HEADER + target_name.len());
        // Version: Windows 10.0 build 17763, NTLM revision 15.
        out.extend_from_slice(&[10, 0, 0x63, 0x45, 0, 0, 0, 15]);
        out.extend_from_slice(&target_name);
        out.extend_from_slice(&target_info);
        out
    }
}

/// Verifies an AUTHENTICATE_MESSAGE. `lookup(user, domain)` returns the
/// account's address and password; the result is the address on success.
pub(crate) fn verify_authenticate(
    message: &[u8],
    challenge: &Challenge,
    lookup: impl FnOnce(&str, &str) -> Option<(String, String)>,
) -> Option<String> {
    let flags = read_u32(message, 60)?;
    let unicode = flags & NEGOTIATE_UNICODE != 0;
    let nt_response = field(message, 20)?;
    let domain = decode_string(field(message, 28)?, unicode)?;
    let user = decode_string(field(message, 36)?, unicode)?;
    if nt_response.len() <= 24 {
        return None;
    }
    let (address, password) = lookup(&user, &domain)?;
    let (proof, blob) = nt_response.split_at(16);

    let key = ntowf_v2(&password, &user, &domain);
    let mut mac = HmacMd5::new_from_slice(&key).expect("HMAC accepts any key length");
    mac.update(&challenge.server_challenge);
    mac.update(blob);
    mac.verify_slice(proof).ok()?;
    Some(address)
}

/// NTOWFv2: HMAC-MD5 keyed with MD4(UTF-16LE(password)) over
/// UTF-16LE(uppercase(user) + domain).
fn ntowf_v2(password: &str, user: &str, domain: &str) -> [u8; 16] {
    let nt_hash = Md4::digest(utf16le(password));
    let mut mac = HmacMd5::new_from_slice(&nt_hash).expect("HMAC accepts any key length");
    mac.update(&utf16le(&(user.to_uppercase() + domain)));
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn field(message: &[u8], offset: usize) -> Option<&[u8]> {
    let len = usize::from(u16::from_le_bytes(
        message.get(offset..offset + 2)?.try_into().ok()?,
    ));
    let start = read_u32(message, offset + 4)? as usize;
    message.get(start..start.checked_add(len)?)
}

fn read_u32(message: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        message.get(offset..offset + 4)?.try_into().ok()?,
    ))
}

fn decode_string(bytes: &[u8], unicode: bool) -> Option<String> {
    if unicode {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units).ok()
    } else {
        String::from_utf8(bytes.to_vec()).ok()
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn av_pair(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
}

fn security_buffer(out: &mut Vec<u8>, len: usize, offset: usize) {
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&(offset as u32).to_le_bytes());
}

/// Returns the current time as a Windows FILETIME (100 ns since 1601).
fn filetime_now() -> u64 {
    const EPOCH_DIFFERENCE_SECONDS: i64 = 11_644_473_600;
    let now = jiff::Timestamp::now();
    let ticks = (now.as_second() + EPOCH_DIFFERENCE_SECONDS) * 10_000_000
        + i64::from(now.subsec_nanosecond()) / 100;
    ticks as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the AUTHENTICATE_MESSAGE a client computes for `password`.
    fn authenticate(challenge: &Challenge, user: &str, domain: &str, password: &str) -> Vec<u8> {
        let blob = [
            1u8, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0,
        ];
        let key = ntowf_v2(password, user, domain);
        let mut mac = HmacMd5::new_from_slice(&key).unwrap();
        mac.update(&challenge.server_challenge);
        mac.update(&blob);
        let mut nt = mac.finalize().into_bytes().to_vec();
        nt.extend_from_slice(&blob);
        let (domain, user) = (utf16le(domain), utf16le(user));
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&3u32.to_le_bytes());
        let base = 64;
        security_buffer(&mut out, 0, base);
        security_buffer(&mut out, nt.len(), base);
        security_buffer(&mut out, domain.len(), base + nt.len());
        security_buffer(&mut out, user.len(), base + nt.len() + domain.len());
        security_buffer(&mut out, 0, base);
        security_buffer(&mut out, 0, base);
        out.extend_from_slice(&NEGOTIATE_UNICODE.to_le_bytes());
        out.extend_from_slice(&nt);
        out.extend_from_slice(&domain);
        out.extend_from_slice(&user);
        out
    }

    fn lookup(user: &str, _domain: &str) -> Option<(String, String)> {
        (user == "svc").then(|| ("svc@example.com".to_string(), "svc-password".to_string()))
    }

    #[test]
    fn accepts_the_right_password() {
        let challenge = Challenge::new(&[], "example");
        let message = authenticate(&challenge, "svc", "EXAMPLE", "svc-password");
        assert_eq!(
            verify_authenticate(&message, &challenge, lookup),
            Some("svc@example.com".to_string())
        );
    }

    #[test]
    fn rejects_a_wrong_password() {
        let challenge = Challenge::new(&[], "example");
        let message = authenticate(&challenge, "svc", "EXAMPLE", "not-the-password");
        assert_eq!(verify_authenticate(&message, &challenge, lookup), None);
    }

    #[test]
    fn rejects_a_response_to_another_challenge() {
        let first = Challenge::new(&[], "example");
        let second = Challenge::new(&[], "example");
        let message = authenticate(&first, "svc", "EXAMPLE", "svc-password");
        assert_eq!(verify_authenticate(&message, &second, lookup), None);
    }

    #[test]
    fn challenge_message_is_well_formed() {
        let bytes = Challenge::new(&[], "example").to_bytes();
        assert_eq!(message_type(&bytes), Some(2));
        assert_eq!(
            field(&bytes, 12).map(|name| decode_string(name, true)),
            Some(Some("EXAMPLE".to_string()))
        );
    }
}
