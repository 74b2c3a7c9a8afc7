"""A Wavelet authorizer that looks each device up in the AWS IoT registry, in the style of
Ayyeka's registry sample (aws_iot_authorizer): the thing whose UUID attribute equals the MQTT
client id must have the MQTT user name as its name and the password as its SECRET_KEY
attribute. Reads `region` and `account_id` from the environment, as that sample does.

Offline, wvauthz/wvgate serve a things file as the registry and point boto3 at it:
  wvauthz test --config config/authorizers/example.yaml --authorizer registry-lookup \
      --credentials config/authorizers/devices.csv
"""
import base64
import logging
import os

import boto3

log = logging.getLogger()
log.setLevel(logging.INFO)


def response(effect, client_id):
    prefix = "arn:aws:iot:%s:%s" % (os.environ["region"], os.environ["account_id"])
    return {
        "isAuthenticated": True,
        "principalId": client_id,
        "policyDocuments": [{
            "Version": "2012-10-17",
            "Statement": [
                {"Action": ["iot:Connect"], "Effect": effect, "Resource": [prefix + ":client/" + client_id]},
                {"Action": ["iot:Publish"], "Effect": effect, "Resource": [prefix + ":topic/wv/*"]},
            ],
        }],
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 300,
    }


def lambda_handler(event, context):
    mqtt = event["protocolData"]["mqtt"]
    user = mqtt["username"].split("?")[0]
    password = base64.b64decode(mqtt.get("password", "")).decode()
    client_id = mqtt.get("clientId", "")
    iot = boto3.client("iot", region_name=os.environ["region"])
    things = iot.list_things(maxResults=1, attributeName="UUID", attributeValue=client_id)["things"]
    if not things:
        log.info("no thing with UUID %s", client_id)
        return response("Deny", client_id)
    thing = things[0]
    ok = thing["thingName"] == user and thing.get("attributes", {}).get("SECRET_KEY") == password
    log.info("%s %s (client %s)", "granted" if ok else "denied", user, client_id)
    return response("Allow" if ok else "Deny", client_id)
