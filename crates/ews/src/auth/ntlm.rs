//! NTLMv2 ([MS-NLMP]) messages and computations, for the client side of
//! HTTP NTLM authentication and for a test server that verifies it.
//!
//! The three messages are encoded here with RustCrypto's `md4`, `hmac` and
//! `md-5`, so no system crypto library (which may disable MD4) is involved.
//! Only NTLMv2 is supported; NTLMv1 and LM responses are never sent.
//!
//! [MS-NLMP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/

use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;

type HmacMd5 = Hmac<Md5>;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// `NTLMSSP_NEGOTIATE_UNICODE`.
pub const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
/// `NTLMSSP_REQUEST_TARGET`.
pub const REQUEST_TARGET: u32 = 0x0000_0004;
/// `NTLMSSP_NEGOTIATE_NTLM`.
pub const NEGOTIATE_NTLM: u32 = 0x0000_0200;
/// `NTLMSSP_NEGOTIATE_ALWAYS_SIGN`.
pub const NEGOTIATE_ALWAYS_SIGN: u32 = 0x0000_8000;
/// `NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY`.
pub const NEGOTIATE_EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
/// `NTLMSSP_NEGOTIATE_TARGET_INFO`.
pub const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
/// `NTLMSSP_NEGOTIATE_128`.
pub const NEGOTIATE_128: u32 = 0x2000_0000;
/// `NTLMSSP_NEGOTIATE_56`.
pub const NEGOTIATE_56: u32 = 0x8000_0000;

/// Flags the client offers in its NEGOTIATE_MESSAGE.
pub const CLIENT_FLAGS: u32 = NEGOTIATE_UNICODE
    | REQUEST_TARGET
    | NEGOTIATE_NTLM
    | NEGOTIATE_ALWAYS_SIGN
    | NEGOTIATE_EXTENDED_SESSIONSECURITY
    | NEGOTIATE_128
    | NEGOTIATE_56;

/// `MsvAvEOL`, the end of an AV pair list.
const AV_EOL: u16 = 0;
/// `MsvAvTimestamp`, the server's time in a CHALLENGE_MESSAGE's target info.
const AV_TIMESTAMP: u16 = 7;
/// `MsvAvTargetName`, the service principal name the client addressed.
const AV_TARGET_NAME: u16 = 9;
/// `MsvAvChannelBindings`, the MD5 hash of the TLS channel bindings.
const AV_CHANNEL_BINDINGS: u16 = 10;

/// A malformed NTLM message or a failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NtlmError {
    /// The message is shorter than its field headers state, or has the
    /// wrong signature or type.
    #[error("malformed NTLM {message} message: {reason}")]
    Malformed {
        /// Message kind: negotiate, challenge or authenticate.
        message: &'static str,
        /// Description of the problem.
        reason: String,
    },
    /// The response does not match the password.
    #[error("NTLM response of `{domain}\\{user}` does not match the password")]
    WrongPassword {
        /// Domain named in the message.
        domain: String,
        /// User named in the message.
        user: String,
    },
    /// The server does not know the user.
    #[error("NTLM user `{domain}\\{user}` is unknown")]
    UnknownUser {
        /// Domain named in the message.
        domain: String,
        /// User named in the message.
        user: String,
    },
    /// The response is NTLMv1, which is not accepted.
    #[error("NTLM response of `{domain}\\{user}` is not NTLMv2")]
    NotNtlmV2 {
        /// Domain named in the message.
        domain: String,
        /// User named in the message.
        user: String,
    },
}

