package deploycheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/config"
	"github.com/gubkin-news/newsbot/internal/metrics"
)

const root = "../.." // the repository, seen from this package

func read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func yamlDocs(t *testing.T, rel string) []any {
	t.Helper()
	docs, err := parseYAML(read(t, rel))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no document", rel)
	}
	return docs
}

// get walks maps by key and lists by decimal index.
func get(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...string) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func mapping(v any, path ...string) map[string]any {
	m, _ := get(v, path...).(map[string]any)
	return m
}

// defaults is the bot's configuration with only a token set.
func defaults(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Load(func(k string) string {
		if k == "TELEGRAM_TOKEN" {
			return "123456789:deploycheck"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// httpShutdown is how long the HTTP server may take after SIGTERM
// (internal/httpapi); a stop grace must exceed SHUTDOWN_TIMEOUT plus this.
const httpShutdown = 5 * time.Second

func minGrace(t *testing.T) time.Duration { return defaults(t).ShutdownTimeout + httpShutdown }

// checkEnvNames fails for a variable the bot does not read.
func checkEnvNames(t *testing.T, where string, names []string) {
	t.Helper()
	known := map[string]bool{}
	for _, n := range config.Names() {
		known[n], known[n+"_FILE"] = true, true
	}
	for _, n := range names {
		if !known[n] {
			t.Errorf("%s: %s is not a variable of newsbot (see go run ./cmd/newsbot -help)", where, n)
		}
	}
}

func mapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestEveryYAMLFileParses(t *testing.T) {
	n := 0
	err := filepath.WalkDir(filepath.Join(root, "deploy"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".yaml")) {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		yamlDocs(t, rel)
		n++
		return nil
	})
	if err != nil || n < 6 {
		t.Fatalf("walked deploy/: %d YAML files, %v", n, err)
	}
}

// ---- Dockerfile

type dockerInstr struct{ cmd, args string }

func dockerfile(t *testing.T) (stages [][]dockerInstr) {
	t.Helper()
	var logical []string
	cont := ""
	for _, l := range strings.Split(read(t, "deploy/Dockerfile"), "\n") {
		tl := strings.TrimSpace(l)
		if strings.HasPrefix(tl, "#") || (tl == "" && cont == "") {
			continue
		}
		if strings.HasSuffix(tl, "\\") {
			cont += strings.TrimSuffix(tl, "\\") + " "
			continue
		}
		logical, cont = append(logical, cont+tl), ""
	}
	for _, l := range logical {
		cmd, args, _ := strings.Cut(l, " ")
		in := dockerInstr{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("Dockerfile: %s before the first FROM", in.cmd)
			}
			continue
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	return stages
}

func TestDockerfile(t *testing.T) {
	stages := dockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a multi-stage build", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.Contains(build[0].args, "golang:") {
		t.Errorf("first stage is %q, want a golang image", build[0].args)
	}
	built := false
	for _, in := range build {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			built = true
			for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags="-s -w"`, "./cmd/newsbot", "--mount=type=cache"} {
				if !strings.Contains(in.args, want) {
					t.Errorf("the go build step lacks %s: %s", want, in.args)
				}
			}
		}
	}
	if !built {
		t.Error("no RUN ... go build in the first stage")
	}

	var user, health, entry, copied string
	env := map[string]string{}
	var exposed []string
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "HEALTHCHECK":
			health = in.args
		case "ENTRYPOINT":
			entry = in.args
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in.args)...)
		case "COPY":
			if f := strings.Fields(in.args); strings.HasPrefix(f[0], "--from=") {
				copied = f[len(f)-1]
			}
		case "ENV":
			for _, kv := range strings.Fields(in.args) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Errorf("ENV %s: use the KEY=value form", in.args)
				}
				env[k] = v
			}
		case "RUN":
			t.Errorf("RUN in the final stage: the final image has no shell (%s)", in.args)
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("final USER = %q, want a numeric non-root uid (Kubernetes' runAsNonRoot needs a number)", user)
	}
	if entry == "" || copied == "" || !strings.Contains(entry, `"`+copied+`"`) {
		t.Errorf("ENTRYPOINT %s does not run the copied binary %s", entry, copied)
	}
	checkEnvNames(t, "Dockerfile ENV", mapKeys(anyMap(env)))
	_, port, err := net.SplitHostPort(env["HTTP_ADDR"])
	if err != nil || !strings.HasPrefix(env["HTTP_ADDR"], "0.0.0.0:") {
		t.Errorf("ENV HTTP_ADDR=%q, want 0.0.0.0:<port> (a container must listen beyond loopback)", env["HTTP_ADDR"])
	}
	if !slices.Contains(exposed, port) && !slices.Contains(exposed, port+"/tcp") {
		t.Errorf("EXPOSE %v lacks the port of HTTP_ADDR %s", exposed, port)
	}
	switch {
	case health == "":
		t.Error("no HEALTHCHECK in the final stage (write HEALTHCHECK NONE if that is meant)")
	case strings.HasPrefix(health, "NONE"):
	case strings.Contains(health, "-healthcheck"):
		if !cmdHasFlag(t, "healthcheck") {
			t.Error("the HEALTHCHECK runs `newsbot -healthcheck`, but cmd/newsbot defines no -healthcheck flag")
		}
	case !strings.Contains(health, "/healthz"):
		t.Errorf("HEALTHCHECK %s does not probe /healthz", health)
	}
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// cmdHasFlag tells whether cmd/newsbot declares a flag by that name
// (a call like fs.Bool("healthcheck", ...)).
func cmdHasFlag(t *testing.T, name string) bool {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := filepath.Glob(filepath.Join(root, "cmd/newsbot/*.go"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range pkgs {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			lit, isLit := call.Args[0].(*ast.BasicLit)
			if ok && isLit && slices.Contains([]string{"Bool", "BoolVar", "String", "StringVar", "Func", "BoolFunc"}, sel.Sel.Name) && lit.Value == strconv.Quote(name) {
				found = true
			}
			if ok && len(call.Args) > 1 && strings.HasSuffix(sel.Sel.Name, "Var") {
				if lit, isLit := call.Args[1].(*ast.BasicLit); isLit && lit.Value == strconv.Quote(name) {
					found = true
				}
			}
			return true
		})
	}
	return found
}

// ---- docker compose and Redis

func TestCompose(t *testing.T) {
	c := yamlDocs(t, "deploy/docker-compose.yml")[0]
	bot, redis := mapping(c, "services", "newsbot"), mapping(c, "services", "redis")
	if bot == nil || redis == nil {
		t.Fatalf("services %v, want newsbot and redis", mapKeys(mapping(c, "services")))
	}

	ctx := filepath.Join(root, "deploy", str(bot, "build", "context"))
	if _, err := os.Stat(filepath.Join(ctx, "go.mod")); err != nil {
		t.Errorf("build context %q is not the repository root: %v", str(bot, "build", "context"), err)
	}
	if df := filepath.Join(ctx, str(bot, "build", "dockerfile")); filepath.Clean(df) != filepath.Join(root, "deploy/Dockerfile") {
		t.Errorf("build dockerfile %s, want deploy/Dockerfile", df)
	}
	if ef := get(bot, "env_file"); ef != ".env" && !slices.Equal(list(bot, "env_file"), []any{".env"}) {
		t.Errorf("env_file = %v, want .env", ef)
	}
	env := mapping(bot, "environment")
	if env == nil {
		t.Fatal("newsbot: environment must be a mapping")
	}
	checkEnvNames(t, "compose newsbot.environment", mapKeys(env))
	if str(env, "REDIS_URL") != "redis://redis:6379/0" || str(env, "HTTP_ADDR") != "0.0.0.0:8080" {
		t.Errorf("environment = %v, want REDIS_URL=redis://redis:6379/0 and HTTP_ADDR=0.0.0.0:8080", env)
	}
	for _, p := range list(bot, "ports") {
		if s, _ := p.(string); !strings.HasPrefix(s, "127.0.0.1:") {
			t.Errorf("port %v is published beyond the host's loopback", p)
		}
	}
	if len(list(bot, "ports")) == 0 {
		t.Error("newsbot publishes no port (127.0.0.1:8080:8080)")
	}
	if str(bot, "depends_on", "redis", "condition") != "service_healthy" {
		t.Errorf("newsbot.depends_on = %v, want redis: {condition: service_healthy}", get(bot, "depends_on"))
	}
	for name, s := range map[string]map[string]any{"newsbot": bot, "redis": redis} {
		if str(s, "restart") != "unless-stopped" {
			t.Errorf("%s.restart = %q, want unless-stopped", name, str(s, "restart"))
		}
	}
	if d, err := time.ParseDuration(str(bot, "stop_grace_period")); err != nil || d <= minGrace(t) {
		t.Errorf("newsbot.stop_grace_period = %q, want more than SHUTDOWN_TIMEOUT + %s = %s", str(bot, "stop_grace_period"), httpShutdown, minGrace(t))
	}

	if img := str(redis, "image"); !strings.HasPrefix(img, "redis:7") {
		t.Errorf("redis.image = %q, want redis:7-alpine", img)
	}
	if len(list(redis, "ports")) != 0 {
		t.Error("redis publishes a port: it has no password and must stay on the compose network")
	}
	cmd := fmt.Sprint(get(redis, "command"))
	mounted := ""
	dataVolume := ""
	for _, v := range list(redis, "volumes") {
		src, dst, _ := strings.Cut(fmt.Sprint(v), ":")
		dst, _, _ = strings.Cut(dst, ":")
		switch {
		case src == "./redis.conf":
			mounted = dst
		case dst == "/data":
			dataVolume = src
		}
	}
	if mounted == "" || !strings.Contains(cmd, "redis-server") || !strings.Contains(cmd, mounted) {
		t.Errorf("redis must run redis-server with ./redis.conf mounted: command %s, mounted at %q", cmd, mounted)
	}
	if _, ok := mapping(c, "volumes")[dataVolume]; !ok || dataVolume == "" {
		t.Errorf("redis' /data is %q, want a named volume declared under volumes:", dataVolume)
	}
	if hc := fmt.Sprint(get(redis, "healthcheck", "test")); !strings.Contains(hc, "redis-cli") || !strings.Contains(hc, "ping") {
		t.Errorf("redis healthcheck %s, want redis-cli ping", hc)
	}
	if !strings.Contains(read(t, "deploy/redis.conf"), "\ndir /data\n") {
		t.Error("redis.conf: dir is not /data, the volume's mount point")
	}
}

func TestRedisConf(t *testing.T) {
	conf := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(read(t, "deploy/redis.conf")))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, _ := strings.Cut(l, " ")
		k = strings.ToLower(k)
		if _, dup := conf[k]; dup {
			t.Errorf("redis.conf: %s is set twice", k)
		}
		conf[k] = strings.TrimSpace(v)
	}
	for k, want := range map[string]string{
		"appendonly":       "yes",
		"appendfsync":      "everysec",
		"maxmemory-policy": "noeviction", // the bot's state must never be evicted silently
	} {
		if conf[k] != want {
			t.Errorf("redis.conf: %s = %q, want %q", k, conf[k], want)
		}
	}
}

// ---- systemd

func TestSystemdUnit(t *testing.T) {
	unit := map[string]map[string][]string{}
	section := ""
	for i, l := range strings.Split(read(t, "deploy/newsbot.service"), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			section = l[1 : len(l)-1]
			unit[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(l, "=")
			if !ok || section == "" {
				t.Fatalf("newsbot.service:%d: %q", i+1, l)
			}
			unit[section][k] = append(unit[section][k], v)
		}
	}
	svc := unit["Service"]
	last := func(k string) string {
		if v := svc[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return "\x00unset"
	}
	for k, want := range map[string]string{
		"ExecStart": "/usr/local/bin/newsbot", "EnvironmentFile": "/etc/newsbot/env", "Restart": "on-failure",
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
		"ProtectKernelLogs": "yes", "ProtectControlGroups": "yes", "RestrictNamespaces": "yes",
		"LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "CapabilityBoundingSet": "",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
	} {
		if got := last(k); got != want {
			t.Errorf("[Service] %s=%q, want %q", k, strings.TrimPrefix(got, "\x00"), want)
		}
	}
	if !slices.Contains(svc["SystemCallFilter"], "@system-service") {
		t.Errorf("[Service] SystemCallFilter=%v lacks @system-service", svc["SystemCallFilter"])
	}
	if last("DynamicUser") != "yes" && (last("User") == "\x00unset" || last("User") == "root") {
		t.Error("[Service] neither DynamicUser=yes nor a non-root User=")
	}
	if last("RestartSec") == "\x00unset" {
		t.Error("[Service] RestartSec is not set")
	}
	if d, err := time.ParseDuration(strings.ReplaceAll(last("TimeoutStopSec"), "min", "m")); err != nil || d <= minGrace(t) {
		t.Errorf("[Service] TimeoutStopSec=%s, want more than SHUTDOWN_TIMEOUT + %s = %s", last("TimeoutStopSec"), httpShutdown, minGrace(t))
	}
	after := strings.Fields(strings.Join(unit["Unit"]["After"], " "))
	for _, want := range []string{"network-online.target", "redis-server.service"} {
		if !slices.Contains(after, want) {
			t.Errorf("[Unit] After=%v lacks %s", after, want)
		}
	}
	if len(unit["Install"]["WantedBy"]) == 0 {
		t.Error("[Install] WantedBy is not set")
	}
	var names []string
	for _, e := range svc["Environment"] {
		for _, kv := range strings.Fields(e) {
			k, _, _ := strings.Cut(strings.Trim(kv, `"`), "=")
			names = append(names, k)
		}
	}
	checkEnvNames(t, "newsbot.service Environment=", names)
}

// TestSystemdAnalyze runs systemd-analyze verify and its offline security
// review, when the tool is installed, on a copy whose ExecStart exists here.
func TestSystemdAnalyze(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("ExecStart=/usr/local/bin/newsbot", "ExecStart="+exe,
		"EnvironmentFile=/etc/newsbot/env", "EnvironmentFile="+envFile).Replace(read(t, "deploy/newsbot.service"))
	unit := filepath.Join(dir, "newsbot.service")
	if err := os.WriteFile(unit, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", unit).CombinedOutput()
	if err != nil || strings.Contains(string(out), "newsbot.service") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// Exposure at most 2.0 of 10 (the threshold is in tenths).
	out, err = exec.Command(tool, "security", "--offline=true", "--threshold=20", "--no-pager", unit).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: %v\n%s", err, out)
	}
	if i := strings.LastIndex(string(out), "Overall exposure level"); i >= 0 {
		t.Log(strings.TrimSpace(string(out[i:])))
	}
}

// ---- Kubernetes

type k8sObj struct {
	file string
	v    map[string]any
}

func k8sObjects(t *testing.T) map[string][]k8sObj {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "deploy/k8s/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no deploy/k8s/*.yaml: %v", err)
	}
	byKind := map[string][]k8sObj{}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		for _, d := range yamlDocs(t, rel) {
			m, _ := d.(map[string]any)
			if str(m, "apiVersion") == "" || str(m, "kind") == "" || str(m, "metadata", "name") == "" {
				t.Errorf("%s: a document without apiVersion, kind or metadata.name", rel)
				continue
			}
			byKind[str(m, "kind")] = append(byKind[str(m, "kind")], k8sObj{rel, m})
		}
	}
	return byKind
}

