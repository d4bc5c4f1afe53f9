#!/usr/bin/env bash
# Run a real local Apache Kafka cluster (KRaft, no ZooKeeper, no Docker) for development and
# integration tests. The broker jars come from Maven Central (scripts/kafka/pom.xml); each
# node is a plain `java -cp <lib>/* kafka.Kafka server.properties` process, tracked by a pid
# file, listening on 127.0.0.1 only.
#
# Usage: scripts/kafka.sh COMMAND [ARGS]
#   fetch                         copy the broker jars into KAFKA_LIB_DIR (skipped when current)
#   up                            start the cluster (fetches first), wait until it answers, print
#                                 the bootstrap address as the last stdout line; a no-op that
#                                 prints the address when it already runs
#   down                          stop every node (SIGTERM, SIGKILL after 20 s), delete its data
#   status                        one line per node; exit 0 only when every node runs
#   stop-node N | kill-node N     stop node N with SIGTERM (then SIGKILL) | SIGKILL at once
#   start-node N                  restart node N on its existing data, wait until it answers
#   create-topic NAME [PARTITIONS] [RF] [key=value ...]
#                                 create a topic (kafka-python admin client from KAFKA_PYTHON)
#                                 and wait until every partition has a leader; defaults: 4
#                                 partitions, RF = number of nodes (at most 3)
#
# Environment (defaults in brackets):
#   KAFKA_PORT [19092]            client (PLAINTEXT) port of node 1; node i uses KAFKA_PORT+i-1
#   KAFKA_CONTROLLER_PORT [KAFKA_PORT+100]   controller port of node 1; node i: +i-1
#   KAFKA_SASL_PORT [KAFKA_PORT+200]         SASL_SSL port of node 1 (KAFKA_SASL_SSL=1); +i-1
#   KAFKA_NODES [1]               1 or 3; every node runs combined mode (broker+controller)
#   KAFKA_STATE_DIR [${TMPDIR:-/tmp}/article-worker-kafka-$KAFKA_PORT]
#                                 configs, pid files, logs and data, one node-<i>/ dir per node
#   KAFKA_LIB_DIR [<repo>/.kafka/lib]        broker jars (`fetch` fills it)
#   KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]      JVM heap of each node
#   KAFKA_JVM_PERFORMANCE_OPTS [-XX:+UseSerialGC -Djava.awt.headless=true]  other JVM flags
#   KAFKA_EXTRA_PROPERTIES []     extra server.properties lines (key=value, newline separated),
#                                 appended to every node's config at `up`
#   KAFKA_START_TIMEOUT [90]      seconds `up`/`start-node` wait for the nodes to answer
#   KAFKA_STOP_TIMEOUT [20]       seconds between SIGTERM and SIGKILL
#   KAFKA_PYTHON [<repo>/.venv/bin/python, else python3]  interpreter with kafka-python, used
#                                 for the readiness check and create-topic
#   KAFKA_SASL_SSL [0]            1: add a SASL_SSL listener (SCRAM-SHA-512 over TLS) per node
#   KAFKA_SASL_USERNAME [worker], KAFKA_SASL_PASSWORD [worker-secret]  SCRAM user made at format
#   JAVA_HOME / JAVA, MVN         java and mvn executables
#
# Once a cluster is up, its node count and ports are saved in $KAFKA_STATE_DIR/cluster.env, so
# later commands only need the same KAFKA_STATE_DIR (or KAFKA_PORT) to find it.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j2.properties"
KAFKA_LIB_DIR=${KAFKA_LIB_DIR:-$REPO_ROOT/.kafka/lib}
STAMP_NAME=.fetched-pom-sha256
STARTED_LINE='Kafka Server started'

if [[ -n ${JAVA:-} ]]; then
    :
elif [[ -n ${JAVA_HOME:-} ]]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA=java
fi
MVN=${MVN:-mvn}
if [[ -z ${KAFKA_PYTHON:-} ]]; then
    if [[ -x $REPO_ROOT/.venv/bin/python ]]; then
        KAFKA_PYTHON="$REPO_ROOT/.venv/bin/python"
    else
        KAFKA_PYTHON=python3
    fi