fn malformed(message: &'static str, reason: impl Into<String>) -> NtlmError {
    NtlmError::Malformed {
        message,
        reason: reason.into(),
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // OK to expect: HMAC accepts keys of any length.
    let mut mac = HmacMd5::new_from_slice(key).expect("HMAC-MD5 accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Computes the NT hash: MD4 of the UTF-16LE password.
pub fn nt_hash(password: &str) -> [u8; 16] {
    Md4::digest(utf16le(password)).into()
}

/// Computes `NTOWFv2`: HMAC-MD5 keyed with the NT hash over the upper-cased
/// user name and the domain, both UTF-16LE.
pub fn ntowf_v2(password: &str, user: &str, domain: &str) -> [u8; 16] {
    let identity = utf16le(&format!("{}{domain}", user.to_uppercase()));
    hmac_md5(&nt_hash(password), &[&identity])
}

/// The responses an NTLMv2 client sends, and the session key both sides derive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtlmV2Responses {
    /// `NtChallengeResponse`: `NTProofStr` followed by the client blob.
    pub nt_challenge_response: Vec<u8>,
    /// `LmChallengeResponse` (LMv2).
    pub lm_challenge_response: Vec<u8>,
    /// `SessionBaseKey`.
    pub session_base_key: [u8; 16],
}

/// Builds the NTLMv2 client blob (`temp` in [MS-NLMP] section 3.3.2).
pub fn client_blob(client_challenge: [u8; 8], timestamp: u64, target_info: &[u8]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(32 + target_info.len());
    blob.extend_from_slice(&[0x01, 0x01, 0, 0, 0, 0, 0, 0]);
    blob.extend_from_slice(&timestamp.to_le_bytes());
    blob.extend_from_slice(&client_challenge);
    blob.extend_from_slice(&[0, 0, 0, 0]);
    blob.extend_from_slice(target_info);
    blob.extend_from_slice(&[0, 0, 0, 0]);
    blob
}

/// Computes the NTLMv2 and LMv2 responses ([MS-NLMP] section 3.3.2).
pub fn compute_ntlm_v2(
    response_key: &[u8; 16],
    server_challenge: [u8; 8],
    client_challenge: [u8; 8],
    timestamp: u64,
    target_info: &[u8],
) -> NtlmV2Responses {
    let blob = client_blob(client_challenge, timestamp, target_info);
    let nt_proof = hmac_md5(response_key, &[&server_challenge, &blob]);
    let mut nt_challenge_response = nt_proof.to_vec();
    nt_challenge_response.extend_from_slice(&blob);
    let mut lm_challenge_response =
        hmac_md5(response_key, &[&server_challenge, &client_challenge]).to_vec();
    lm_challenge_response.extend_from_slice(&client_challenge);
    NtlmV2Responses {
        nt_challenge_response,
        lm_challenge_response,
        session_base_key: hmac_md5(response_key, &[&nt_proof]),
    }
}

/// Appends a security buffer header (length, maximum length, offset) and
/// queues its payload.
fn push_field(header: &mut Vec<u8>, payload: &mut Vec<u8>, payload_start: usize, data: &[u8]) {
    let length = u16::try_from(data.len()).unwrap_or(u16::MAX);
    let offset = u32::try_from(payload_start + payload.len()).unwrap_or(u32::MAX);
    header.extend_from_slice(&length.to_le_bytes());
    header.extend_from_slice(&length.to_le_bytes());
    header.extend_from_slice(&offset.to_le_bytes());
    payload.extend_from_slice(data);
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the security buffer whose header starts at `at`.
fn read_field<'a>(
    bytes: &'a [u8],
    at: usize,
    message: &'static str,
) -> Result<&'a [u8], NtlmError> {
    let length = read_u16(bytes, at).ok_or_else(|| malformed(message, "truncated field header"))?;
    let offset =
        read_u32(bytes, at + 4).ok_or_else(|| malformed(message, "truncated field header"))?;
    let start = offset as usize;
    bytes
        .get(start..start + usize::from(length))
        .ok_or_else(|| {
            malformed(
                message,
                format!("field at offset {start} runs past the end"),
            )
        })
}

fn check_header(bytes: &[u8], message_type: u32, message: &'static str) -> Result<(), NtlmError> {
    if bytes.get(..8) != Some(SIGNATURE.as_slice()) {
        return Err(malformed(message, "missing `NTLMSSP` signature"));
    }
    match read_u32(bytes, 8) {
        Some(found) if found == message_type => Ok(()),
        Some(found) => Err(malformed(
            message,
            format!("expected message type {message_type}, found {found}"),
        )),
        None => Err(malformed(message, "truncated header")),
    }
}

fn utf16le_to_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Iterates over the (id, value) AV pairs of a target info list, stopping
/// at `MsvAvEOL` or at a truncated pair.
fn av_pairs(info: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let id = read_u16(info, at)?;
        let length = usize::from(read_u16(info, at + 2)?);
        if id == AV_EOL {
            return None;
        }
        let value = info.get(at + 4..at + 4 + length)?;
        at += 4 + length;
        Some((id, value))
    })
}

