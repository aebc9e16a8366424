# shellcheck shell=bash
# Sourced by the benchmark scripts: nginx on loopback, configured under a scratch directory.
#
# nginx_conf WORK SERVER_BODY [USER]: picks PORT (a random port on 127.0.0.1) and writes
# WORK/nginx/nginx.conf with `server { listen 127.0.0.1:PORT; SERVER_BODY }` (workers as USER when
# given). start_nginx WORK SERVER_BODY: that, then starts nginx and stops it (and removes WORK)
# when the calling script exits.
nginx_conf() {
  local work=$1 body=$2 user=${3:-}
  PORT=$((20000 + RANDOM % 20000))
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
${user:+user $user;}
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$PORT; $body }
}
CONF
}
start_nginx() {
  local work=$1
  nginx_conf "$@"
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
  # shellcheck disable=SC2064 # expand now: WORK is fixed for the script's life
  trap "nginx -c '$work/nginx/nginx.conf' -p '$work/nginx' -s stop 2>/dev/null || true; rm -rf '$work'" EXIT
}