fi

log() { echo "kafka.sh: $*" >&2; }
die() {
    echo "kafka.sh: error: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

# --------------------------------------------------------------------------------------------
# fetch

lib_is_current() {
    local hash
    hash=$(sha256sum "$POM" | cut -d' ' -f1)
    [[ -f $KAFKA_LIB_DIR/$STAMP_NAME && $(cat "$KAFKA_LIB_DIR/$STAMP_NAME") == "$hash" ]]
}

cmd_fetch() {
    lib_is_current && return 0
    mkdir -p "$(dirname "$KAFKA_LIB_DIR")"
    # Two callers (e.g. `make kafka-up` and a test fixture) may fetch at once; the lock keeps
    # them from swapping the lib dir under each other.
    local lock_fd
    exec {lock_fd}>"$KAFKA_LIB_DIR.lock"
    flock "$lock_fd"
    if lib_is_current; then
        exec {lock_fd}>&-
        return 0
    fi
    log "fetching Kafka broker jars into $KAFKA_LIB_DIR (first run downloads into ~/.m2)"
    local hash tmp
    hash=$(sha256sum "$POM" | cut -d' ' -f1)
    tmp=$(mktemp -d "$KAFKA_LIB_DIR.tmp.XXXXXX")
    # sed: Maven 3.8 prints stray colour codes even in batch mode.
    if ! "$MVN" -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
        rm -rf "$tmp"
        die "mvn could not resolve the broker jars of $POM"
    fi
    if ! compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null; then
        rm -rf "$tmp"
        die "mvn ran but $tmp has no kafka_2.13 jar"
    fi
    echo "$hash" >"$tmp/$STAMP_NAME"
    # Copy into a fresh dir and swap it in whole: a version bump must not leave the old jars
    # on the classpath next to the new ones.
    rm -rf "$KAFKA_LIB_DIR"
    mv "$tmp" "$KAFKA_LIB_DIR"
    exec {lock_fd}>&-
    log "fetched $(find "$KAFKA_LIB_DIR" -name '*.jar' | wc -l) jars"
}

# --------------------------------------------------------------------------------------------
# cluster layout

# Sets STATE_DIR, NODES, CLIENT_BASE, CONTROLLER_BASE, SASL_BASE, SASL_SSL from the saved
# cluster.env when there is one (so stop/start/status find the cluster the way `up` made it),
# else from the environment. HAVE_CLUSTER tells which.
load_layout() {
    local port=${KAFKA_PORT:-19092}
    STATE_DIR=${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/article-worker-kafka-$port}
    HAVE_CLUSTER=0
    if [[ -f $STATE_DIR/cluster.env ]]; then
        # shellcheck source=/dev/null
        source "$STATE_DIR/cluster.env"
        HAVE_CLUSTER=1
        return 0
    fi
    NODES=${KAFKA_NODES:-1}
    CLIENT_BASE=$port
    CONTROLLER_BASE=${KAFKA_CONTROLLER_PORT:-$((port + 100))}
    SASL_BASE=${KAFKA_SASL_PORT:-$((port + 200))}
    SASL_SSL=${KAFKA_SASL_SSL:-0}
    CLUSTER_ID=
}

# Refuses an explicit KAFKA_* setting that contradicts the saved cluster: silently reusing a
# 1-node cluster when 3 nodes were asked for would make fault tests pass for the wrong reason.
check_layout_matches_env() {
    local pair env_name var_name want have
    for pair in KAFKA_NODES:NODES KAFKA_PORT:CLIENT_BASE KAFKA_CONTROLLER_PORT:CONTROLLER_BASE \
        KAFKA_SASL_PORT:SASL_BASE KAFKA_SASL_SSL:SASL_SSL; do
        env_name=${pair%%:*}
        var_name=${pair##*:}
        want=${!env_name:-}
        have=${!var_name}
        if [[ -n $want && $want != "$have" ]]; then
            die "$env_name=$want but the cluster in $STATE_DIR was made with $have; run 'down' first"
        fi
    done
}

validate_layout() {
    [[ $NODES == 1 || $NODES == 3 ]] || die "KAFKA_NODES must be 1 or 3, not '$NODES'"
    local p
    for p in "$CLIENT_BASE" "$CONTROLLER_BASE" "$SASL_BASE"; do
        if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p + NODES > 65536)); then
            die "bad port '$p'"
        fi
    done
}