func one(t *testing.T, objs map[string][]k8sObj, kind string) map[string]any {
	t.Helper()
	if len(objs[kind]) != 1 {
		t.Fatalf("want one %s in deploy/k8s, have %d", kind, len(objs[kind]))
	}
	return objs[kind][0].v
}

func TestKubernetes(t *testing.T) {
	objs := k8sObjects(t)
	dep, svc := one(t, objs, "Deployment"), one(t, objs, "Service")
	cm, sec := one(t, objs, "ConfigMap"), one(t, objs, "Secret")

	ns := str(dep, "metadata", "namespace")
	for kind, l := range objs {
		for _, o := range l {
			if got := str(o.v, "metadata", "namespace"); kind != "Namespace" && got != ns {
				t.Errorf("%s: %s in namespace %q, the Deployment in %q", o.file, kind, got, ns)
			}
			if kind == "Namespace" && str(o.v, "metadata", "name") != ns {
				t.Errorf("%s: Namespace %q, the objects are in %q", o.file, str(o.v, "metadata", "name"), ns)
			}
		}
	}

	if r := get(dep, "spec", "replicas"); r != int64(2) {
		t.Errorf("replicas = %v, want 2 (the copies elect a leader through Redis)", r)
	}
	pod := mapping(dep, "spec", "template", "spec")
	podLabels := mapping(dep, "spec", "template", "metadata", "labels")
	for k, v := range mapping(dep, "spec", "selector", "matchLabels") {
		if podLabels[k] != v {
			t.Errorf("selector %s=%v does not match the pod's labels %v", k, v, podLabels)
		}
	}
	grace, _ := get(pod, "terminationGracePeriodSeconds").(int64)
	if time.Duration(grace)*time.Second <= minGrace(t) {
		t.Errorf("terminationGracePeriodSeconds = %d, want more than SHUTDOWN_TIMEOUT + %s = %s", grace, httpShutdown, minGrace(t))
	}
	if len(list(pod, "containers")) != 1 {
		t.Fatalf("want one container, have %d", len(list(pod, "containers")))
	}
	c := mapping(pod, "containers", "0")

	if get(pod, "securityContext", "runAsNonRoot") != true && get(c, "securityContext", "runAsNonRoot") != true {
		t.Error("runAsNonRoot is not true")
	}
	var dockerUser string
	for _, in := range dockerfile(t)[len(dockerfile(t))-1] {
		if in.cmd == "USER" {
			dockerUser, _, _ = strings.Cut(in.args, ":")
		}
	}
	if u := get(pod, "securityContext", "runAsUser"); u != nil && fmt.Sprint(u) != dockerUser {
		t.Errorf("runAsUser = %v, the image's USER is %s", u, dockerUser)
	}
	if get(c, "securityContext", "readOnlyRootFilesystem") != true || get(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("the container needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false")
	}
	if !slices.Equal(list(c, "securityContext", "capabilities", "drop"), []any{"ALL"}) {
		t.Errorf("capabilities.drop = %v, want [ALL]", get(c, "securityContext", "capabilities", "drop"))
	}
	if mapping(c, "resources", "requests") == nil || str(c, "resources", "limits", "memory") == "" {
		t.Error("resources: want requests and a memory limit")
	}

	env := map[string]string{}
	var envNames []string
	for _, e := range list(c, "env") {
		env[str(e, "name")] = str(e, "value")
		envNames = append(envNames, str(e, "name"))
	}
	checkEnvNames(t, "Deployment env", envNames)
	_, port, err := net.SplitHostPort(env["HTTP_ADDR"])
	if err != nil || !strings.HasPrefix(env["HTTP_ADDR"], "0.0.0.0:") {
		t.Fatalf("env HTTP_ADDR = %q, want 0.0.0.0:8080", env["HTTP_ADDR"])
	}
	portName := ""
	for _, p := range list(c, "ports") {
		if fmt.Sprint(get(p, "containerPort")) == port {
			portName = str(p, "name")
		}
	}
	if portName == "" {
		t.Errorf("no named containerPort %s (the port of HTTP_ADDR)", port)
	}
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
		p := mapping(c, probe, "httpGet")
		if str(p, "path") != path || (fmt.Sprint(get(p, "port")) != port && str(p, "port") != portName) {
			t.Errorf("%s = %v, want GET %s on port %s", probe, p, path, port)
		}
	}
	if p := mapping(c, "startupProbe", "httpGet"); p != nil && str(p, "path") != "/healthz" {
		t.Errorf("startupProbe = %v, want /healthz", p)
	}

	var refs []string
	for _, ef := range list(c, "envFrom") {
		refs = append(refs, str(ef, "configMapRef", "name")+str(ef, "secretRef", "name"))
	}
	for _, o := range []map[string]any{cm, sec} {
		if !slices.Contains(refs, str(o, "metadata", "name")) {
			t.Errorf("the container's envFrom %v does not load %s %s", refs, str(o, "kind"), str(o, "metadata", "name"))
		}
	}
	for _, part := range []string{"data", "stringData"} {
		for _, o := range []map[string]any{cm, sec} {
			for k, v := range mapping(o, part) {
				if _, ok := v.(string); !ok {
					t.Errorf("%s %s.%s = %v (%T): values must be strings, quote it", str(o, "kind"), part, k, v, v)
				}
			}
			checkEnvNames(t, str(o, "kind")+" "+part, mapKeys(mapping(o, part)))
		}
	}
	u := str(cm, "data", "REDIS_URL")
	if !regexp.MustCompile(`^(redis|rediss|redis-sentinel|redis-cluster)://`).MatchString(u) || strings.Contains(u, "127.0.0.1") || strings.Contains(u, "localhost") {
		t.Errorf("ConfigMap REDIS_URL = %q, want an external Redis", u)
	}
	if _, ok := mapping(sec, "stringData")["TELEGRAM_TOKEN"]; !ok {
		if _, ok := mapping(sec, "data")["TELEGRAM_TOKEN"]; !ok {
			t.Error("the Secret has no TELEGRAM_TOKEN")
		}
	}
	if _, ok := mapping(sec, "stringData")["PUBLISH_TOKEN"]; !ok {
		t.Error("the Secret has no PUBLISH_TOKEN")
	}

	if typ := str(svc, "spec", "type"); typ != "" && typ != "ClusterIP" {
		t.Errorf("Service type %s, want ClusterIP", typ)
	}
	for k, v := range mapping(svc, "spec", "selector") {
		if podLabels[k] != v {
			t.Errorf("Service selector %s=%v does not select the pods %v", k, v, podLabels)
		}
	}
	targets := false
	for _, p := range list(svc, "spec", "ports") {
		if tp := fmt.Sprint(get(p, "targetPort")); tp == portName || tp == port {
			targets = true
		}
	}
	if !targets {
		t.Errorf("no Service port targets the container's %s/%s", portName, port)
	}
	ann := mapping(svc, "metadata", "annotations")
	if str(ann, "prometheus.io/scrape") != "true" || str(ann, "prometheus.io/path") != "/metrics" || str(ann, "prometheus.io/port") != port {
		t.Errorf("Service annotations %v, want prometheus.io/scrape \"true\", path /metrics, port %s", ann, port)
	}
	for _, o := range objs["PodDisruptionBudget"] {
		for k, v := range mapping(o.v, "spec", "selector", "matchLabels") {
			if podLabels[k] != v {
				t.Errorf("%s: selector %s=%v does not select the pods", o.file, k, v)
			}
		}
	}
}