fn push_av_pair(info: &mut Vec<u8>, id: u16, value: &[u8]) {
    info.extend_from_slice(&id.to_le_bytes());
    info.extend_from_slice(&u16::try_from(value.len()).unwrap_or(u16::MAX).to_le_bytes());
    info.extend_from_slice(value);
}

/// Computes the `MsvAvChannelBindings` value for TLS: the MD5 hash of a
/// `gss_channel_bindings_struct` with zero addresses and the application
/// data `tls-server-end-point:` followed by the certificate hash (RFC 5929).
pub fn channel_bindings_hash(certificate_hash: &[u8]) -> [u8; 16] {
    let mut application_data = b"tls-server-end-point:".to_vec();
    application_data.extend_from_slice(certificate_hash);
    let mut structure = vec![0u8; 16];
    let length = u32::try_from(application_data.len()).unwrap_or(u32::MAX);
    structure.extend_from_slice(&length.to_le_bytes());
    structure.extend_from_slice(&application_data);
    Md5::digest(&structure).into()
}

/// Computes the RFC 5929 `tls-server-end-point` hash of a DER certificate:
/// SHA-256, or SHA-384 or SHA-512 when the certificate is signed with one.
///
/// NOTE: the signature algorithm is found by looking for its object
/// identifier in the DER bytes rather than by parsing the certificate.
/// RSASSA-PSS certificates are hashed with SHA-256 regardless of the hash
/// in their parameters.
pub fn tls_server_end_point(certificate_der: &[u8]) -> Vec<u8> {
    use sha2::{Sha256, Sha384, Sha512};
    // DER encodings of signature algorithm OIDs with their hash sizes.
    const ALGORITHMS: &[(&[u8], u16)] = &[
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04,
            ],
            256,
        ), // md5WithRSA
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05,
            ],
            256,
        ), // sha1WithRSA
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
            ],
            256,
        ), // sha256WithRSA
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c,
            ],
            384,
        ), // sha384WithRSA
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d,
            ],
            512,
        ), // sha512WithRSA
        (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
            256,
        ), // ecdsa-with-SHA256
        (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],
            384,
        ), // ecdsa-with-SHA384
        (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04],
            512,
        ), // ecdsa-with-SHA512
    ];
    let first = ALGORITHMS
        .iter()
        .filter_map(|(oid, bits)| {
            certificate_der
                .windows(oid.len())
                .position(|window| window == *oid)
                .map(|position| (position, *bits))
        })
        .min_by_key(|(position, _)| *position);
    match first.map(|(_, bits)| bits) {
        Some(384) => Sha384::digest(certificate_der).to_vec(),
        Some(512) => Sha512::digest(certificate_der).to_vec(),
        _ => Sha256::digest(certificate_der).to_vec(),
    }
}

