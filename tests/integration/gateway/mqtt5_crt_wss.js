// The aws-crt MQTT 5 client of the AWS IoT Device SDK v2 for JavaScript over WebSocket, built by
// the SDK's own builders and run unchanged against any endpoint:
//   custom auth: AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithCustomAuth(host,
//                {authorizerName, username, password}) -- a plain upgrade, the authorizer's
//                parameters in the MQTT 5 CONNECT user name
//   SigV4:       AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithSigv4Auth(host,
//                {region, credentialsProvider}) -- the upgrade is a presigned /mqtt URL
// Then subscribe to wv/<client id>/#, publish one QoS 1 message there and wait for it.
//   node mqtt5_crt_wss.js --endpoint localhost --port N --ca ca.pem --client-id c1 \
//        (--authorizer auth --username dev1 --password pw1 | --access-key AK --secret-key SK [--region r])
// Prints one JSON line {"step", "connack", "puback", "received", "error"}; exit 0 when the
// message came back, 1 otherwise (a refused connection included).
'use strict';
const { mqtt5, iot, auth } = require('aws-iot-device-sdk-v2');

function args() {
    const out = {};
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
    const need = out['access-key'] ? ['secret-key'] : ['authorizer', 'username', 'password'];
    for (const k of ['endpoint', 'port', 'ca', 'client-id', ...need])
        if (!out[k]) throw new Error('missing --' + k);
    return out;
}

function once(client, event) {
    return new Promise((resolve) => client.once(event, resolve));
}

async function main() {
    const a = args();
    const result = { step: 'connect' };
    const builder = a['access-key']
        ? iot.AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithSigv4Auth(a.endpoint, {
              region: a.region || 'us-east-1',
              credentialsProvider: auth.AwsCredentialsProvider.newStatic(a['access-key'], a['secret-key']),
          })
        : iot.AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithCustomAuth(a.endpoint, {
              authorizerName: a.authorizer,
              username: a.username,
              password: Buffer.from(a.password),
          });
    builder.withPort(parseInt(a.port, 10));
    builder.withCertificateAuthorityFromPath(undefined, a.ca);
    builder.withConnectProperties({ keepAliveIntervalSeconds: 60, clientId: a['client-id'] });
    builder.withConnackTimeoutMs(10000);
    const client = new mqtt5.Mqtt5Client(builder.build());
    const success = once(client, 'connectionSuccess');
    const failure = once(client, 'connectionFailure');
    client.start();
    try {
        const first = await Promise.race([success.then((e) => ['ok', e]), failure.then((e) => ['fail', e])]);
        if (first[0] === 'fail') {
            const c = first[1].connack;
            result.connack = c ? { reasonCode: c.reasonCode, reasonString: c.reasonString } : null;
            throw new Error(String(first[1].error));
        }
        result.connack = { reasonCode: first[1].connack.reasonCode };
        result.step = 'subscribe';
        const filter = 'wv/' + a['client-id'] + '/#';
        const suback = await client.subscribe({ subscriptions: [{ topicFilter: filter, qos: mqtt5.QoS.AtLeastOnce }] });
        result.suback = suback.reasonCodes;
        const received = once(client, 'messageReceived');
        result.step = 'publish';
        const puback = await client.publish({ topicName: 'wv/' + a['client-id'] + '/1/samp', qos: mqtt5.QoS.AtLeastOnce,
                                              payload: 'from aws-crt mqtt5 over wss' });
        result.puback = puback.reasonCode;
        result.step = 'receive';
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no message in 10 s')), 10000));
        const msg = (await Promise.race([received, timeout])).message;
        result.received = { topic: msg.topicName, payload: Buffer.from(msg.payload).toString() };
        result.step = 'done';
    } catch (e) {
        result.error = String(e && e.message ? e.message : e);
    }
    const stopped = once(client, 'stopped');
    client.stop();
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 3000))]);
    client.close();
    console.log(JSON.stringify(result));
    process.exit(result.step === 'done' ? 0 : 1);
}

main().catch((e) => {
    console.log(JSON.stringify({ step: 'start', error: String(e) }));
    process.exit(1);
});
