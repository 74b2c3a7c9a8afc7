"""Topic rules through wvgate's control plane with boto3, unmodified: only endpoint_url points
at wvgate. Used by api_rules_test.cpp, one step per call:

  boto3_topic_rules.py create URL NAME SQL ACTION_JSON   create_topic_rule (ACTION_JSON: one action)
  boto3_topic_rules.py replace URL NAME SQL ACTION_JSON  replace_topic_rule
  boto3_topic_rules.py disable|enable|delete URL NAME
"""
import json
import sys

import boto3


def main():
    step, url, name = sys.argv[1], sys.argv[2], sys.argv[3]
    iot = boto3.client("iot", endpoint_url=url, region_name="eu-central-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    if step in ("create", "replace"):
        payload = {"sql": sys.argv[4], "awsIotSqlVersion": "2016-03-23", "ruleDisabled": False,
                   "actions": [json.loads(sys.argv[5])]}
        (iot.create_topic_rule if step == "create" else iot.replace_topic_rule)(ruleName=name, topicRulePayload=payload)
    elif step == "disable":
        iot.disable_topic_rule(ruleName=name)
    elif step == "enable":
        iot.enable_topic_rule(ruleName=name)
    elif step == "delete":
        iot.delete_topic_rule(ruleName=name)
    print("ok", step, name)


main()