/// Builds the target info the client returns in its NTLMv2 blob: the
/// server's AV pairs, plus the channel bindings and the service principal
/// name when given, which servers with Extended Protection check.
pub fn client_target_info(
    server_info: &[u8],
    channel_bindings: Option<[u8; 16]>,
    target_name: Option<&str>,
) -> Vec<u8> {
    let mut info = Vec::with_capacity(server_info.len() + 64);
    for (id, value) in av_pairs(server_info) {
        if id != AV_CHANNEL_BINDINGS && id != AV_TARGET_NAME {
            push_av_pair(&mut info, id, value);
        }
    }
    if let Some(bindings) = channel_bindings {
        push_av_pair(&mut info, AV_CHANNEL_BINDINGS, &bindings);
    }
    if let Some(name) = target_name {
        push_av_pair(&mut info, AV_TARGET_NAME, &utf16le(name));
    }
    info.extend_from_slice(&[0, 0, 0, 0]);
    info
}

/// Encodes a NEGOTIATE_MESSAGE without domain or workstation.
pub fn negotiate_message() -> Vec<u8> {
    let mut message = Vec::with_capacity(32);
    message.extend_from_slice(SIGNATURE);
    message.extend_from_slice(&1u32.to_le_bytes());
    message.extend_from_slice(&CLIENT_FLAGS.to_le_bytes());
    // Empty DomainNameFields and WorkstationFields pointing at the end.
    for _ in 0..2 {
        message.extend_from_slice(&[0, 0, 0, 0]);
        message.extend_from_slice(&32u32.to_le_bytes());
    }
    message
}

/// A CHALLENGE_MESSAGE, as a server sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeMessage {
    /// Negotiated flags.
    pub flags: u32,
    /// The 8-byte server challenge.
    pub server_challenge: [u8; 8],
    /// Target name (the server's domain), UTF-16LE on the wire.
    pub target_name: String,
    /// Target info AV pairs, raw.
    pub target_info: Vec<u8>,
}

impl ChallengeMessage {
    /// Parses a CHALLENGE_MESSAGE.
    ///
    /// # Errors
    ///
    /// Returns [`NtlmError::Malformed`] when the message is truncated or of
    /// another type.
    pub fn parse(bytes: &[u8]) -> Result<ChallengeMessage, NtlmError> {
        const NAME: &str = "challenge";
        check_header(bytes, 2, NAME)?;
        let target_name = read_field(bytes, 12, NAME)?;
        let flags = read_u32(bytes, 20).ok_or_else(|| malformed(NAME, "truncated flags"))?;
        let server_challenge: [u8; 8] =
            bytes
                .get(24..32)
                .and_then(|slice| slice.try_into().ok())
                .ok_or_else(|| malformed(NAME, "truncated server challenge"))?;
        let target_info = if bytes.len() >= 48 {
            read_field(bytes, 40, NAME)?.to_vec()
        } else {
            Vec::new()
        };
        Ok(ChallengeMessage {
            flags,
            server_challenge,
            target_name: utf16le_to_string(target_name),
            target_info,
        })
    }

    /// Encodes the message.
    pub fn to_bytes(&self) -> Vec<u8> {
        const PAYLOAD_START: usize = 48;
        let mut header = Vec::with_capacity(PAYLOAD_START);
        let mut payload = Vec::new();
        header.extend_from_slice(SIGNATURE);
        header.extend_from_slice(&2u32.to_le_bytes());
        push_field(
            &mut header,
            &mut payload,
            PAYLOAD_START,
            &utf16le(&self.target_name),
        );
        header.extend_from_slice(&self.flags.to_le_bytes());
        header.extend_from_slice(&self.server_challenge);
        header.extend_from_slice(&[0; 8]);
        push_field(&mut header, &mut payload, PAYLOAD_START, &self.target_info);
        header.extend_from_slice(&payload);
        header
    }

    /// Returns `MsvAvTimestamp` from the target info, if the server sent one.
    pub fn timestamp(&self) -> Option<u64> {
        av_pairs(&self.target_info)
            .find(|(id, _)| *id == AV_TIMESTAMP)
            .and_then(|(_, value)| Some(u64::from_le_bytes(value.try_into().ok()?)))
    }
}

