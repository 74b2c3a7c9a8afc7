# wvsim and wvgate on Debian 12: the image config/k8s/wvsim-job.yaml runs (config/k8s/README.md).
#   docker build -t wavelet-iot-lab:latest .
#   docker run --rm wavelet-iot-lab:latest wvsim --devices 100 --duration 10   # embedded gateway
# Never built on the machine it was written on (no Docker engine there): README.md says what
# was checked instead; tests/integration/docs/dockerfile_test.py checks it against config/k8s.

# ---- build: the project's own dependency script, then only the two programs ------------------
FROM debian:12 AS build
WORKDIR /opt/wavelet-iot-lab
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh --packages && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DWV_BENCH=OFF \
 && cmake --build build -j"$(nproc)" --target wvsim wvgate \
 && strip build/simulator/wvsim build/src/gateway/main/wvgate

# ---- runtime: the shared libraries they link (SQLite: the control plane's registry), CA
# certificates, python3 for handler authorizers and decoders ----------------------------------
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libpaho-mqtt1.3 libpaho-mqttpp3-1 \
        libyaml-cpp0.7 libsqlite3-0 python3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/wavelet-iot-lab/build/simulator/wvsim /usr/local/bin/wvsim
COPY --from=build /opt/wavelet-iot-lab/build/src/gateway/main/wvgate /usr/local/bin/wvgate
# The handler backend (python: authorizers and decoders) looks for its runners where the build's
# source tree had them.
COPY --from=build /opt/wavelet-iot-lab/src/functions/handler/runners \
     /opt/wavelet-iot-lab/src/functions/handler/runners
# The examples' generated CAs (config/wvgate-ca) are written next to their config: the user owns it.
# Handlers that import boto3 or protobuf need python3-boto3 / python3-protobuf added here.
COPY --chown=10001:10001 config /opt/wavelet-iot-lab/config
WORKDIR /opt/wavelet-iot-lab
# Not root: the Job's pods write their reports to a shared volume as group 10001 (fsGroup).
RUN groupadd --system --gid 10001 wv && useradd --system --uid 10001 --gid 10001 --no-create-home wv
USER 10001:10001
CMD ["wvsim", "--help"]
