// The aws-crt MQTT 5 client of the AWS IoT Device SDK v2 for JavaScript (mqtt5.Mqtt5Client, built
// by the SDK's own AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithCustomAuth: port 443
// style, ALPN mqtt, the authorizer in the user name), run unchanged against any endpoint.
//   node mqtt5_crt_client.js --endpoint localhost --port N --ca ca.pem --authorizer auth \
//        --username dev1 --password pw1 --client-id crt1 [--expect-refusal 1]
// Prints one JSON line with what the client saw: the CONNACK (reason code, reason string,
// negotiated settings), the round trip of a publish with user properties to its own
// subscription, and the PUBACK of a publish outside the policy. Exit 0 when it ran to the end.
'use strict';
const { mqtt5, iot } = require('aws-iot-device-sdk-v2');

function args() {
    const out = {};
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
    return out;
}

function once(client, event) {
    return new Promise((resolve) => client.once(event, resolve));
}

async function main() {
    const a = args();
    const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithCustomAuth(a.endpoint, {
        authorizerName: a.authorizer,
        username: a.username,
        password: Buffer.from(a.password),
    });
    builder.withPort(parseInt(a.port, 10));
    builder.withCertificateAuthorityFromPath(undefined, a.ca);
    builder.withConnectProperties({ keepAliveIntervalSeconds: 60, clientId: a['client-id'] });
    builder.withConnackTimeoutMs(10000);
    const client = new mqtt5.Mqtt5Client(builder.build());
    const result = {};
    const success = once(client, 'connectionSuccess');
    const failure = once(client, 'connectionFailure');
    client.start();
    const first = await Promise.race([success.then((e) => ['ok', e]), failure.then((e) => ['fail', e])]);
    if (first[0] === 'fail') {
        const c = first[1].connack;
        result.connack = c ? { reasonCode: c.reasonCode, reasonString: c.reasonString } : null;
        result.error = String(first[1].error);
        client.stop();
        client.close();
        console.log(JSON.stringify(result));
        return;
    }
    const ev = first[1];
    result.connack = { reasonCode: ev.connack.reasonCode, maximumQos: ev.connack.maximumQos,
                       topicAliasMaximum: ev.connack.topicAliasMaximum,
                       maximumPacketSize: ev.connack.maximumPacketSize,
                       subscriptionIdentifiersAvailable: ev.connack.subscriptionIdentifiersAvailable,
                       sharedSubscriptionsAvailable: ev.connack.sharedSubscriptionsAvailable,
                       serverKeepAlive: ev.connack.serverKeepAlive };
    const topic = 'wv/' + a['client-id'] + '/crt';
    const suback = await client.subscribe({ subscriptions: [{ topicFilter: 'wv/' + a['client-id'] + '/#', qos: mqtt5.QoS.AtLeastOnce }] });
    result.suback = suback.reasonCodes;
    const received = once(client, 'messageReceived');
    const puback = await client.publish({ topicName: topic, qos: mqtt5.QoS.AtLeastOnce, payload: 'hello crt',
                                          userProperties: [{ name: 'site', value: 'lab-3' }] });
    result.puback = puback.reasonCode;
    const msg = (await received).message;
    result.received = { topic: msg.topicName, payload: Buffer.from(msg.payload).toString(),
                        userProperties: msg.userProperties };
    const denied = await client.publish({ topicName: 'other/' + a['client-id'], qos: mqtt5.QoS.AtLeastOnce, payload: 'no' });
    result.denied = { reasonCode: denied.reasonCode, reasonString: denied.reasonString };
    const stopped = once(client, 'stopped');
    client.stop();
    await stopped;
    client.close();
    console.log(JSON.stringify(result));
}

main().then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
});