/// Builds target info AV pairs naming a NetBIOS domain and computer, with a
/// timestamp, ended by `MsvAvEOL`.
pub fn target_info(domain: &str, computer: &str, timestamp: u64) -> Vec<u8> {
    let mut info = Vec::new();
    push_av_pair(&mut info, 2, &utf16le(domain));
    push_av_pair(&mut info, 1, &utf16le(computer));
    push_av_pair(&mut info, AV_TIMESTAMP, &timestamp.to_le_bytes());
    info.extend_from_slice(&[0, 0, 0, 0]);
    info
}

/// An AUTHENTICATE_MESSAGE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticateMessage {
    /// `LmChallengeResponse`.
    pub lm_challenge_response: Vec<u8>,
    /// `NtChallengeResponse`.
    pub nt_challenge_response: Vec<u8>,
    /// Domain of the user.
    pub domain: String,
    /// User name.
    pub user: String,
    /// Workstation name.
    pub workstation: String,
    /// Negotiated flags.
    pub flags: u32,
}

impl AuthenticateMessage {
    /// Encodes the message without version or MIC.
    pub fn to_bytes(&self) -> Vec<u8> {
        const PAYLOAD_START: usize = 64;
        let mut header = Vec::with_capacity(PAYLOAD_START);
        let mut payload = Vec::new();
        header.extend_from_slice(SIGNATURE);
        header.extend_from_slice(&3u32.to_le_bytes());
        push_field(
            &mut header,
            &mut payload,
            PAYLOAD_START,
            &self.lm_challenge_response,
        );
        push_field(
            &mut header,
            &mut payload,
            PAYLOAD_START,
            &self.nt_challenge_response,
        );
        push_field(
            &mut header,
            &mut payload,
            PAYLOAD_START,
            &utf16le(&self.domain),
        );
        push_field(
            &mut header,
            &mut payload,
            PAYLOAD_START,
            &utf16le(&self.user),
        );
        push_field(
            &mut header,
            &mut payload,
            PAYLOAD_START,
            &utf16le(&self.workstation),
        );
        push_field(&mut header, &mut payload, PAYLOAD_START, &[]);
        header.extend_from_slice(&self.flags.to_le_bytes());
        header.extend_from_slice(&payload);
        header
    }

    /// Parses an AUTHENTICATE_MESSAGE.
    ///
    /// # Errors
    ///
    /// Returns [`NtlmError::Malformed`] when the message is truncated or of
    /// another type.
    pub fn parse(bytes: &[u8]) -> Result<AuthenticateMessage, NtlmError> {
        const NAME: &str = "authenticate";
        check_header(bytes, 3, NAME)?;
        Ok(AuthenticateMessage {
            lm_challenge_response: read_field(bytes, 12, NAME)?.to_vec(),
            nt_challenge_response: read_field(bytes, 20, NAME)?.to_vec(),
            domain: utf16le_to_string(read_field(bytes, 28, NAME)?),
            user: utf16le_to_string(read_field(bytes, 36, NAME)?),
            workstation: utf16le_to_string(read_field(bytes, 44, NAME)?),
            flags: read_u32(bytes, 60).ok_or_else(|| malformed(NAME, "truncated flags"))?,
        })
    }

    /// Returns the `MsvAvChannelBindings` value of the NTLMv2 response, for
    /// a server that checks Extended Protection.
    pub fn channel_bindings(&self) -> Option<[u8; 16]> {
        // The AV pairs follow the 16-byte proof and the 28-byte blob header.
        let pairs = self.nt_challenge_response.get(16 + 28..)?;
        av_pairs(pairs)
            .find(|(id, _)| *id == AV_CHANNEL_BINDINGS)
            .and_then(|(_, value)| value.try_into().ok())
    }

