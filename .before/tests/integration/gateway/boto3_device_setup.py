"""The AWS IoT onboarding steps a user scripts with boto3, unmodified: only endpoint_url
points at wvgate's control plane. Used by control_plane_test.cpp.

  boto3_device_setup.py setup URL DIR THING      policy, thing, keys (ACTIVE), attachments;
                                                 writes DIR/THING.crt and DIR/THING.key,
                                                 prints the certificate id
  boto3_device_setup.py errors URL CERT_ID       the error cases, as AWS answers them
  boto3_device_setup.py set-status URL CERT_ID STATUS
  boto3_device_setup.py signed URL KEY SECRET     list_things with these keys; prints ok or the error
"""
import json
import sys

import boto3


def client(url, key="AKIDEXAMPLE", secret="secret"):
    return boto3.client("iot", endpoint_url=url, region_name="eu-central-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect",
         "Resource": "arn:aws:iot:eu-central-1:*:client/${iot:Connection.Thing.ThingName}"},
        {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"],
         "Resource": "arn:aws:iot:eu-central-1:*:topic/things/${iot:Connection.Thing.ThingName}/*"},
        {"Effect": "Allow", "Action": "iot:Subscribe",
         "Resource": "arn:aws:iot:eu-central-1:*:topicfilter/things/${iot:Connection.Thing.ThingName}/*"},
    ],
}


def setup(url, out_dir, thing):
    iot = client(url)
    iot.create_policy(policyName="device-policy", policyDocument=json.dumps(POLICY))
    iot.create_thing(thingName=thing, attributePayload={"attributes": {"site": "berlin"}})
    keys = iot.create_keys_and_certificate(setAsActive=True)
    iot.attach_policy(policyName="device-policy", target=keys["certificateArn"])
    iot.attach_thing_principal(thingName=thing, principal=keys["certificateArn"])
    assert iot.list_thing_principals(thingName=thing)["principals"] == [keys["certificateArn"]]
    assert iot.describe_certificate(certificateId=keys["certificateId"])["certificateDescription"]["status"] == "ACTIVE"
    with open(f"{out_dir}/{thing}.crt", "w") as f:
        f.write(keys["certificatePem"])
    with open(f"{out_dir}/{thing}.key", "w") as f:
        f.write(keys["keyPair"]["PrivateKey"])
    print(keys["certificateId"])


def expect(exc_type, fn, **kwargs):
    try:
        fn(**kwargs)
    except exc_type as e:
        print("ok", e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        return
    raise SystemExit(f"{fn.__name__}({kwargs}) did not raise {exc_type.__name__}")


def errors(url, cert_id):
    iot = client(url)
    e = iot.exceptions
    expect(e.ResourceNotFoundException, iot.describe_thing, thingName="no-such-thing")
    expect(e.ResourceAlreadyExistsException, iot.create_policy, policyName="device-policy",
           policyDocument=json.dumps(POLICY))
    expect(e.CertificateStateException, iot.delete_certificate, certificateId=cert_id)
    expect(e.MalformedPolicyException, iot.create_policy, policyName="bad", policyDocument='{"Statement": "x"}')
    expect(e.InvalidRequestException, iot.create_certificate_from_csr, certificateSigningRequest="not a CSR")
    expect(e.CertificateValidationException, iot.register_certificate_without_ca, certificatePem="garbage")
    expect(e.ResourceNotFoundException, iot.describe_certificate, certificateId="0" * 64)
    # Paging: boto3's paginator follows nextToken across pages.
    for i in range(5):
        iot.create_thing(thingName=f"page-{i}")
    names = [t["thingName"] for page in iot.get_paginator("list_things").paginate(PaginationConfig={"PageSize": 2})
             for t in page["things"]]
    assert len(names) == 6 and names == sorted(names), names
    print("paged", len(names))


def signed(url, key, secret):
    """Lists things with these keys: prints the outcome (the gateway verifies SigV4)."""
    try:
        client(url, key, secret).list_things(attributeName="site", attributeValue="berlin")
        print("ok")
    except client(url).exceptions.ClientError as e:
        print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])


def set_status(url, cert_id, status):
    client(url).update_certificate(certificateId=cert_id, newStatus=status)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"setup": setup, "errors": errors, "set-status": set_status, "signed": signed}[cmd](*args)
