//! SOAP faults, written with the shared `roombridge-ews` types.

use roombridge_ews::types::{MessageXmlValue, ResponseCode, SoapFault, write_fault_envelope};

use crate::ews::errors::EwsError;
use crate::ews::server_version_info;

/// Builds a whole SOAP Fault document for an error raised before the
/// operation ran (impersonation, throttling, malformed requests).
pub(crate) fn fault(error: &EwsError) -> String {
    let mut fault = SoapFault::for_code(ResponseCode::from_wire(error.code));
    fault.fault_string = error.text.clone();
    fault.message = Some(error.text.clone());
    if let Some(back_off) = error.back_off_ms {
        fault.message_xml = vec![MessageXmlValue {
            name: "BackOffMilliseconds".to_string(),
            value: back_off.to_string(),
        }];
    }
    write_fault_envelope(Some(&server_version_info()), &fault)
}