    /// Checks the NTLMv2 response against the password that `password_of`
    /// returns for the message's domain and user, as a server does.
    ///
    /// # Errors
    ///
    /// Returns [`NtlmError::UnknownUser`] when `password_of` returns `None`,
    /// [`NtlmError::NotNtlmV2`] for a shorter (NTLMv1) response and
    /// [`NtlmError::WrongPassword`] when the proof does not match.
    pub fn verify(
        &self,
        server_challenge: [u8; 8],
        password_of: impl FnOnce(&str, &str) -> Option<String>,
    ) -> Result<(), NtlmError> {
        let (domain, user) = (self.domain.clone(), self.user.clone());
        let Some(password) = password_of(&domain, &user) else {
            return Err(NtlmError::UnknownUser { domain, user });
        };
        // An NTLMv2 response is the 16-byte proof plus a blob of at least 28 bytes.
        if self.nt_challenge_response.len() < 16 + 28 {
            return Err(NtlmError::NotNtlmV2 { domain, user });
        }
        let (proof, blob) = self.nt_challenge_response.split_at(16);
        let key = ntowf_v2(&password, &user, &domain);
        let expected = hmac_md5(&key, &[&server_challenge, blob]);
        // Compare without an early exit so the time taken does not reveal
        // how many leading bytes matched.
        let difference = expected
            .iter()
            .zip(proof)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if difference != 0 {
            return Err(NtlmError::WrongPassword { domain, user });
        }
        Ok(())
    }
}

/// Returns the current time as a Windows FILETIME (100 ns ticks since 1601).
pub fn filetime_now() -> u64 {
    // Seconds between 1601-01-01 and 1970-01-01.
    const EPOCH_DIFFERENCE_SECONDS: u64 = 11_644_473_600;
    let since_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (since_unix.as_secs() + EPOCH_DIFFERENCE_SECONDS) * 10_000_000
        + u64::from(since_unix.subsec_nanos() / 100)
}

/// The client's side of Extended Protection: values bound into the
/// NTLMv2 response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    /// `MsvAvChannelBindings` from [`channel_bindings_hash`], over TLS.
    pub channel_bindings: Option<[u8; 16]>,
    /// Service principal name, such as `HTTP/mail.contoso.com`.
    pub target_name: Option<String>,
}

