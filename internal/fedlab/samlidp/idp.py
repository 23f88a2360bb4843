#!/usr/bin/python3
"""The federation lab's SAML2 identity provider (docs/FEDLAB.md).

A small pysaml2 (Debian's python3-pysaml2) identity provider with one
profile: SAML2 ECP (SOAP binding). A client POSTs the service provider's
AuthnRequest in a SOAP envelope to the ECP endpoint with HTTP Basic
authentication (a user's name and password); the answer is a SOAP envelope
whose header carries ecp:Response (AssertionConsumerServiceURL) and whose
body is the signed samlp:Response, with a signed assertion and the user's
attributes. It also publishes its metadata.

    idp.py --config idp.json --metadata            print the metadata (no SP needed)
    idp.py --config idp.json --listen 127.0.0.1:35404

The configuration (JSON, written by scripts/federation-lab.sh, mode 0600):
    entity_id, base_url    the entity ID and the URL the endpoints hang off
    key_file, cert_file    the signing key and its self-signed certificate
    xmlsec1                the xmlsec1 binary (signing)
    sp_metadata            list of service-provider metadata files (serving only)
    users                  [{"name", "password", "attributes": {friendly name: [values]}}]
                           (uid, eduPersonPrincipalName, mail, isMemberOf, ...:
                           sent with their urn:oid names, NameFormat uri)

Endpoints:
    GET  /metadata          the identity provider's metadata
    POST /SAML2/SOAP/ECP    the ECP single sign-on service (Basic auth)

Only the standard library and pysaml2; run it with /usr/bin/python3.
"""

import argparse
import base64
import binascii
import hmac
import json
import logging
import secrets
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from saml2 import BINDING_PAOS, BINDING_SOAP, server
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import AUTHN_PASSWORD, NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

ECP_PATH = "/SAML2/SOAP/ECP"
METADATA_PATH = "/metadata"
NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_ECP = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"
NS_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MAX_BODY = 1 << 20

log = logging.getLogger("samlidp")


def pysaml2_config(c, with_sp=True):
    """The pysaml2 IdPConfig of the lab's JSON configuration."""
    base = c["base_url"].rstrip("/")
    d = {
        "entityid": c["entity_id"],
        "name": "gokeystone federation lab SAML2 IdP",
        "description": "gokeystone federation lab SAML2 IdP (ECP)",
        "service": {
            "idp": {
                "endpoints": {"single_sign_on_service": [(base + ECP_PATH, BINDING_SOAP)]},
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "want_authn_requests_signed": False,
                "sign_response": True,
                "sign_assertion": True,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
            }
        },
        "key_file": c["key_file"],
        "cert_file": c["cert_file"],
        "xmlsec_binary": c.get("xmlsec1", "/usr/bin/xmlsec1"),
        "accepted_time_diff": 60,
        "metadata": {"local": list(c.get("sp_metadata", []))} if with_sp else {},
    }
    conf = IdPConfig()
    conf.load(d)
    return conf


def soap_fault(code, message):
    msg = message.replace("&", "&amp;").replace("<", "&lt;")
    return (
        '<S:Envelope xmlns:S="%s"><S:Body><S:Fault><faultcode>S:%s</faultcode>'
        "<faultstring>%s</faultstring></S:Fault></S:Body></S:Envelope>" % (NS_SOAP, code, msg)
    ).encode()