node_dir() { echo "$STATE_DIR/node-$1"; }
client_port() { echo $((CLIENT_BASE + $1 - 1)); }
controller_port() { echo $((CONTROLLER_BASE + $1 - 1)); }
sasl_port() { echo $((SASL_BASE + $1 - 1)); }

join_addresses() { # $1 = port function
    local i out=
    for ((i = 1; i <= NODES; i++)); do
        out+="${out:+,}127.0.0.1:$("$1" "$i")"
    done
    echo "$out"
}
bootstrap_address() { join_addresses client_port; }

check_node_arg() {
    if ! [[ ${1:-} =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > NODES)); then
        die "node must be a number from 1 to $NODES, not '${1:-}'"
    fi
}

require_cluster() {
    ((HAVE_CLUSTER)) || die "no cluster in $STATE_DIR (run 'up' first, or set KAFKA_STATE_DIR/KAFKA_PORT)"
}

# --------------------------------------------------------------------------------------------
# processes

node_pid() {
    local f
    f="$(node_dir "$1")/kafka.pid"
    [[ -f $f ]] && cat "$f"
}

# True when $2 is a live broker process of node $1. The command line check guards against a
# recycled pid; a zombie has an empty cmdline and so counts as dead.
pid_is_node() {
    local cmdline
    [[ -n ${2:-} && -r /proc/$2/cmdline ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *kafka.Kafka*"$(node_dir "$1")/server.properties"* ]]
}

