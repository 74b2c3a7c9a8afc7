# A pre-provisioning hook as AWS runs one (developer guide, pre-provisioning-hook.html):
# refuses serial numbers that start with "bad" or end in "13", raises for "raise", hangs for "hang", answers
# garbage for "garbage"; otherwise allows and overrides the site of serials ending in 7.
import time


def lambda_handler(event, context):
    serial = event["parameters"].get("SerialNumber", "")
    print("hook: serial %s, certificate %s, template %s" % (serial, event["certificateId"], event["templateArn"]))
    if serial.startswith("bad") or serial.endswith("13"):
        return {"allowProvisioning": False}
    if serial == "raise":
        raise ValueError("serial %s is on the recall list" % serial)
    if serial == "hang":
        time.sleep(30)
    if serial == "garbage":
        return "yes please"
    overrides = {"Site": "austin"} if serial.endswith("7") else {}
    return {"allowProvisioning": True, "parameterOverrides": overrides}
