"""A token authorizer for every path AWS IoT invokes one on (spec 1.4):

  MQTT on 443 (ALPN mqtt)   the token in the user name: `dev1?x-amz-customauthorizer-name=tokens&token=...`
  HTTPS publish (443)       the token as a header or query parameter named by the authorizer's
                            tokenKeyName; the event's protocols are ["tls", "http"]
  MQTT over WebSocket (443) headers/query of the upgrade, or the CONNECT user name;
                            protocols ["tls", "http", "mqtt"]

AWS IoT puts the token it found under `token` in every case, so this function reads only that.
Allowed tokens: the TOKENS environment variable (comma-separated), default "allow-me". The
policy allows the wv/ topic tree; the principal is the token's letters and digits.

  wvauthz invoke --handler python:config/authorizers/token_authorizer.py --protocol http \
      --header 'x-amz-customauthorizer-name: tokens' --header 'token: allow-me' --topic wv/d1
"""
import json
import logging
import os

log = logging.getLogger()
log.setLevel(logging.INFO)

ALLOWED = set(os.environ.get("TOKENS", "allow-me").split(","))

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": "arn:aws:iot:*:*:client/*"},
        {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": "arn:aws:iot:*:*:topic/wv/*"},
        {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": "arn:aws:iot:*:*:topicfilter/wv/*"},
    ],
}


def lambda_handler(event, context):
    # The event exactly as the gateway sent it: wvauthz prints it under "function log".
    log.info("event %s", json.dumps(event, sort_keys=True))
    token = event.get("token")
    if token not in ALLOWED:
        return {"isAuthenticated": False, "principalId": "unknown", "policyDocuments": [],
                "disconnectAfterInSeconds": 300, "refreshAfterInSeconds": 300}
    principal = "".join(c for c in token if c.isalnum())[:128] or "token"
    return {"isAuthenticated": True, "principalId": principal, "policyDocuments": [POLICY],
            "disconnectAfterInSeconds": 86400, "refreshAfterInSeconds": 86400}
