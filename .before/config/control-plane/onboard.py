#!/usr/bin/env python3
"""Onboards one X.509 device the way it is done against AWS IoT, with boto3 unchanged: a
policy, a thing, keys and a certificate from the (local) Amazon CA, both attached.

  python3 config/control-plane/onboard.py --endpoint-url http://127.0.0.1:8441 --thing thermo-1

Writes <thing>.cert.pem and <thing>.private.key into --out (default: the current folder) and
prints the certificate id. Against AWS itself, leave out --endpoint-url.
"""
import argparse
import json
import os

import boto3

POLICY_NAME = "thing-policy"
# The thing attached to the certificate gives ${iot:Connection.Thing.ThingName}: each device
# may connect only as its thing's name and publish only under things/<its name>/.
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect",
         "Resource": "arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}"},
        {"Effect": "Allow", "Action": "iot:Publish",
         "Resource": "arn:aws:iot:*:*:topic/things/${iot:Connection.Thing.ThingName}/*"},
    ],
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint-url", help="the control plane (wvgate logs it); omit for AWS")
    p.add_argument("--region", default="eu-central-1")
    p.add_argument("--thing", required=True)
    p.add_argument("--out", default=".")
    a = p.parse_args()
    # Local control plane: any credentials are accepted (SigV4 is not verified).
    creds = {} if not a.endpoint_url else {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    iot = boto3.client("iot", endpoint_url=a.endpoint_url, region_name=a.region, **creds)
    try:
        iot.create_policy(policyName=POLICY_NAME, policyDocument=json.dumps(POLICY))
    except iot.exceptions.ResourceAlreadyExistsException:
        pass  # a second device reuses it
    iot.create_thing(thingName=a.thing)
    keys = iot.create_keys_and_certificate(setAsActive=True)
    iot.attach_policy(policyName=POLICY_NAME, target=keys["certificateArn"])
    iot.attach_thing_principal(thingName=a.thing, principal=keys["certificateArn"])
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, a.thing + ".cert.pem"), "w") as f:
        f.write(keys["certificatePem"])
    key_file = os.path.join(a.out, a.thing + ".private.key")
    with open(key_file, "w") as f:
        f.write(keys["keyPair"]["PrivateKey"])
    os.chmod(key_file, 0o600)
    print(keys["certificateId"])


if __name__ == "__main__":
    main()
