#!/usr/bin/env python3
"""Benchmarks outbound against the tools it replaces, side by side in one run.

Run through scripts/bench (it builds the release binary and starts a real Secret
Service and the local authorization server). Prints a Markdown table.

  token:  `outbound token APP` (valid token in the Secret Service)
          vs `secret-tool lookup` of a secret of the same size
  small:  `outbound curl APP URL` vs `curl -H 'Authorization: Bearer ...' URL`
  1 GiB:  the same, streaming a 1 GiB response to /dev/null: time and peak RSS
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUTBOUND = os.environ["OUTBOUND_BIN"]
ISSUER = os.environ["ISSUER"]
RUNS = int(os.environ.get("BENCH_RUNS", "50"))
BIG = int(os.environ.get("BENCH_BIG_BYTES", str(1 << 30)))
CHUNK = b"\0" * (1 << 20)


_big_file = None


def big_file():
    """BIG bytes in a file in memory (/dev/shm), made once, removed at exit."""
    global _big_file
    if _big_file is None:
        import atexit
        import tempfile
        d = "/dev/shm" if os.path.isdir("/dev/shm") else None
        f = tempfile.NamedTemporaryFile(dir=d, prefix="outbound-bench-", delete=False)
        # Written, not truncated: a sparse file would send one cached zero page
        # over and over, faster than any real file.
        left = BIG
        while left:
            n = min(left, len(CHUNK))
            f.write(CHUNK[:n])
            left -= n
        f.close()
        _big_file = f.name
        atexit.register(os.unlink, f.name)
    return _big_file


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # As servers in production do (nginx, Go, Node): without it, a kept-alive client
    # (the proxy's pool) waits out its delayed ACK, 40 ms, on every small answer
    # whose head and body go in two writes.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/sse"):
            # One event a second for BENCH_SSE_SECS seconds.
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(int(os.environ.get("BENCH_SSE_SECS", "60"))):
                try:
                    self.wfile.write(f"id: {i}\ndata: {{\"i\": {i}}}\n\n".encode())
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(1)
            return
        if self.path.startswith("/bigfile"):
            # The same bytes from a file, by sendfile(2), as nginx serves a download:
            # the server then costs next to no CPU.
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            self.wfile.flush()
            with open(big_file(), "rb") as f:
                self.connection.sendfile(f)
            return
        if self.path.startswith("/big"):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            left = BIG
            while left:
                n = min(left, len(CHUNK))
                self.wfile.write(CHUNK[:n])
                left -= n
        else:
            body = b'{"ok":true,"user":"alice"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


def run(cmd, env=None, stdin=None):
    """Runs cmd; returns (seconds, peak RSS in KiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE if stdin else None, env=env)
    out, err = proc.communicate(stdin)
    elapsed = time.perf_counter() - start
    # wait4 already reaped it; ru_maxrss of this child is read via /proc-less rusage below.
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {err.decode()[:500]}")
    return elapsed, out


def timed_rss(cmd):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss


def timed_cpu(cmd):
    """Like timed_rss, with the child's system and user CPU seconds too."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss, usage.ru_stime, usage.ru_utime


def downloads(base, token):
    """BIG bytes to /dev/null from three servers, outbound and curl alternately: this
    script's in-memory writer (1 MiB writes), the same bytes by sendfile(2), and Python's
    stock file server (`python3 -m http.server`, 64 KiB writes: the issue's setup)."""
    rows = []
    runs = int(os.environ.get("BENCH_BIG_RUNS", "15"))
    gib = BIG / (1 << 30)
    d = os.path.dirname(big_file())
    name = os.path.basename(big_file())
    stock = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "0"], cwd=d,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = stock.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (...) ..."
        port = line.split(" port ")[1].split()[0]
        servers = [("in-memory writer", f"{base}/big"), ("sendfile", f"{base}/bigfile"),
                   ("`python3 -m http.server`", f"http://127.0.0.1:{port}/{name}")]
        for label, url in servers:
            ours, theirs = [], []
            for _ in range(runs):
                ours.append(timed_cpu([OUTBOUND, "curl", "-s", "-o", "/dev/null", "bench", url]))
                theirs.append(timed_cpu(["curl", "-s", "-o", "/dev/null", "-H", f"Authorization: Bearer {token}", url]))
            o = statistics.median(r[0] for r in ours)
            c = statistics.median(r[0] for r in theirs)
            o_sys = statistics.median(r[2] for r in ours) / gib
            c_sys = statistics.median(r[2] for r in theirs) / gib
            rows.append((f"`outbound curl -o /dev/null` {gib:g} GiB, {label}", o * 1000, "`curl -o /dev/null`", c * 1000,
                         f"{c / o:.2f}x throughput; system CPU {o_sys:.2f} vs {c_sys:.2f} s/GiB", "throughput >= 0.9x"))
            if label == "in-memory writer":
                o_rss = max(r[1] for r in ours) / 1024
                c_rss = max(r[1] for r in theirs) / 1024
                rows.append((f"peak RSS, {gib:g} GiB download", o_rss, "curl's peak RSS", c_rss, f"{o_rss:.1f} MB vs {c_rss:.1f} MB", "<= 30 MB"))
    finally:
        stock.terminate()
        stock.wait()
    return rows


def median_ms(cmd, stdin=None, runs=RUNS):
    times = [run(cmd, stdin=stdin)[0] for _ in range(runs)]
    return statistics.median(times) * 1000


def hyperfine_times(cmd, runs):
    """Wall times (seconds) of `runs` runs of cmd, measured by hyperfine without a shell
    (-N): no interpreter overhead is added to either side of a comparison, which would
    pull every ratio towards 1."""
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        subprocess.run(["hyperfine", "-N", "--runs", str(runs), "--warmup", "2", "--export-json", f.name,
                        "--style", "none", "--", " ".join(shlex.quote(c) for c in cmd)],
                       check=True, stdout=subprocess.DEVNULL)
        return json.load(open(f.name))["results"][0]["times"]


