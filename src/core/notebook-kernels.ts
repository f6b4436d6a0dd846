// Notebook kernels as idle evidence for the box's watchdog. A kernel busy training with nobody
// logged in is use; an idle kernel is not, though its last activity moves the start of the idle
// stretch (so the box stops the idle minutes after a kernel last did something, never sooner).
//
// The servers are found as `jupyter server list` finds them: the jpserver-*.json (Jupyter Server)
// and nbserver-*.json (classic Notebook) files in each user's Jupyter runtime directory, which hold
// the server's port (or, for `jupyter server --sock`, its unix socket), base URL and token. The
// check runs as root, so it looks in every home's runtime directory rather than running `jupyter`
// as one user, and in each directory a running process's JUPYTER_RUNTIME_DIR names. Each server is asked over its REST API on loopback or its socket (GET api/kernels,
// the token in the Authorization header, never in a URL or a log). A server that does not answer, refuses the token or answers nonsense counts for nothing:
// a crashed notebook must not keep a machine billing forever, as a broken GPU driver must not.
// Python reads the files and makes the requests, since every box that runs Jupyter has it.

/** Where the check looks for Jupyter's runtime files: each user's runtime directory (globs, colon-separated). */
export const JUPYTER_RUNTIME_DIRS = '/root/.local/share/jupyter/runtime:/home/*/.local/share/jupyter/runtime:/run/user/*/jupyter';

/** How long the check waits for one server's answer, in seconds. */
export const KERNEL_REQUEST_TIMEOUT_SECONDS = 3;

/**
 * The Python program (run as `python3 - NOW FILE…`) that prints `busy` when a kernel is busy, else
 * `active EPOCH` with the latest activity of an idle kernel, else nothing. Its own deadline keeps a
 * slow or hostile server from holding the check; files are read only when regular and small (a
 * FIFO planted in a runtime directory must not hang it); at most 32 servers are asked.
 */
export const KERNELS_PROGRAM = `import calendar, http.client, json, os, socket, ssl, stat, sys, time, urllib.request
start = time.monotonic()
class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__('localhost', timeout=timeout)
        self.unix_path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)
now = int(sys.argv[1])
busy, latest = False, None
def read(path):
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > 65536: return None
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    with os.fdopen(fd, 'rb') as f: return json.loads(f.read(65536))
def alive(pid):
    if not isinstance(pid, int) or pid <= 0: return True
    try: os.kill(pid, 0)
    except ProcessLookupError: return False
    except OSError: pass
    return True
def epoch(text):
    if not isinstance(text, str) or not (text.endswith('Z') or text.endswith('+00:00')): return None
    return calendar.timegm(time.strptime(text[:19], '%Y-%m-%dT%H:%M:%S'))
for path in sys.argv[2:34]:
    if busy or time.monotonic() - start > 20: break
    try:
        server = read(path)
        if not isinstance(server, dict) or not alive(server.get('pid')): continue
        port, base, token, sock = server.get('port'), server.get('base_url') or '/', server.get('token') or '', server.get('sock') or ''
        if not isinstance(base, str) or not isinstance(token, str) or not isinstance(sock, str): continue
        if not base.startswith('/') or any(c in base for c in '?#\\\\ \\r\\n') or any(not ' ' < c <= '~' for c in token): continue
        api = base.rstrip('/') + '/api/kernels'
        headers = {'Authorization': 'token ' + token} if token else {}
        if sock:
            # \`jupyter server --sock PATH\`: HTTP over that unix socket, if it is one (not a file planted to hang the check).
            if not sock.startswith('/') or not stat.S_ISSOCK(os.stat(sock).st_mode): continue
            connection = UnixHTTPConnection(sock, ${KERNEL_REQUEST_TIMEOUT_SECONDS})
            connection.request('GET', api, headers=headers)
            response = connection.getresponse()
            if response.status != 200: continue
            kernels = json.loads(response.read(1048576))
            connection.close()
        else:
            if not isinstance(port, int) or not 0 < port < 65536: continue
            scheme = 'https' if server.get('secure') else 'http'
            request = urllib.request.Request(scheme + '://127.0.0.1:' + str(port) + api, headers=headers)
            # Loopback, to the port the server wrote: its certificate names another host, if any.
            context = ssl._create_unverified_context() if scheme == 'https' else None
            with urllib.request.urlopen(request, timeout=${KERNEL_REQUEST_TIMEOUT_SECONDS}, context=context) as response:
                kernels = json.loads(response.read(1048576))
        for kernel in kernels if isinstance(kernels, list) else []:
            if not isinstance(kernel, dict): continue
            if kernel.get('execution_state') == 'busy': busy = True
            try: active = epoch(kernel.get('last_activity'))
            except ValueError: active = None
            if active is not None: latest = max(latest or 0, min(active, now))
    except Exception:
        continue
if busy: print('busy')
elif latest is not None: print('active %d' % latest)
`;

// A template literal, so `\${` below is bash's `${`.
/**
 * The check script's part (bash) that asks the notebook servers: sets `kernel_state` to the
 * program's answer (`busy`, `active EPOCH` or empty). Expects `$now`; skipped without python3 or
 * without a runtime file, so a box without Jupyter pays a glob and a builtin read of each
 * process's environment a minute (no process started).
 */
export const KERNELS_CHECK = `kernel_state=""
notebook_servers() {
  local IFS=$'\\n' dirs dir file environ entry
  local -a entries
  IFS=: read -r -a dirs <<< "\${CLOUDRIG_JUPYTER_RUNTIME_DIRS:-${JUPYTER_RUNTIME_DIRS}}"
  shopt -s nullglob
  for dir in "\${dirs[@]}"; do
    for file in $dir/jpserver-*.json $dir/nbserver-*.json; do printf '%s\\n' "$file"; done
  done
  # A server started with JUPYTER_RUNTIME_DIR set writes its file there instead: each running
  # process's environment names it (read as root, with builtins only; absolute paths, taken as
  # written, not as patterns).
  for environ in "\${CLOUDRIG_PROC_DIR:-/proc}"/[0-9]*/environ; do
    mapfile -d '' -t entries 2>/dev/null < "$environ" || continue
    for entry in "\${entries[@]}"; do
      [[ "$entry" == JUPYTER_RUNTIME_DIR=/* ]] || continue
      dir="\${entry#JUPYTER_RUNTIME_DIR=}"
      for file in "$dir"/jpserver-*.json "$dir"/nbserver-*.json; do printf '%s\\n' "$file"; done
    done
  done
  shopt -u nullglob
}
mapfile -t notebook_files < <(notebook_servers | sort -u)
if [ "\${#notebook_files[@]}" -gt 0 ] && command -v python3 >/dev/null 2>&1; then
  kernel_state="$(timeout 30 python3 - "$now" "\${notebook_files[@]}" 2>/dev/null <<'CLOUDRIG_KERNELS' | head -n 1
${KERNELS_PROGRAM}CLOUDRIG_KERNELS
)"
fi
kernel_active=""
[[ "$kernel_state" =~ ^active\\ ([0-9]+)$ ]] && kernel_active="\${BASH_REMATCH[1]}"
`;