/// Builds the AUTHENTICATE_MESSAGE that responds to a challenge.
pub fn authenticate_message(
    challenge: &ChallengeMessage,
    credentials: (&str, &str, &str),
    workstation: &str,
    client_challenge: [u8; 8],
    binding: &Binding,
) -> AuthenticateMessage {
    let (domain, user, password) = credentials;
    let timestamp = challenge.timestamp().unwrap_or_else(filetime_now);
    let key = ntowf_v2(password, user, domain);
    let info = client_target_info(
        &challenge.target_info,
        binding.channel_bindings,
        binding.target_name.as_deref(),
    );
    let responses = compute_ntlm_v2(
        &key,
        challenge.server_challenge,
        client_challenge,
        timestamp,
        &info,
    );
    AuthenticateMessage {
        lm_challenge_response: responses.lm_challenge_response,
        nt_challenge_response: responses.nt_challenge_response,
        domain: domain.to_owned(),
        user: user.to_owned(),
        workstation: workstation.to_owned(),
        flags: challenge.flags & CLIENT_FLAGS | NEGOTIATE_UNICODE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    // Inputs of [MS-NLMP] section 4.2.1 and the NTLMv2 results of 4.2.4.
    const SERVER_CHALLENGE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    const CLIENT_CHALLENGE: [u8; 8] = [0xaa; 8];

    fn spec_target_info() -> Vec<u8> {
        let mut info = Vec::new();
        for (id, value) in [(2u16, utf16le("Domain")), (1u16, utf16le("Server"))] {
            info.extend_from_slice(&id.to_le_bytes());
            info.extend_from_slice(&(value.len() as u16).to_le_bytes());
            info.extend_from_slice(&value);
        }
        info.extend_from_slice(&[0, 0, 0, 0]);
        info
    }

    #[test]
    fn ntowf_v2_matches_spec() {
        assert_eq!(
            hex(&ntowf_v2("Password", "User", "Domain")),
            "0c868a403bfd7a93a3001ef22ef02e3f"
        );
    }

    #[test]
    fn ntlm_v2_responses_match_spec() {
        let key = ntowf_v2("Password", "User", "Domain");
        let responses = compute_ntlm_v2(
            &key,
            SERVER_CHALLENGE,
            CLIENT_CHALLENGE,
            0,
            &spec_target_info(),
        );
        assert_eq!(
            hex(&responses.nt_challenge_response[..16]),
            "68cd0ab851e51c96aabc927bebef6a1c"
        );
        assert_eq!(
            hex(&responses.lm_challenge_response),
            "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"
        );
        assert_eq!(
            hex(&responses.session_base_key),
            "8de40ccadbc14a82f15cb0ad0de95ca3"
        );
    }

    #[test]
    fn handshake_verifies_right_password() {
        let challenge = ChallengeMessage {
            flags: CLIENT_FLAGS | NEGOTIATE_TARGET_INFO,
            server_challenge: SERVER_CHALLENGE,
            target_name: String::from("CONTOSO"),
            target_info: target_info("CONTOSO", "EXCH01", 133_000_000_000_000_000),
        };
        let parsed = ChallengeMessage::parse(&challenge.to_bytes()).unwrap();
        assert_eq!(parsed, challenge);
        assert_eq!(parsed.timestamp(), Some(133_000_000_000_000_000));

        let binding = Binding {
            channel_bindings: Some(channel_bindings_hash(&[0xab; 32])),
            target_name: Some(String::from("HTTP/mail.contoso.com")),
        };
        let credentials = ("CONTOSO", "svc-rooms", "S3cret!");
        let message = authenticate_message(&parsed, credentials, "ROOMBRIDGE", [7; 8], &binding);
        let received = AuthenticateMessage::parse(&message.to_bytes()).unwrap();
        assert_eq!(received, message);
        let lookup = |domain: &str, user: &str| {
            (domain == "CONTOSO" && user == "svc-rooms").then(|| String::from("S3cret!"))
        };
        assert_eq!(received.verify(SERVER_CHALLENGE, lookup), Ok(()));
        assert_eq!(received.channel_bindings(), binding.channel_bindings);
    }

    #[test]
    fn handshake_rejects_wrong_password() {
        let challenge = ChallengeMessage {
            flags: CLIENT_FLAGS,
            server_challenge: SERVER_CHALLENGE,
            target_name: String::new(),
            target_info: Vec::new(),
        };
        let credentials = ("CONTOSO", "svc-rooms", "wrong");
        let message =
            authenticate_message(&challenge, credentials, "WS", [1; 8], &Binding::default());
        let result = message.verify(SERVER_CHALLENGE, |_, _| Some(String::from("S3cret!")));
        assert!(
            matches!(result, Err(NtlmError::WrongPassword { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn client_target_info_appends_bindings_before_end() {
        let server = target_info("CONTOSO", "EXCH01", 42);
        let info = client_target_info(&server, Some([9; 16]), Some("HTTP/exch01"));
        let pairs: Vec<(u16, Vec<u8>)> = av_pairs(&info)
            .map(|(id, value)| (id, value.to_vec()))
            .collect();
        let ids: Vec<u16> = pairs.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids,
            [2, 1, AV_TIMESTAMP, AV_CHANNEL_BINDINGS, AV_TARGET_NAME]
        );
        assert_eq!(pairs[3].1, vec![9; 16]);
        assert!(info.ends_with(&[0, 0, 0, 0]));
    }

    #[test]
    fn end_point_hash_follows_signature_hash() {
        // A made-up DER fragment with the ecdsa-with-SHA384 OID.
        let certificate = [
            0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
        ];
        assert_eq!(tls_server_end_point(&certificate).len(), 48);
        assert_eq!(tls_server_end_point(&[0x30, 0x00]).len(), 32);
    }

    #[test]
    fn challenge_rejects_other_message_type() {
        let result = ChallengeMessage::parse(&negotiate_message());
        assert!(
            matches!(result, Err(NtlmError::Malformed { .. })),
            "{result:?}"
        );
    }
}
