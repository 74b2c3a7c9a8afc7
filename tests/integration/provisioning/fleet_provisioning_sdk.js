// The AWS IoT Device SDK v2 for JavaScript's own fleet-provisioning flow (its IotIdentityClient,
// as in the SDK's fleet_provisioning sample), run unchanged against any endpoint:
//   connect with the claim certificate, subscribe to accepted/rejected, CreateKeysAndCertificate
//   (or CreateCertificateFromCsr with --csr), RegisterThing with --params, then reconnect with the
//   new certificate and publish once.
// Prints one JSON line: {"step": ..., "thingName", "deviceConfiguration", "certificateId", ...};
// exit 0 when every step was accepted, 2 on a rejection (the error is in the JSON), 1 otherwise.
//
//   node fleet_provisioning_sdk.js --endpoint localhost --port 8883 --ca ca.pem --cert claim.pem \
//        --key claim.key --template fleet --params '{"SerialNumber":"1"}' --out DIR [--csr csr.pem --csr-key key.pem]
'use strict';
const fs = require('fs');
const path = require('path');
const { mqtt, iot, iotidentity } = require('aws-iot-device-sdk-v2');

function args() {
    const out = {};
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
    for (const k of ['endpoint', 'port', 'ca', 'cert', 'key', 'template', 'out'])
        if (!out[k]) throw new Error('missing --' + k);
    return out;
}

async function connect(a, cert, key, clientId) {
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(cert, key)
        .with_certificate_authority_from_path(undefined, a.ca)
        .with_clean_session(true)
        .with_client_id(clientId)
        .with_endpoint(a.endpoint)
        .with_port(parseInt(a.port, 10))
        .build();
    const connection = new mqtt.MqttClient().new_connection(config);
    await connection.connect();
    return connection;
}

// Subscribes to accepted and rejected, publishes, resolves with the accepted response or
// rejects with the error response.
function exchange(subscribeAccepted, subscribeRejected, publish) {
    return new Promise(async (resolve, reject) => {
        try {
            await subscribeAccepted((error, response) => (error ? reject(error) : resolve(response)));
            await subscribeRejected((error, response) => reject(error || { rejected: response }));
            await publish();
        } catch (e) {
            reject(e);
        }
    });
}

async function main() {
    const a = args();
    const QoS = mqtt.QoS.AtLeastOnce;
    const result = { step: 'connect' };
    const conn = await connect(a, a.cert, a.key, 'claim-' + process.pid);
    const identity = new iotidentity.IotIdentityClient(conn);
    let created;
    if (a.csr) {
        result.step = 'CreateCertificateFromCsr';
        const csr = fs.readFileSync(a.csr, 'utf8');
        created = await exchange(
            (cb) => identity.subscribeToCreateCertificateFromCsrAccepted({}, QoS, cb),
            (cb) => identity.subscribeToCreateCertificateFromCsrRejected({}, QoS, cb),
            () => identity.publishCreateCertificateFromCsr({ certificateSigningRequest: csr }, QoS));
    } else {
        result.step = 'CreateKeysAndCertificate';
        created = await exchange(
            (cb) => identity.subscribeToCreateKeysAndCertificateAccepted({}, QoS, cb),
            (cb) => identity.subscribeToCreateKeysAndCertificateRejected({}, QoS, cb),
            () => identity.publishCreateKeysAndCertificate({}, QoS));
        fs.writeFileSync(path.join(a.out, 'device.key'), created.privateKey);
    }
    fs.writeFileSync(path.join(a.out, 'device.pem'), created.certificatePem);
    result.certificateId = created.certificateId;

    result.step = 'RegisterThing';
    const registered = await exchange(
        (cb) => identity.subscribeToRegisterThingAccepted({ templateName: a.template }, QoS, cb),
        (cb) => identity.subscribeToRegisterThingRejected({ templateName: a.template }, QoS, cb),
        () => identity.publishRegisterThing({
            templateName: a.template,
            certificateOwnershipToken: created.certificateOwnershipToken,
            parameters: JSON.parse(a.params || '{}'),
        }, QoS));
    result.thingName = registered.thingName;
    result.deviceConfiguration = registered.deviceConfiguration;
    await conn.disconnect();

    result.step = 'reconnect';
    const key = a.csr ? a['csr-key'] : path.join(a.out, 'device.key');
    const device = await connect(a, path.join(a.out, 'device.pem'), key, registered.thingName);
    await device.publish('things/' + registered.thingName + '/hello', JSON.stringify({ hello: 1 }), QoS);
    await device.disconnect();
    result.step = 'done';
    console.log(JSON.stringify(result));
}

main().then(() => process.exit(0)).catch((e) => {
    const rejected = e && e.rejected;
    console.log(JSON.stringify({ error: rejected ? rejected : String(e && (e.message || e.error_name) || e),
                                 modeledError: e && e.modeledError ? e.modeledError : undefined }));
    process.exit(rejected || (e && e.modeledError) ? 2 : 1);
});