node_alive() { pid_is_node "$1" "$(node_pid "$1" || true)"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_node_process() {
    local i=$1 dir port
    dir=$(node_dir "$i")
    local -a ports=("$(client_port "$i")" "$(controller_port "$i")")
    [[ $SASL_SSL != 1 ]] || ports+=("$(sasl_port "$i")")
    # A few seconds of grace: a node killed a moment ago may still be closing its sockets.
    local deadline=$((SECONDS + 5))
    for port in "${ports[@]}"; do
        while port_in_use "$port"; do
            ((SECONDS < deadline)) || die "node $i: port $port is already in use by another process"
            sleep 0.2
        done
    done
    mkdir -p "$dir/logs"
    # Keep the previous run's log for post-mortems, and make sure the readiness check only
    # sees lines written by this start.
    [[ ! -f $dir/logs/server.log ]] || mv -f "$dir/logs/server.log" "$dir/logs/server.log.previous"
    [[ ! -f $dir/console.log ]] || mv -f "$dir/console.log" "$dir/console.log.previous"
    local -a heap jvm
    read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
    # The serial collector, not Kafka's production G1 settings: this broker shares 2 cores
    # with the workers and tests, and G1's concurrent threads cost it more CPU than they save
    # in pauses on a 512 MB heap (same worker run: 0.28-0.31 -> 0.11-0.12 ms of broker CPU
    # per article, start-up 5.0-6.4 -> 4.5-5.3 s of CPU).
    read -r -a jvm <<<"${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseSerialGC -Djava.awt.headless=true}"
    # setsid: the broker must outlive this script and not receive the Ctrl-C/SIGHUP meant for
    # the shell or test run that started it; it is stopped by pid instead. All std fds are
    # redirected so a caller capturing our output (subprocess.run) is not held open by Java.
    # Without job control the backgrounded subshell is no group leader, so setsid execs in
    # place and $! is the java pid itself.
    # The state-dir lock fd is closed first: a broker inheriting it would hold the lock for
    # its whole life and every later `up`/`down` would wait forever.
    (
        cd "$dir"
        [[ -z ${STATE_LOCK_FD:-} ]] || exec {STATE_LOCK_FD}>&-
        exec setsid "$JAVA" "${heap[@]}" "${jvm[@]}" \
            -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$dir/logs" \
            -cp "$KAFKA_LIB_DIR/*" kafka.Kafka "$dir/server.properties" \
            </dev/null >"$dir/console.log" 2>&1
    ) &
    echo $! >"$dir/kafka.pid"
}

show_node_logs() {
    local dir
    dir=$(node_dir "$1")
    {
        echo "---- node $1: last lines of $dir/console.log"
        tail -n 20 "$dir/console.log" 2>/dev/null || true
        echo "---- node $1: last lines of $dir/logs/server.log"
        tail -n 30 "$dir/logs/server.log" 2>/dev/null || true
    } >&2
}

# Waits until every node this invocation started (JUST_STARTED) has logged that it started,
# then until the cluster answers a metadata request listing each node in "$@" as a live
# (unfenced) broker. Fails early when a starting node's process dies. Nodes that were already
# running skip the log check: their start-up line may have rolled out of server.log.
JUST_STARTED=()
wait_ready() {
    local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90})) i pending=("${JUST_STARTED[@]}") still
    while ((${#pending[@]})); do
        still=()
        for i in "${pending[@]}"; do
            if ! kill -0 "$(node_pid "$i")" 2>/dev/null; then
                show_node_logs "$i"
                die "node $i exited during start-up (logs above)"
            fi
            grep -qF "$STARTED_LINE" "$(node_dir "$i")/logs/server.log" 2>/dev/null || still+=("$i")
        done
        pending=("${still[@]}")
        ((${#pending[@]})) || break
        if ((SECONDS >= deadline)); then
            for i in "${pending[@]}"; do show_node_logs "$i"; done
            die "node(s) ${pending[*]} did not log '$STARTED_LINE' within ${KAFKA_START_TIMEOUT:-90} s"
        fi
        sleep 0.3
    done
    local remaining=$((deadline - SECONDS))
    ((remaining > 5)) || remaining=5
    check_metadata "$remaining" "$@"
}

has_kafka_python() { "$KAFKA_PYTHON" -c 'import kafka' 2>/dev/null; }

# A real protocol round trip: bootstrapping a kafka-python admin client against node i's own
# address exchanges ApiVersions and Metadata with that node, and describe_cluster then has to
# list every wanted node id (KRaft only lists unfenced brokers).
check_metadata() {
    local timeout=$1
    shift
    local i addrs=() ids=()
    for i in "$@"; do
        addrs+=("127.0.0.1:$(client_port "$i")")
        ids+=("$i")
    done
    if ! has_kafka_python; then
        log "warning: $KAFKA_PYTHON cannot import kafka (kafka-python); readiness checked by log line and TCP connect only"
        for i in "$@"; do
            port_in_use "$(client_port "$i")" || die "node $i logged start-up but does not accept connections"
        done
        return 0
    fi
    local ids_csv
    ids_csv=$(
        IFS=,
        echo "${ids[*]}"
    )
    "$KAFKA_PYTHON" - "$timeout" "$ids_csv" "${addrs[@]}" <<'PY' || die "cluster did not answer metadata requests (see above)"
import sys
import time

from kafka import KafkaAdminClient

deadline = time.monotonic() + float(sys.argv[1])
wanted = {int(x) for x in sys.argv[2].split(",")}
for addr in sys.argv[3:]:
    last = "no answer yet"
    while True:
        try:
            with KafkaAdminClient(
                bootstrap_servers=addr,
                client_id="kafka.sh-readiness",
                bootstrap_timeout_ms=5000,
                request_timeout_ms=5000,
            ) as admin:
                live = {b["broker_id"] for b in admin.describe_cluster()["brokers"]}
            if wanted <= live:
                break
            last = f"live brokers {sorted(live)}, waiting for {sorted(wanted - live)}"
        except Exception as exc:  # any failure just means "not ready yet" until the deadline
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            sys.exit(f"kafka.sh: {addr} not ready: {last}")
        time.sleep(0.5)
PY
}

# True while pid $1 has not finished exiting. A dying JVM loses its cmdline, and its main
# thread turns zombie, while other threads still hold the sockets open; so "gone" means no
# such pid, or a zombie with no thread left besides the main one.
pid_running() {
    local stat rest tasks
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${stat##*) }
    [[ ${rest%% *} == Z ]] || return 0
    tasks=("/proc/$1/task/"*)
    ((${#tasks[@]} > 1))
}

# Sends $1 to the given nodes and waits up to $2 s for them to exit; returns the nodes still
# running in STILL_RUNNING.
signal_and_wait() {
    local sig=$1 timeout=$2 i pid
    shift 2
    local -A node_pids=()
    for i in "$@"; do
        pid=$(node_pid "$i" || true)
        if pid_is_node "$i" "$pid"; then
            node_pids[$i]=$pid
            kill "-$sig" "$pid" 2>/dev/null || true
        fi
    done
    local deadline=$((SECONDS + timeout))
    while :; do
        STILL_RUNNING=()
        for i in "${!node_pids[@]}"; do
            ! pid_running "${node_pids[$i]}" || STILL_RUNNING+=("$i")
        done
        ((${#STILL_RUNNING[@]} && SECONDS < deadline)) || break
        sleep 0.2
    done
}

# Stops nodes: SIGTERM (controlled shutdown), SIGKILL for whatever is left after the timeout.
stop_nodes() {
    local timeout=${KAFKA_STOP_TIMEOUT:-20}
    (($#)) || return 0
    signal_and_wait TERM "$timeout" "$@"
    if ((${#STILL_RUNNING[@]})); then
        log "node(s) ${STILL_RUNNING[*]} still running ${timeout} s after SIGTERM; sending SIGKILL"
        signal_and_wait KILL 10 "${STILL_RUNNING[@]}"
        ((${#STILL_RUNNING[@]} == 0)) || die "node(s) ${STILL_RUNNING[*]} survived SIGKILL"
    fi
}

# --------------------------------------------------------------------------------------------
# configuration and formatting

gen_cluster_id() {
    # Same shape as `kafka-storage.sh random-uuid` (16 random bytes, URL-safe base64, no
    # padding) without paying for a JVM start; Kafka rejects ids starting with '-'.
    local id
    while :; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
        [[ $id == -* ]] || break
    done
    echo "$id"
}

write_server_properties() {
    local i=$1 dir voters='' j rf min_isr listeners advertised
    dir=$(node_dir "$i")
    for ((j = 1; j <= NODES; j++)); do
        voters+="${voters:+,}$j@127.0.0.1:$(controller_port "$j")"
    done
    rf=$((NODES < 3 ? NODES : 3))
    min_isr=$((rf < 2 ? 1 : 2))
    listeners="PLAINTEXT://127.0.0.1:$(client_port "$i"),CONTROLLER://127.0.0.1:$(controller_port "$i")"
    advertised="PLAINTEXT://127.0.0.1:$(client_port "$i")"
    local protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    if [[ $SASL_SSL == 1 ]]; then
        listeners+=",SASL_SSL://127.0.0.1:$(sasl_port "$i")"
        advertised+=",SASL_SSL://127.0.0.1:$(sasl_port "$i")"
        protocols+=",SASL_SSL:SASL_SSL"
    fi
    mkdir -p "$dir"
    cat >"$dir/server.properties" <<EOF
# Written by scripts/kafka.sh up; node $i of $NODES, combined mode, static quorum.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
log.dirs=$dir/data

# Topics are created explicitly (by the app's setup or the tests), never by a typo.
auto.create.topics.enable=false
num.partitions=4
default.replication.factor=$rf
min.insync.replicas=$min_isr

# Internal topics: replicated like user topics. Fewer partitions than the default 50 because
# creating 50 partitions x RF on first use costs seconds on 2 cores and buys nothing here.
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr

# Tests start consumers and expect the first rebalance at once, not after 3 s.
group.initial.rebalance.delay.ms=0
EOF
    if [[ $SASL_SSL == 1 ]]; then
        cat >>"$dir/server.properties" <<EOF

# SASL_SSL listener: SCRAM-SHA-512 over TLS (users created by 'format --add-scram').
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$STATE_DIR/tls/broker.p12
ssl.keystore.password=$TLS_STORE_PASSWORD
ssl.key.password=$TLS_STORE_PASSWORD
ssl.client.auth=none
EOF
    fi
    if [[ -n ${KAFKA_EXTRA_PROPERTIES:-} ]]; then
        printf '\n# KAFKA_EXTRA_PROPERTIES\n%s\n' "$KAFKA_EXTRA_PROPERTIES" >>"$dir/server.properties"
    fi
}

# A throwaway CA and one broker certificate (SAN 127.0.0.1/localhost) for all nodes, all made
# with the JDK's keytool; the CA is also exported as PEM for Python clients (ssl_cafile).
make_tls_material() {
    local tls="$STATE_DIR/tls"
    KEYTOOL="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/keytool"
    [[ -x $KEYTOOL ]] || KEYTOOL=keytool
    rm -rf "$tls"
    mkdir -p "$tls"
    local pw=$TLS_STORE_PASSWORD
    local -a key=(-storetype PKCS12 -storepass "$pw" -keypass "$pw" -keyalg EC -groupname secp256r1 -validity 30)
    run_keytool -genkeypair -alias ca -dname "CN=article-worker local test CA" -ext bc:c \
        -keystore "$tls/ca.p12" "${key[@]}"
    run_keytool -exportcert -rfc -alias ca -file "$tls/ca.pem" -keystore "$tls/ca.p12" -storepass "$pw"
    run_keytool -genkeypair -alias broker -dname "CN=localhost" -keystore "$tls/broker.p12" "${key[@]}"
    run_keytool -certreq -alias broker -file "$tls/broker.csr" -keystore "$tls/broker.p12" -storepass "$pw"
    run_keytool -gencert -alias ca -infile "$tls/broker.csr" -outfile "$tls/broker.pem" -rfc \
        -ext "SAN=IP:127.0.0.1,DNS:localhost" -ext ku:c=digitalSignature -ext eku=serverAuth \
        -validity 30 -keystore "$tls/ca.p12" -storepass "$pw"
    run_keytool -importcert -noprompt -alias ca -file "$tls/ca.pem" -keystore "$tls/broker.p12" -storepass "$pw"
    run_keytool -importcert -noprompt -alias broker -file "$tls/broker.pem" -keystore "$tls/broker.p12" -storepass "$pw"
}

# EC keys and a C1-only JVM per call keep each of the seven keytool runs well under a second.
run_keytool() {
    local out
    if ! out=$("$KEYTOOL" -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC "$@" 2>&1); then
        echo "$out" >&2
        die "keytool $1 failed"
    fi
}

format_nodes() {
    local i dir pids=() failed=0
    local -a extra=()
    if [[ $SASL_SSL == 1 ]]; then
        extra=(--add-scram "SCRAM-SHA-512=[name=$SASL_USERNAME,password=$SASL_PASSWORD]")
    fi
    # One short-lived JVM per node, in parallel; C1 only and a small heap because the tool
    # runs for a second or two.
    for ((i = 1; i <= NODES; i++)); do
        dir=$(node_dir "$i")
        mkdir -p "$dir/logs"
        "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
            -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$dir/logs/format" \
            -cp "$KAFKA_LIB_DIR/*" kafka.tools.StorageTool format -t "$CLUSTER_ID" \
            -c "$dir/server.properties" "${extra[@]}" >"$dir/logs/format.log" 2>&1 &
        pids+=($!)
    done
    for ((i = 1; i <= NODES; i++)); do
        if ! wait "${pids[$((i - 1))]}"; then
            cat "$(node_dir "$i")/logs/format.log" >&2
            failed=1
        fi
    done
    ((failed == 0)) || die "formatting the storage failed (output above)"
}

save_layout() {
    cat >"$STATE_DIR/cluster.env.tmp" <<EOF
# Written by scripts/kafka.sh up: how this cluster was made. Deleted by 'down'.
NODES=$NODES
CLIENT_BASE=$CLIENT_BASE
CONTROLLER_BASE=$CONTROLLER_BASE
SASL_BASE=$SASL_BASE
SASL_SSL=$SASL_SSL
CLUSTER_ID=$CLUSTER_ID
SASL_USERNAME=$SASL_USERNAME
SASL_PASSWORD=$SASL_PASSWORD
TLS_STORE_PASSWORD=$TLS_STORE_PASSWORD
EOF
    mv "$STATE_DIR/cluster.env.tmp" "$STATE_DIR/cluster.env"
}

print_addresses() {
    if [[ $SASL_SSL == 1 ]]; then
        echo "KAFKA_SASL_SSL_BOOTSTRAP_SERVERS=$(join_addresses sasl_port)"
        echo "KAFKA_SSL_CAFILE=$STATE_DIR/tls/ca.pem"
        echo "KAFKA_SASL_MECHANISM=SCRAM-SHA-512"
        echo "KAFKA_SASL_USERNAME=$SASL_USERNAME"
        echo "KAFKA_SASL_PASSWORD=$SASL_PASSWORD"
    fi
    bootstrap_address
}

# --------------------------------------------------------------------------------------------
# commands

lock_state_dir() {
    # Serializes up/down/start-node on one state dir (two `up`s racing would format twice).
    mkdir -p "$STATE_DIR"
    exec {STATE_LOCK_FD}>"$STATE_DIR/.lock"
    flock "$STATE_LOCK_FD"
}

cmd_up() {
    cmd_fetch
    load_layout
    lock_state_dir
    load_layout # again: another `up` may have finished while we waited for the lock
    validate_layout
    local i f started=() t0=$SECONDS
    if ((HAVE_CLUSTER)); then
        check_layout_matches_env
        for ((i = 1; i <= NODES; i++)); do
            node_alive "$i" || started+=("$i")
        done
        if ((${#started[@]} == 0)); then
            log "already running in $STATE_DIR"
            print_addresses
            return 0
        fi
        log "restarting node(s) ${started[*]} on their existing data in $STATE_DIR"
    else
        for f in "$STATE_DIR"/node-*/kafka.pid; do
            [[ -f $f ]] || continue
            i=${f%/kafka.pid}
            i=${i##*/node-}
            ! pid_is_node "$i" "$(cat "$f")" || die "$STATE_DIR has a running node $i but no cluster.env; run 'down' first"
        done
        # Leftovers of an interrupted `up` (no cluster.env was written): start from scratch.
        rm -rf "$STATE_DIR"/node-*/data "$STATE_DIR/tls"
        CLUSTER_ID=$(gen_cluster_id)
        SASL_USERNAME=${KAFKA_SASL_USERNAME:-worker}
        SASL_PASSWORD=${KAFKA_SASL_PASSWORD:-worker-secret}
        TLS_STORE_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
        [[ $SASL_SSL != 1 ]] || make_tls_material
        for ((i = 1; i <= NODES; i++)); do
            write_server_properties "$i"
        done
        format_nodes
        save_layout
        for ((i = 1; i <= NODES; i++)); do started+=("$i"); done
        log "starting $NODES node(s) in $STATE_DIR (cluster id $CLUSTER_ID)"
    fi
    for i in "${started[@]}"; do
        start_node_process "$i"
        JUST_STARTED+=("$i")
    done
    local all=()
    for ((i = 1; i <= NODES; i++)); do all+=("$i"); done
    wait_ready "${all[@]}"
    log "cluster answers after $((SECONDS - t0)) s"
    print_addresses
}

cmd_down() {
    load_layout
    if [[ ! -d $STATE_DIR ]]; then
        log "nothing to stop: $STATE_DIR does not exist"
        return 0
    fi
    lock_state_dir
    local f i nodes=()
    for f in "$STATE_DIR"/node-*/kafka.pid; do
        [[ -f $f ]] || continue
        i=${f%/kafka.pid}
        nodes+=("${i##*/node-}")
    done
    if ((${#nodes[@]})); then
        stop_nodes "${nodes[@]}"
    fi
    # Logs stay for post-mortems (the next start moves them aside); everything that makes up
    # the cluster goes, so the next `up` formats a fresh one.
    rm -rf "$STATE_DIR"/node-*/data "$STATE_DIR"/node-*/kafka.pid "$STATE_DIR"/node-*/server.properties \
        "$STATE_DIR/tls" "$STATE_DIR/cluster.env"
    log "stopped; data removed from $STATE_DIR"
}

cmd_status() {
    load_layout
    require_cluster
    local i pid running=0
    for ((i = 1; i <= NODES; i++)); do
        pid=$(node_pid "$i" || true)
        if pid_is_node "$i" "$pid"; then
            running=$((running + 1))
            echo "node $i: running (pid $pid) client 127.0.0.1:$(client_port "$i") controller 127.0.0.1:$(controller_port "$i")"
        else
            echo "node $i: stopped client 127.0.0.1:$(client_port "$i") controller 127.0.0.1:$(controller_port "$i")"
        fi
    done
    [[ $SASL_SSL != 1 ]] || echo "sasl_ssl: $(join_addresses sasl_port) (CA $STATE_DIR/tls/ca.pem)"
    echo "state: $STATE_DIR"
    echo "bootstrap: $(bootstrap_address)"
    ((running == NODES))
}

cmd_stop_node() { # $1 = node, $2 = TERM|KILL
    load_layout
    require_cluster
    check_node_arg "${1:-}"
    lock_state_dir
    if ! node_alive "$1"; then
        log "node $1 is not running"
        return 0
    fi
    if [[ $2 == KILL ]]; then
        signal_and_wait KILL 10 "$1"
        ((${#STILL_RUNNING[@]} == 0)) || die "node $1 survived SIGKILL"
    else
        stop_nodes "$1"
    fi
    log "node $1 stopped ($2)"
}

cmd_start_node() {
    load_layout
    require_cluster
    check_node_arg "${1:-}"
    lock_state_dir
    if node_alive "$1"; then
        log "node $1 is already running"
    else
        start_node_process "$1"
        JUST_STARTED+=("$1")
    fi
    wait_ready "$1"
    log "node $1 answers"
}

cmd_create_topic() {
    load_layout
    require_cluster
    local name=${1:-} partitions=${2:-4} rf=${3:-}
    [[ -n $name ]] || die "usage: create-topic NAME [PARTITIONS] [RF] [key=value ...]"
    [[ -n $rf ]] || rf=$((NODES < 3 ? NODES : 3))
    [[ $partitions =~ ^[0-9]+$ && $rf =~ ^[0-9]+$ ]] || die "PARTITIONS and RF must be numbers"
    shift $(($# < 3 ? $# : 3))
    has_kafka_python || die "$KAFKA_PYTHON cannot import kafka; install kafka-python or set KAFKA_PYTHON"
    "$KAFKA_PYTHON" - "$(bootstrap_address)" "$name" "$partitions" "$rf" "$@" <<'PY'
import sys

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

bootstrap, name, partitions, rf, *pairs = sys.argv[1:]
configs = {}
for pair in pairs:
    key, sep, value = pair.partition("=")
    if not sep:
        sys.exit(f"kafka.sh: topic config must be key=value, not {pair!r}")
    configs[key] = value
try:
    with KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka.sh-create-topic") as admin:
        admin.create_topics(
            {name: {"num_partitions": int(partitions), "replication_factor": int(rf), "configs": configs}},
            wait_for_metadata=True,
        )
except KafkaError as exc:
    sys.exit(f"kafka.sh: creating topic {name!r} failed: {type(exc).__name__}: {exc}")
print(f"kafka.sh: created topic {name} ({partitions} partitions, RF {rf})", file=sys.stderr)
PY
}

main() {
    local cmd=${1:-}
    (($#)) && shift
    case $cmd in
    fetch) cmd_fetch ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    stop-node) cmd_stop_node "${1:-}" TERM ;;
    kill-node) cmd_stop_node "${1:-}" KILL ;;
    start-node) cmd_start_node "${1:-}" ;;
    create-topic) cmd_create_topic "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
    esac
}

main "$@"
