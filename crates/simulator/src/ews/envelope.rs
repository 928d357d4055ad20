//! SOAP envelopes, ServerVersionInfo, faults and response messages.

use crate::ews::errors::EwsError;
use crate::xml::XmlWriter;

/// SOAP 1.1 envelope namespace.
pub(crate) const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// EWS messages namespace.
pub(crate) const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
/// EWS types namespace.
pub(crate) const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
const ERRORS_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// The server version reported in every response: an Exchange Server 2016
/// cumulative update (build 15.1.2507), whose schema version is V2017_07_11.
pub(crate) const SERVER_VERSION: (&str, &str, &str, &str, &str) =
    ("15", "1", "2507", "6", "V2017_07_11");

/// Opens the envelope, writes the header and opens the body.
pub(crate) fn open(w: &mut XmlWriter) {
    w.start("s:Envelope", &[("xmlns:s", SOAP_NS)]);
    w.start("s:Header", &[]);
    let (major, minor, build, revision, version) = SERVER_VERSION;
    w.empty(
        "h:ServerVersionInfo",
        &[
            ("MajorVersion", major),
            ("MinorVersion", minor),
            ("MajorBuildNumber", build),
            ("MinorBuildNumber", revision),
            ("Version", version),
            ("xmlns:h", TYPES_NS),
            ("xmlns", TYPES_NS),
            ("xmlns:xsd", XSD_NS),
            ("xmlns:xsi", XSI_NS),
        ],
    );
    w.end();
    w.start("s:Body", &[("xmlns:xsi", XSI_NS), ("xmlns:xsd", XSD_NS)]);
}

/// Closes the body and the envelope.
pub(crate) fn close(w: &mut XmlWriter) {
    w.end();
    w.end();
}

/// Opens an operation's response element (`m:GetItemResponse`, ...).
pub(crate) fn open_response(w: &mut XmlWriter, name: &'static str) {
    w.start(name, &[("xmlns:m", MESSAGES_NS), ("xmlns:t", TYPES_NS)]);
}

/// Builds a whole SOAP Fault document for an error raised before the
/// operation ran (impersonation, throttling, malformed requests).
pub(crate) fn fault(error: &EwsError) -> String {
    let mut w = XmlWriter::new();
    open(&mut w);
    w.start("s:Fault", &[]);
    let code = format!("a:{}", error.code);
    w.leaf_with("faultcode", &[("xmlns:a", TYPES_NS)], &code);
    w.leaf_with("faultstring", &[("xml:lang", "en-US")], &error.text);
    w.start("detail", &[]);
    w.leaf_with("e:ResponseCode", &[("xmlns:e", ERRORS_NS)], error.code);
    w.leaf_with("e:Message", &[("xmlns:e", ERRORS_NS)], &error.text);
    if let Some(back_off) = error.back_off_ms {
        w.start("t:MessageXml", &[("xmlns:t", TYPES_NS)]);
        w.leaf_with(
            "t:Value",
            &[("Name", "BackOffMilliseconds")],
            &back_off.to_string(),
        );
        w.end();
    }
    w.end();
    w.end();
    close(&mut w);
    w.finish()
}

/// Opens a response message (`m:GetItemResponseMessage`) with its class and
/// code; the caller writes the payload and closes it.
pub(crate) fn open_message(w: &mut XmlWriter, name: &'static str, error: Option<&EwsError>) {
    match error {
        None => {
            w.start(name, &[("ResponseClass", "Success")]);
            w.leaf("m:ResponseCode", "NoError");
        }
        Some(error) => {
            w.start(name, &[("ResponseClass", "Error")]);
            w.leaf("m:MessageText", &error.text);
            w.leaf("m:ResponseCode", error.code);
            w.leaf("m:DescriptiveLinkKey", "0");
            if let Some(back_off) = error.back_off_ms {
                w.start("m:MessageXml", &[]);
                w.leaf_with(
                    "t:Value",
                    &[("Name", "BackOffMilliseconds")],
                    &back_off.to_string(),
                );
                w.end();
            }
        }
    }
}
