"""A just-in-time registration (JITR) activation Lambda, written as for AWS IoT.

A topic rule on $aws/events/certificates/registered/<caCertificateId> invokes it with AWS's
registration event:

  {"certificateId": "...", "caCertificateId": "...", "timestamp": 1733500000000,
   "certificateStatus": "PENDING_ACTIVATION", "awsAccountId": "123456789012",
   "certificateRegistrationTimestamp": "1733499999999"}

It reads the device certificate's common name (asn1crypto), creates a thing of that name and
a policy that lets a device connect as its common name and publish under devices/<its CN>/,
attaches both to the certificate and sets it ACTIVE. The device's next connection succeeds.

Nothing here knows about wvgate: the same file runs in AWS Lambda (boto3 is in the runtime;
package asn1crypto with it). Under wvgate's handler backend, boto3's 'iot' client reaches the
gateway's control plane.
"""
import json
import logging

import boto3
from asn1crypto import pem, x509

logger = logging.getLogger()
logger.setLevel(logging.INFO)

POLICY_NAME = "jitr-device-policy"
# ${iot:Certificate.Subject.CommonName} works for MQTT and for HTTPS publish alike (an HTTPS
# request has no client id, so thing-name variables would not).
POLICY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect",
         "Resource": "arn:aws:iot:*:*:client/${iot:Certificate.Subject.CommonName}"},
        {"Effect": "Allow", "Action": "iot:Publish",
         "Resource": "arn:aws:iot:*:*:topic/devices/${iot:Certificate.Subject.CommonName}/*"},
    ],
}

iot = boto3.client("iot")


def common_name(certificate_pem):
    _, _, der = pem.unarmor(certificate_pem.encode())
    return x509.Certificate.load(der).subject.native["common_name"]


def lambda_handler(event, context):
    certificate_id = event["certificateId"]
    logger.info("registration event: %s", json.dumps(event))
    description = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]
    if description["status"] != "PENDING_ACTIVATION":
        logger.info("certificate %s is %s: nothing to do", certificate_id, description["status"])
        return {"certificateId": certificate_id, "status": description["status"]}
    certificate_arn = description["certificateArn"]
    thing_name = common_name(description["certificatePem"])

    iot.create_thing(thingName=thing_name, attributePayload={"attributes": {"caCertificateId": event["caCertificateId"]}})
    try:
        iot.create_policy(policyName=POLICY_NAME, policyDocument=json.dumps(POLICY_DOCUMENT))
    except iot.exceptions.ResourceAlreadyExistsException:
        pass  # made for an earlier device
    iot.attach_policy(policyName=POLICY_NAME, target=certificate_arn)
    iot.attach_thing_principal(thingName=thing_name, principal=certificate_arn)
    iot.update_certificate(certificateId=certificate_id, newStatus="ACTIVE")
    logger.info("certificate %s of %s is ACTIVE", certificate_id, thing_name)
    return {"certificateId": certificate_id, "thingName": thing_name, "status": "ACTIVE"}
