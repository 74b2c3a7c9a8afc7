// The simple Wavelet authorizer for the node runtime: one user, Deny statements for a wrong
// password (isAuthenticated stays true, as in Ayyeka's sample).
//   wvauthz invoke --handler node:config/authorizers/index.js --iot-region eu-central-1 \
//       --username TestUserName --password TestPassword --client-id 2453AC035CBCBC9A
'use strict';
const REGION = 'eu-central-1';
const ACCOUNT_ID = '123456789012';

exports.handler = async (event) => {
  const mqtt = event.protocolData.mqtt;
  const user = mqtt.username.split('?')[0];
  const password = Buffer.from(mqtt.password || '', 'base64').toString();
  const clientId = mqtt.clientId;
  const effect = user === 'TestUserName' && password === 'TestPassword' ? 'Allow' : 'Deny';
  const prefix = `arn:aws:iot:${REGION}:${ACCOUNT_ID}`;
  console.log(`${effect} ${user} (client ${clientId})`);
  return {
    isAuthenticated: true,
    principalId: clientId,
    policyDocuments: [{
      Version: '2012-10-17',
      Statement: [
        { Action: ['iot:Connect'], Effect: effect, Resource: [`${prefix}:client/${clientId}`] },
        { Action: ['iot:Publish'], Effect: effect, Resource: [`${prefix}:topic/wv/*`] },
      ],
    }],
    disconnectAfterInSeconds: 3600,
    refreshAfterInSeconds: 300,
  };
};