class IdP:
    def __init__(self, c):
        self.c = c
        self.server = server.Server(config=pysaml2_config(c))
        self.users = {u["name"]: u for u in c.get("users", [])}
        self.lock = threading.Lock()  # pysaml2's Server is not documented thread-safe

    def check(self, header):
        """The user of a Basic Authorization header, or None."""
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            name, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        u = self.users.get(name)
        # compare_digest on both, so that unknown names take as long.
        want = u["password"] if u else secrets.token_hex(16)
        if hmac.compare_digest(password.encode(), want.encode()) and u:
            return u
        return None

    def ecp(self, body, user):
        """(status, SOAP envelope) for an ECP request from an authenticated user."""
        try:
            env = ET.fromstring(body)
        except ET.ParseError as e:
            return 400, soap_fault("Client", "not XML: %s" % e)
        soap_body = env.find("{%s}Body" % NS_SOAP)
        if env.tag != "{%s}Envelope" % NS_SOAP or soap_body is None or soap_body.find("{%s}AuthnRequest" % NS_SAMLP) is None:
            return 400, soap_fault("Client", "not a SOAP envelope with a samlp:AuthnRequest in its body")
        try:
            req = self.server.parse_authn_request(body.decode(), BINDING_SOAP)
        except Exception as e:  # pysaml2 raises many kinds
            log.warning("rejected AuthnRequest: %s: %s", type(e).__name__, e)
            return 400, soap_fault("Client", "bad AuthnRequest: %s" % type(e).__name__)
        if req is None:
            return 400, soap_fault("Client", "bad AuthnRequest")
        msg = req.message
        sp = msg.issuer.text if msg.issuer is not None else None
        if not sp or not self.server.metadata.service(sp, "spsso_descriptor", "assertion_consumer_service"):
            return 403, soap_fault("Client", "unknown service provider %s" % sp)
        # The assertion consumer: the request's, if the SP's metadata has it
        # for PAOS; else the metadata's PAOS one.
        known = [e["location"] for e in self.server.metadata.assertion_consumer_service(sp, BINDING_PAOS)]
        acs = msg.assertion_consumer_service_url
        if acs is None:
            acs = known[0] if known else None
        if acs not in known:
            return 403, soap_fault("Client", "assertion consumer %s is not a PAOS endpoint of %s" % (acs, sp))
        name_id = NameID(format=NAMEID_FORMAT_TRANSIENT, text="_" + secrets.token_hex(16),
                         name_qualifier=self.c["entity_id"], sp_name_qualifier=sp)
        signed = self.server.create_authn_response(
            identity=user.get("attributes", {}),
            in_response_to=msg.id,
            destination=acs,
            sp_entity_id=sp,
            name_id=name_id,
            authn={"class_ref": AUTHN_PASSWORD, "authn_auth": self.c["entity_id"]},
            sign_response=True,
            sign_assertion=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        signed = str(signed)
        # The signed response goes in verbatim (re-serializing it would break
        # the signatures): spliced as text into the envelope.
        if signed.startswith("<?xml"):
            signed = signed[signed.index("?>") + 2:].lstrip()
        envelope = (
            '<soap11:Envelope xmlns:soap11="%s"><soap11:Header>'
            '<ecp:Response xmlns:ecp="%s" AssertionConsumerServiceURL="%s" '
            'soap11:actor="http://schemas.xmlsoap.org/soap/actor/next" soap11:mustUnderstand="1"/>'
            "</soap11:Header><soap11:Body>%s</soap11:Body></soap11:Envelope>"
            % (NS_SOAP, NS_ECP, acs.replace("&", "&amp;").replace('"', "&quot;"), signed)
        )
        log.info("ECP: %s authenticated for %s (request %s), response to %s", user["name"], sp, msg.id, acs)
        return 200, envelope.encode()


def metadata(c):
    return create_metadata_string(None, config=pysaml2_config(c, with_sp=False), valid=24 * 365, sign=False).decode()


def handler(idp):
    class Handler(BaseHTTPRequestHandler):
        server_version = "fedlab-samlidp"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # never the headers (Authorization)
            log.info("%s %s", self.address_string(), fmt % args)

        def reply(self, status, body, ctype="text/xml; charset=utf-8", extra=None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if urlsplit(self.path).path == METADATA_PATH:
                self.reply(200, metadata(idp.c).encode(), "application/samlmetadata+xml")
            else:
                self.reply(404, b"not found\n", "text/plain")

        def do_POST(self):
            if urlsplit(self.path).path != ECP_PATH:
                self.reply(404, b"not found\n", "text/plain")
                return
            try:
                n = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                n = -1
            if n < 0 or n > MAX_BODY:
                self.reply(413, soap_fault("Client", "body too large or no Content-Length"))
                self.close_connection = True
                return
            body = self.rfile.read(n)
            user = idp.check(self.headers.get("Authorization"))
            if user is None:
                log.info("ECP: refused credentials")
                self.reply(401, soap_fault("Client", "authentication required"),
                           extra={"WWW-Authenticate": 'Basic realm="fedlab SAML2 IdP"'})
                return
            try:
                with idp.lock:
                    status, out = idp.ecp(body, user)
            except Exception:
                log.exception("ECP failed")
                status, out = 500, soap_fault("Server", "internal error")
            self.reply(status, out)

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True)
    p.add_argument("--listen", default="127.0.0.1:35404")
    p.add_argument("--metadata", action="store_true", help="print the metadata and exit")
    a = p.parse_args()
    with open(a.config) as f:
        c = json.load(f)
    if a.metadata:
        sys.stdout.write(metadata(c))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("saml2").setLevel(logging.WARNING)
    host, _, port = a.listen.rpartition(":")
    idp = IdP(c)
    httpd = ThreadingHTTPServer((host, int(port)), handler(idp))
    log.info("listening on %s, entity ID %s", a.listen, c["entity_id"])
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
