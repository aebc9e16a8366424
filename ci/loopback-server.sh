# shellcheck shell=bash
# Sourced by ci/emulate.sh and ci/bootstrap-chroot.sh: a private certificate authority and Python
# file servers on 127.0.0.1 (threaded; any free port). The caller kills the servers it started:
# their process ids are appended to SERVER_PIDS.
#
# make_ca DIR: writes DIR/ca.pem (a CA made for this run, valid 2 days) and DIR/server.pem +
#   DIR/server.key (signed by it, for IP 127.0.0.1, localhost and DNS_NAME).
# serve DIR WWW SCHEME: serves WWW over SCHEME (http or https, with DIR's certificate) and sets URL
#   to SCHEME://127.0.0.1:PORT.
# serve_dns DIR: a DNS server on DNS_SERVER:53 (UDP) that answers DNS_NAME's A query with 127.0.0.1,
#   its other queries with no record and every other name with NXDOMAIN, so a resolver that reads
#   /etc/resolv.conf (musl's, in a static tcup) can be watched doing a real lookup.
SERVER_PIDS=()
DNS_NAME=tcup-test.invalid
DNS_SERVER=127.0.0.77

make_ca() {
  local dir=$1
  (
    cd "$dir" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=tcup-test-ca 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:%s\nbasicConstraints=CA:FALSE\n' "$DNS_NAME" >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
      -extfile ext.cnf 2>/dev/null
  )
}

serve() {
  local dir=$1 www=$2 scheme=$3 portfile
  portfile=$(mktemp "$dir/port.XXXXXX")
  python3 - "$www" "$scheme" "$dir/server.pem" "$dir/server.key" "$portfile" <<'PY' &
import functools, http.server, ssl, sys
www, scheme, cert, key, portfile = sys.argv[1:]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=www))
if scheme == "https":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
PY
  SERVER_PIDS+=($!)
  for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.1; done
  [ -s "$portfile" ] || { echo "loopback-server: the $scheme server did not start" >&2; return 1; }
  # shellcheck disable=SC2034 # read by the caller
  URL=$scheme://127.0.0.1:$(cat "$portfile")
}

serve_dns() {
  local ready
  ready=$(mktemp "$1/dns-ready.XXXXXX")
  python3 - "$DNS_SERVER" "$DNS_NAME" "$ready" <<'PY' &
import socket, struct, sys
addr, name, ready = sys.argv[1], sys.argv[2].lower().rstrip("."), sys.argv[3]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((addr, 53))
with open(ready, "w") as f:
    f.write("ready")

def answer(query):
    if len(query) < 17 or struct.unpack(">H", query[4:6])[0] < 1:
        return None  # no question: not worth an answer
    labels, i = [], 12
    while query[i]:
        if query[i] & 0xC0:
            return None  # compression in a question: no client sends it
        labels.append(query[i + 1:i + 1 + query[i]].decode("ascii", "replace"))
        i += 1 + query[i]
    qtype = struct.unpack(">H", query[i + 1:i + 3])[0]
    question = query[12:i + 5]
    found = ".".join(labels).lower() == name
    records = b""
    if found and qtype == 1:
        records = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    flags = 0x8180 if found else 0x8183  # NOERROR (no record for other types) or NXDOMAIN
    return query[:2] + struct.pack(">HHHHH", flags, 1, 1 if records else 0, 0, 0) + question + records

while True:
    query, peer = sock.recvfrom(512)
    try:
        reply = answer(query)
    except (IndexError, struct.error):
        reply = None  # a malformed packet is dropped, never the server
    if reply:
        sock.sendto(reply, peer)
PY
  SERVER_PIDS+=($!)
  for _ in $(seq 100); do [ -s "$ready" ] && break; kill -0 "$!" 2>/dev/null || break; sleep 0.1; done
  [ -s "$ready" ] || { echo "loopback-server: the DNS server did not start on $DNS_SERVER:53" >&2; return 1; }
}