// ---- Grafana

// promMetric is one series name the dashboard may query, with its labels.
type promMetric struct {
	labels []string
	family string // the name in metrics.go (or the Go collector's family)
}

// knownMetrics reads internal/metrics/metrics.go (counter("x", help, labels...),
// gauge(...), histogram(name, help, buckets, labels...)) and adds the Go and
// process collectors' families from the registry itself.
func knownMetrics(t *testing.T) map[string]promMetric {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "internal/metrics/metrics.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]promMetric{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		id, isID := call.Fun.(*ast.Ident)
		if !isID || (id.Name != "counter" && id.Name != "gauge" && id.Name != "histogram") {
			return true
		}
		var lits []string
		for _, a := range call.Args {
			if l, ok := a.(*ast.BasicLit); ok && l.Kind == token.STRING {
				s, _ := strconv.Unquote(l.Value)
				lits = append(lits, s)
			} else {
				lits = append(lits, "")
			}
		}
		skip := 2
		if id.Name == "histogram" {
			skip = 3
		}
		if len(lits) < skip || lits[0] == "" {
			t.Fatalf("metrics.go: %s(...) without a literal name", id.Name)
		}
		labels := lits[skip:]
		if slices.Contains(labels, "") {
			t.Fatalf("metrics.go: %s(%q, ...) labels are not literals", id.Name, lits[0])
		}
		name := "newsbot_" + lits[0]
		if id.Name == "histogram" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				out[name+s] = promMetric{labels, name}
			}
		} else {
			out[name] = promMetric{labels, name}
		}
		return true
	})
	if len(out) < 10 {
		t.Fatalf("read only %d metrics from metrics.go", len(out))
	}
	fams, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range fams {
		var labels []string
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName())
			}
		}
		names := []string{fam.GetName()}
		if fam.GetType().String() == "HISTOGRAM" || fam.GetType().String() == "SUMMARY" {
			names = append(names, fam.GetName()+"_sum", fam.GetName()+"_count", fam.GetName()+"_bucket")
		}
		for _, n := range names {
			if _, ok := out[n]; !ok {
				out[n] = promMetric{labels, fam.GetName()}
			}
		}
	}
	return out
}

