"""A Wavelet authorizer with one hard-coded user, in the style of Ayyeka's simple sample
(aws_iot_authorizer_simple): isAuthenticated is always true, and a wrong password is
answered with Deny statements, so the device fails iot:Connect.

Run it offline, unchanged, with:
  wvauthz invoke --handler python:config/authorizers/ayyeka_simple.py --iot-region eu-central-1 \
      --username 'TestUserName?x-amz-customauthorizer-name=wavelet' --password TestPassword \
      --client-id 2453AC035CBCBC9A
"""
import base64
import logging

USERNAME = "TestUserName"
PASSWORD = "TestPassword"
REGION = "eu-central-1"
ACCOUNT_ID = "123456789012"

log = logging.getLogger()
log.setLevel(logging.INFO)


def policy(effect, client_id):
    prefix = "arn:aws:iot:%s:%s" % (REGION, ACCOUNT_ID)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": ["iot:Connect"], "Effect": effect, "Resource": [prefix + ":client/" + client_id]},
            {"Action": ["iot:Publish"], "Effect": effect, "Resource": [prefix + ":topic/wv/*"]},
        ],
    }


def lambda_handler(event, context):
    mqtt = event["protocolData"]["mqtt"]
    # The gateway passes the user name as the device sent it, query string included.
    user = mqtt["username"].split("?")[0]
    password = base64.b64decode(mqtt["password"]).decode()
    client_id = mqtt["clientId"]
    ok = user == USERNAME and password == PASSWORD
    log.info("%s %s (client %s)", "granted" if ok else "denied", user, client_id)
    return {
        "isAuthenticated": True,
        "principalId": client_id,
        "policyDocuments": [policy("Allow" if ok else "Deny", client_id)],
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 300,
    }
