//! NTLM messages from the network never panic the parsers, whatever their
//! bytes: the client parses a server's CHALLENGE message and the simulator
//! parses a client's AUTHENTICATE message.

use proptest::prelude::*;
use roombridge_ews::auth::ntlm::{AuthenticateMessage, ChallengeMessage};

/// Generates a message with the right signature and type, then arbitrary
/// bytes, so that the parsers get past the header checks.
fn with_header(message_type: u32) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..160).prop_map(move |tail| {
        let mut bytes = b"NTLMSSP\0".to_vec();
        bytes.extend_from_slice(&message_type.to_le_bytes());
        bytes.extend_from_slice(&tail);
        bytes
    })
}

proptest! {
    #[test]
    fn challenge_parser_never_panics(bytes in with_header(2)) {
        if let Ok(challenge) = ChallengeMessage::parse(&bytes) {
            let _ = challenge.timestamp();
            let _ = challenge.to_bytes();
        }
    }

    #[test]
    fn authenticate_parser_never_panics(bytes in with_header(3)) {
        if let Ok(message) = AuthenticateMessage::parse(&bytes) {
            let _ = message.channel_bindings();
            let _ = message.verify([0; 8], |_, _| Some(String::from("password")));
        }
    }

    #[test]
    fn random_bytes_are_rejected(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assume!(!bytes.starts_with(b"NTLMSSP\0"));
        prop_assert!(ChallengeMessage::parse(&bytes).is_err());
        prop_assert!(AuthenticateMessage::parse(&bytes).is_err());
    }
}

#[test]
fn field_past_end_is_an_error() {
    let mut bytes = b"NTLMSSP\0".to_vec();
    bytes.extend_from_slice(&3u32.to_le_bytes());
    // LmChallengeResponse: length 0xffff at offset 0xffffffff.
    bytes.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    bytes.extend_from_slice(&[0; 52]);
    let error = AuthenticateMessage::parse(&bytes).unwrap_err();
    assert!(error.to_string().contains("past the end"), "{error}");
}