var (
	reMetric  = regexp.MustCompile(`\b(?:newsbot|go|process)_[a-zA-Z0-9_]+\b`)
	reBy      = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)
	reMatcher = regexp.MustCompile(`\{([^{}]*)\}`)
	reLabel   = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"`)
	reLegend  = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)
)

// targetLabels are added by Prometheus to every series.
var targetLabels = []string{"job", "instance"}

func checkQuery(t *testing.T, known map[string]promMetric, where, expr, legend string, used map[string]bool) {
	t.Helper()
	names := reMetric.FindAllString(expr, -1)
	if len(names) == 0 {
		t.Errorf("%s: %q queries no newsbot_, go_ or process_ metric", where, expr)
	}
	allowed := slices.Clone(targetLabels)
	for _, n := range names {
		m, ok := known[n]
		if !ok {
			t.Errorf("%s: %s is not a metric of newsbot (internal/metrics/metrics.go; counters end in _total, histograms are queried as _bucket/_sum/_count)", where, n)
			continue
		}
		used[m.family] = true
		allowed = append(allowed, m.labels...)
		if strings.HasSuffix(n, "_bucket") {
			allowed = append(allowed, "le")
		}
	}
	var labels []string
	for _, b := range reBy.FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(b[1], ",") {
			labels = append(labels, strings.TrimSpace(l))
		}
	}
	for _, b := range reMatcher.FindAllStringSubmatch(expr, -1) {
		for _, l := range reLabel.FindAllStringSubmatch(b[1], -1) {
			labels = append(labels, l[1])
		}
	}
	for _, l := range reLegend.FindAllStringSubmatch(legend, -1) {
		labels = append(labels, l[1])
	}
	for _, l := range labels {
		if l != "" && !slices.Contains(allowed, l) {
			t.Errorf("%s: label %q is not a label of %v (%v)", where, l, names, allowed)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	var d map[string]any
	if err := json.Unmarshal([]byte(read(t, "deploy/grafana-dashboard.json")), &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if v, _ := d["schemaVersion"].(float64); v < 36 {
		t.Errorf("schemaVersion = %v, want 36 or later", d["schemaVersion"])
	}
	input := false
	for _, in := range list(d, "__inputs") {
		input = input || (str(in, "name") == "DS_PROMETHEUS" && str(in, "pluginId") == "prometheus")
	}
	if !input {
		t.Error("no DS_PROMETHEUS datasource in __inputs")
	}
	known := knownMetrics(t)
	used := map[string]bool{}
	checkDS := func(where string, ds any) {
		if str(ds, "uid") != "${DS_PROMETHEUS}" {
			t.Errorf("%s: datasource %v, want uid ${DS_PROMETHEUS}", where, ds)
		}
	}

	var panels []any
	for _, p := range list(d, "panels") {
		panels = append(panels, p)
		panels = append(panels, list(p, "panels")...) // collapsed rows
	}
	ids := map[float64]bool{}
	type rect struct{ x, y, w, h float64 }
	var rects []rect
	queries := 0
	for _, p := range panels {
		title := fmt.Sprintf("panel %q", str(p, "title"))
		id, _ := get(p, "id").(float64)
		if ids[id] {
			t.Errorf("%s: id %v is used twice", title, id)
		}
		ids[id] = true
		g := mapping(p, "gridPos")
		r := rect{}
		r.x, _ = g["x"].(float64)
		r.y, _ = g["y"].(float64)
		r.w, _ = g["w"].(float64)
		r.h, _ = g["h"].(float64)
		if r.w <= 0 || r.h <= 0 || r.x+r.w > 24 {
			t.Errorf("%s: gridPos %v", title, g)
		}
		for _, o := range rects {
			if r.x < o.x+o.w && o.x < r.x+r.w && r.y < o.y+o.h && o.y < r.y+r.h {
				t.Errorf("%s: gridPos %v overlaps another panel", title, g)
			}
		}
		rects = append(rects, r)
		if str(p, "type") == "row" {
			continue
		}
		checkDS(title, get(p, "datasource"))
		if len(list(p, "targets")) == 0 {
			t.Errorf("%s has no query", title)
		}
		for _, tg := range list(p, "targets") {
			checkDS(title, get(tg, "datasource"))
			checkQuery(t, known, title, str(tg, "expr"), str(tg, "legendFormat"), used)
			queries++
		}
	}
	for _, v := range list(d, "templating", "list") {
		if str(v, "type") != "query" {
			continue
		}
		checkDS("variable "+str(v, "name"), get(v, "datasource"))
		q := str(v, "query", "query")
		if q == "" {
			q = str(v, "query")
		}
		checkQuery(t, known, "variable "+str(v, "name"), q, "", map[string]bool{})
		if m := regexp.MustCompile(`label_values\(.*,\s*([a-z_]+)\)`).FindStringSubmatch(q); m == nil || !slices.Contains(targetLabels, m[1]) {
			t.Errorf("variable %s: %q should list job or instance", str(v, "name"), q)
		}
	}
	// Every metric of newsbot has a panel: a new metric needs one too.
	for name, m := range known {
		if strings.HasPrefix(name, "newsbot_") && !used[m.family] {
			t.Errorf("no panel queries %s (add one to deploy/grafana-dashboard.json)", m.family)
			used[m.family] = true
		}
	}
	t.Logf("%d panels, %d queries", len(panels), queries)
}