def paired_ms(a, b, runs=RUNS):
    """Medians of a and b, in alternating batches of 10 (drift in the machine's load
    hits both alike), each timed by hyperfine."""
    ta, tb = [], []
    for _ in range(max(1, runs // 10)):
        ta.extend(hyperfine_times(a, 10))
        tb.extend(hyperfine_times(b, 10))
    return statistics.median(ta) * 1000, statistics.median(tb) * 1000


def outbound(*args, stdin=None):
    return run([OUTBOUND, *args], stdin=stdin)[1].decode()


def many_apps():
    """`outbound app list --json` over a configuration file of 10,000 apps."""
    import tempfile
    n = int(os.environ.get("BENCH_APPS", "10000"))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "apps.toml")
        with open(path, "w") as f:
            for i in range(n):
                f.write(f'[apps.app{i}]\nid = "{i:032x}"\nclient_id = "client-{i}"\nclient_auth = "none"\n'
                        f'grant = "client_credentials"\ntoken_url = "https://auth{i % 50}.example/token"\n'
                        f'scopes = ["read", "write"]\nallowed_hosts = ["api{i % 50}.example"]\n\n')
        cmd = [OUTBOUND, "--config", path, "app", "list", "--json"]
        out = run(cmd)[1]
        assert len(json.loads(out)) == n
        t = median_ms(cmd, runs=5)
    return [(f"`outbound app list --json`, {n:,} apps", t, "-", 0.0, f"{t / n * 1000:.1f} µs per app", "(figure)")]


def concurrency():
    """50 `outbound curl` processes across an expiry: refreshes at the server, wall time."""
    issuer = os.environ.get("SHORT_ISSUER")
    log = os.environ.get("SHORT_LOG")
    if not issuer or not log:
        return []
    n = int(os.environ.get("BENCH_PROCS", "50"))
    outbound("app", "add", "conc", "--issuer", issuer, "--client-id", "native-app", "--client-secret-stdin",
             "--scope", "openid", "--allowed-host", "127.0.0.1:*", stdin=b"native-secret")
    env = dict(os.environ, BROWSER=os.environ["HTTP_BROWSER"])
    subprocess.run([OUTBOUND, "authorize", "conc", "--yes"], env=env, check=True, capture_output=True)
    time.sleep(2.3)  # past the 2 s access-token lifetime
    before = open(log).read().count("TOKEN grant_type=refresh_token")
    start = time.perf_counter()
    procs = [subprocess.Popen([OUTBOUND, "curl", "-sS", "conc", f"{issuer}/me"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(n)]
    ok = sum(1 for p in procs if p.wait() == 0 and b"sub" in p.stdout.read())
    wall = (time.perf_counter() - start) * 1000
    time.sleep(0.3)
    refreshes = open(log).read().count("TOKEN grant_type=refresh_token") - before
    return [(f"{n} concurrent `outbound curl` across an expiry", wall, "-", 0.0,
             f"{refreshes} refresh at the server, {ok}/{n} succeeded", "1 refresh, all succeed")]


def https(token):
    """The same requests over TLS (what real APIs use), against a loopback server with a
    private CA: `outbound curl` with the app's --ca-file vs `curl --cacert`. The CA and
    the server's key live in a directory removed afterwards."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        return https_in(token, d)


def https_in(token, d):
    import ssl
    ca, ca_key, key, csr, cert, ext = (os.path.join(d, n) for n in ("ca.pem", "ca.key", "srv.key", "srv.csr", "srv.pem", "ext"))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    quiet = dict(check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "1", "-subj", "/CN=bench CA"], **quiet)
    subprocess.run(["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"], **quiet)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-out", cert, "-days", "1", "-extfile", ext], **quiet)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"https://127.0.0.1:{server.server_address[1]}"
    outbound("app", "edit", "bench", "--ca-file", ca)

    rows = []
    small = f"{base}/small"
    ours, theirs = paired_ms([OUTBOUND, "curl", "-s", "bench", small],
                             ["curl", "-s", "--cacert", ca, "-H", f"Authorization: Bearer {token}", small])
    rows.append(("`outbound curl` small response, https", ours, "`curl --cacert … -H 'Authorization: Bearer …'`", theirs, f"{ours / theirs:.2f}x", "(figure)"))
    big = f"{base}/big"
    ours, theirs = [], []
    for _ in range(int(os.environ.get("BENCH_TLS_BIG_RUNS", "5"))):
        ours.append(timed_rss([OUTBOUND, "curl", "-s", "-o", "/dev/null", "bench", big])[0])
        theirs.append(timed_rss(["curl", "-s", "-o", "/dev/null", "--cacert", ca, "-H", f"Authorization: Bearer {token}", big])[0])
    o, c = statistics.median(ours), statistics.median(theirs)
    rows.append((f"`outbound curl -o /dev/null` {BIG / (1 << 30):g} GiB, https", o * 1000, "`curl --cacert … -o /dev/null`", c * 1000,
                 f"{c / o:.2f}x throughput ({BIG / o / 1e6:.0f} vs {BIG / c / 1e6:.0f} MB/s)", "(figure)"))
    outbound("app", "edit", "bench", "--unset", "ca_file")
    server.shutdown()
    return rows


def agent(base, token):
    """The same small measures with the agent running (`outbound agent start`), then
    1,000 sequential `token` calls, 100 concurrent ones, and the agent's peak RSS."""
    outbound("agent", "start")
    try:
        status = json.loads(outbound("agent", "status", "--json"))
        rows = []
        t_ours, t_theirs = paired_ms([OUTBOUND, "token", "bench"],
                                     ["secret-tool", "lookup", "service", "bench", "username", "same-size"])
        rows.append(("`outbound token`, agent running", t_ours, "`secret-tool lookup`, same size", t_theirs,
                     f"{t_ours / t_theirs:.2f}x", "ratio <= 0.3"))
        small = f"{base}/small"
        c_ours, c_theirs = paired_ms([OUTBOUND, "curl", "-s", "bench", small],
                                     ["curl", "-s", "-H", f"Authorization: Bearer {token}", small])
        rows.append(("`outbound curl` small response, agent running", c_ours, "`curl -H 'Authorization: Bearer …'`",
                     c_theirs, f"{c_ours / c_theirs:.2f}x", "ratio <= 1.0"))
        n = int(os.environ.get("BENCH_SEQ", "1000"))
        loop = f"i=0; while [ $i -lt {n} ]; do {shlex.quote(OUTBOUND)} token bench >/dev/null || exit 1; i=$((i+1)); done"
        start = time.perf_counter()
        subprocess.run(["sh", "-c", loop], check=True)
        seq = (time.perf_counter() - start) * 1000
        rows.append((f"{n:,} sequential `outbound token`, agent running", seq, "-", 0.0,
                     f"{seq / n:.2f} ms per call", "(figure)"))
        m = int(os.environ.get("BENCH_CONC", "100"))
        start = time.perf_counter()
        procs = [subprocess.Popen([OUTBOUND, "token", "bench"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                 for _ in range(m)]
        ok = sum(1 for p in procs if p.wait() == 0 and p.stdout.read().strip() == token.encode())
        conc = (time.perf_counter() - start) * 1000
        rows.append((f"{m} concurrent `outbound token`, agent running", conc, "-", 0.0,
                     f"{ok}/{m} got the token", "all succeed"))
        hwm = 0.0
        with open(f"/proc/{status['pid']}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
        rows.append(("the agent's peak RSS, after all of the above", hwm, "-", 0.0, f"{hwm:.1f} MB", "(figure)"))
        return rows
    finally:
        outbound("agent", "stop")


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def proxy(base, token):
    """`outbound proxy` in front of the same server: a small GET and 1 GiB against
    direct `curl -H`, the proxy's peak RSS, and 200 SSE streams held through it."""
    proc = subprocess.Popen([OUTBOUND, "proxy", "bench", "--upstream", base], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        url = proc.stdout.readline().decode().strip()
        rows = []
        ours, theirs = paired_ms(["curl", "-s", f"{url}small"],
                                 ["curl", "-s", "-H", f"Authorization: Bearer {token}", f"{base}/small"])
        rows.append(("small GET through `outbound proxy`", ours, "`curl -H 'Authorization: Bearer …'` direct", theirs,
                     f"{ours / theirs:.2f}x", "ratio <= 1.3"))
        def cpu_s(pid):
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        big_runs = int(os.environ.get("BENCH_BIG_RUNS", "15")) // 3 or 1

        def big(path, label):
            """1 GiB from `path`, through the proxy and direct, in pairs."""
            cpu_before = cpu_s(proc.pid)
            p_times, d_times = [], []
            for _ in range(big_runs):
                p_times.append(timed_rss(["curl", "-s", "-o", "/dev/null", f"{url}{path}"])[0])
                d_times.append(timed_rss(["curl", "-s", "-o", "/dev/null", "-H", f"Authorization: Bearer {token}",
                                          f"{base}/{path}"])[0])
            p, d = statistics.median(p_times), statistics.median(d_times)
            cpu_per_gib = (cpu_s(proc.pid) - cpu_before) / big_runs / (BIG / (1 << 30))
            hwm = rss_mb(proc.pid, "VmHWM")
            rows.append((f"{BIG / (1 << 30):g} GiB through `outbound proxy`{label}", p * 1000, "`curl -o /dev/null` direct",
                         d * 1000, f"{d / p:.2f}x throughput, proxy peak RSS {hwm:.1f} MB, proxy CPU {cpu_per_gib:.2f} s per GiB",
                         ">= 0.8x at <= 40 MB"))

        big("big", "")
        # The same from an upstream that sends a file (sendfile(2)), as nginx does.
        big_file()
        big("bigfile", ", upstream sendfile(2)")
        n = int(os.environ.get("BENCH_SSE", "200"))
        secs = int(os.environ.get("BENCH_SSE_SECS", "60"))
        import http.client
        from urllib.parse import urlparse
        u = urlparse(url)
        events = [0] * n
        def listen(i):
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=secs + 30)
            conn.request("GET", f"{u.path}sse")
            resp = conn.getresponse()
            for line in resp:
                if line.startswith(b"data:"):
                    events[i] += 1
        threads = [threading.Thread(target=listen, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        time.sleep(5)
        start_rss = rss_mb(proc.pid)
        samples = [start_rss]
        for _ in range(max(1, (secs - 10) // 10)):
            time.sleep(10)
            samples.append(rss_mb(proc.pid))
        for t in threads:
            t.join(timeout=secs + 30)
        held = sum(1 for e in events if e >= secs)
        rows.append((f"{n} SSE streams through `outbound proxy` for {secs} s", max(samples), "-", 0.0,
                     f"{held}/{n} streams got all {secs} events; RSS {start_rss:.1f} -> {samples[-1]:.1f} MB "
                     f"(max {max(samples):.1f})", "flat memory"))
        return rows
    finally:
        proc.terminate()
        proc.wait()


def print_rows(rows):
    print(f"| measure | outbound (ms) | baseline | baseline (ms) | result | target |")
    print(f"|---|---|---|---|---|---|")
    for name, a, base_name, b, result, target in rows:
        print(f"| {name} | {a:.1f} | {base_name} | {b:.1f} | {result} | {target} |")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    outbound("app", "add", "bench", "--issuer", ISSUER, "--grant", "client_credentials",
             "--client-id", "cc-app", "--client-secret-stdin", "--scope", "api:read",
             "--allowed-host", "127.0.0.1:*", stdin=b"cc-secret")
    token = outbound("token", "bench").strip()
    subprocess.run(["secret-tool", "store", "--label=bench", "service", "bench", "username", "same-size"],
                   input=token.encode(), check=True)

    rows = []
    if os.environ.get("BENCH_ONLY") == "agent":
        rows.extend(agent(base, token))
        print_rows(rows)
        return
    if os.environ.get("BENCH_ONLY") == "download":
        rows.extend(downloads(base, token))
        print_rows(rows)
        return
    if os.environ.get("BENCH_ONLY") == "proxy":
        rows.extend(proxy(base, token))
        print_rows(rows)
        return
    t_ours, t_theirs = paired_ms([OUTBOUND, "token", "bench"],
                                 ["secret-tool", "lookup", "service", "bench", "username", "same-size"])
    rows.append(("`outbound token` (valid token in the Secret Service)", t_ours, "`secret-tool lookup`, same size", t_theirs, f"{t_ours / t_theirs:.2f}x", "ratio <= 1.0"))

    small = f"{base}/small"
    c_ours, c_theirs = paired_ms([OUTBOUND, "curl", "-s", "bench", small],
                                 ["curl", "-s", "-H", f"Authorization: Bearer {token}", small])
    rows.append(("`outbound curl` small response", c_ours, "`curl -H 'Authorization: Bearer …'`", c_theirs, f"{c_ours / c_theirs:.2f}x", "ratio <= 1.3"))
    script = f'curl -s -H "Authorization: Bearer $(secret-tool lookup service bench username same-size)" {small}'
    c_script = statistics.median(hyperfine_times(["sh", "-c", script], RUNS)) * 1000
    rows.append(("`outbound curl` small response", c_ours, "the same with the token from the keyring: `curl -H \"…$(secret-tool lookup …)\"`", c_script, f"{c_ours / c_script:.2f}x", "(context)"))

    rows.extend(downloads(base, token))
    rows.extend(https(token))
    rows.extend(agent(base, token))
    rows.extend(proxy(base, token))
    rows.extend(many_apps())
    rows.extend(concurrency())
    print_rows(rows)
    print(f"\nmedian of {RUNS} runs (small), {os.environ.get('BENCH_BIG_RUNS', '15')} runs (large), each pair run alternately; RSS rows are in MB")
    server.shutdown()


if __name__ == "__main__":
    main()
