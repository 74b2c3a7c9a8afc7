#!/usr/bin/env python3
"""Registers your CA with AWS IoT for just-in-time registration, as AWS's JITR blog does it:
GetRegistrationCode, a verification certificate whose common name is that code signed by the
CA's key (openssl), then RegisterCACertificate with setAsActive and allowAutoRegistration.

  python3 config/jitr/register_ca.py --endpoint-url http://127.0.0.1:8442 \
      --ca jitr-ca/ca.crt --ca-key jitr-ca/ca.key

Prints the caCertificateId (the registration events' topic is
$aws/events/certificates/registered/<that id>). Against AWS itself, leave out --endpoint-url.
"""
import argparse
import os
import subprocess
import tempfile

import boto3


def verification_certificate(ca, ca_key, code, folder):
    """A certificate for a fresh key with CN=<registration code>, signed by the CA."""
    key, csr, crt = (os.path.join(folder, n) for n in ("verification.key", "verification.csr", "verification.crt"))
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-subj", "/CN=" + code, "-out", csr], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-CAserial", os.path.join(folder, "ca.srl"), "-days", "30", "-sha256", "-out", crt],
                   check=True, capture_output=True)
    with open(crt) as f:
        return f.read()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint-url", help="the control plane (wvgate logs it); omit for AWS")
    p.add_argument("--region", default="eu-central-1")
    p.add_argument("--ca", required=True, help="CA certificate (PEM)")
    p.add_argument("--ca-key", required=True, help="its private key (PEM)")
    a = p.parse_args()
    # Local control plane: any credentials are accepted (SigV4 is not verified).
    creds = {} if not a.endpoint_url else {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    iot = boto3.client("iot", endpoint_url=a.endpoint_url, region_name=a.region, **creds)
    code = iot.get_registration_code()["registrationCode"]
    with tempfile.TemporaryDirectory() as folder:
        verification = verification_certificate(a.ca, a.ca_key, code, folder)
    with open(a.ca) as f:
        ca_pem = f.read()
    r = iot.register_ca_certificate(caCertificate=ca_pem, verificationCertificate=verification,
                                    setAsActive=True, allowAutoRegistration=True)
    print(r["certificateId"])


if __name__ == "__main__":
    main()
