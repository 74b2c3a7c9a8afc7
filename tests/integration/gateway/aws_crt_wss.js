// The AWS IoT Device SDK v2 for JavaScript (aws-crt) over WebSocket with a custom authorizer,
// as its custom-authorizer samples connect, run unchanged against any endpoint:
//   AwsIotMqttConnectionConfigBuilder.new_with_websockets() (no ALPN, port 443 unless --port,
//   upgrade GET /mqtt with subprotocol mqtt) + with_custom_authorizer(user, authorizer, "", password)
// then subscribe to --topic, publish one message to it and wait for it to come back.
// Prints one JSON line {"step", "received", "error"}; exit 0 when the message came back, 1 otherwise.
//
// With --access-key AK --secret-key SK instead of the authorizer: the SDK's SigV4 path
// (new_with_websockets({region, credentials_provider}): the upgrade is a presigned /mqtt URL).
//
//   node aws_crt_wss.js --endpoint localhost --port 4443 --ca ca.pem --user dev1 --authorizer auth \
//        --password pw1 --client-id crt1 --topic wv/crt1/1/samp
'use strict';
const { mqtt, iot, auth } = require('aws-iot-device-sdk-v2');

function args() {
    const out = {};
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
    const need = out['access-key'] ? ['secret-key'] : ['user', 'authorizer', 'password'];
    for (const k of ['endpoint', 'port', 'ca', 'client-id', 'topic', ...need])
        if (!out[k]) throw new Error('missing --' + k);
    return out;
}

async function main() {
    const a = args();
    const result = { step: 'connect' };
    let builder;
    if (a['access-key']) {
        builder = iot.AwsIotMqttConnectionConfigBuilder.new_with_websockets({
            region: a.region || 'us-east-1',
            credentials_provider: auth.AwsCredentialsProvider.newStatic(a['access-key'], a['secret-key']),
        }).with_certificate_authority_from_path(undefined, a.ca);
    } else {
        builder = iot.AwsIotMqttConnectionConfigBuilder.new_with_websockets()
            .with_certificate_authority_from_path(undefined, a.ca)
            .with_custom_authorizer(a.user, a.authorizer, '', a.password);
    }
    const config = builder
        .with_clean_session(true)
        .with_client_id(a['client-id'])
        .with_endpoint(a.endpoint)
        .with_port(parseInt(a.port, 10))
        .build();
    const connection = new mqtt.MqttClient().new_connection(config);
    try {
        await connection.connect();
        result.step = 'subscribe';
        const received = new Promise((resolve) => {
            connection.subscribe(a.topic, mqtt.QoS.AtLeastOnce, (topic, payload) =>
                resolve({ topic, payload: Buffer.from(payload).toString() }));
        });
        await new Promise((r) => setTimeout(r, 200));  // the SUBACK has come back by now on loopback
        result.step = 'publish';
        await connection.publish(a.topic, 'from aws-crt over wss', mqtt.QoS.AtLeastOnce);
        result.step = 'receive';
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no message in 10 s')), 10000));
        result.received = await Promise.race([received, timeout]);
        result.step = 'disconnect';
        await connection.disconnect();
        result.step = 'done';
    } catch (e) {
        result.error = String(e && e.message ? e.message : e);
    }
    console.log(JSON.stringify(result));
    process.exit(result.step === 'done' ? 0 : 1);
}

main().catch((e) => {
    console.log(JSON.stringify({ step: 'start', error: String(e) }));
    process.exit(1);
});
