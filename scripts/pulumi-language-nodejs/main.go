// pulumi-language-nodejs: a small Node.js language host for the Pulumi engine.
//
// Why this exists: the official language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that is not tagged, and the Go module proxy
// reachable from offline build machines refuses its pseudo-versions, while the CLI (pkg/v3) and the SDK (sdk/v3)
// modules are served. The language host's contract is small and stable: the engine starts it with the engine
// address, it prints the port of a LanguageRuntime gRPC server, and for each RPC it runs one of the entry points that
// ship inside the program's own @pulumi/pulumi npm package (cmd/run, cmd/run-policy-pack, cmd/run-plugin). This
// program implements exactly that contract on top of sdk/v3, so everything that matters (the engine, the Node.js
// SDK, the policy runtime) is still Pulumi's own code. scripts/setup.sh only builds it when no official
// `pulumi-language-nodejs` is on PATH.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is stamped by the build (-ldflags "-X main.version=...") so `pulumi about` reports what was built.
var version = "3.0.0-dev"

// exitCodeAlreadyReported is what @pulumi/pulumi/cmd/run exits with after it has logged a user-actionable error
// itself; the engine is then told to bail without printing a second, vaguer message.
const exitCodeAlreadyReported = 32

func main() {
	// The engine passes flags such as -tracing and -root before the engine address; accept and ignore the ones this
	// host has no use for so that a newer engine never makes it fail to start.
	flag.String("tracing", "", "tracing endpoint (ignored)")
	flag.String("root", "", "project root (ignored; the engine also sends it in every request)")
	flag.Bool("typescript", true, "deprecated; use the runtime option `typescript` in Pulumi.yaml")
	flag.Parse()
	engineAddress := ""
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs: could not find `node` on PATH; install Node.js 18 or newer")
		os.Exit(1)
	}

	h := &host{node: nodeBin, engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine starts plugins in process groups of their own, so a `pulumi` killed with SIGKILL takes none of them
	// along. Like the official hosts, watch the engine and leave when it is gone, taking running programs with us.
	if engineAddress != "" {
		ctx, gone := context.WithCancel(context.Background())
		if err := rpcutil.Healthcheck(ctx, engineAddress, 2*time.Second, gone); err == nil {
			go func() {
				<-ctx.Done()
				h.killAll()
				os.Exit(0)
			}()
		}
	}
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	node          string
	engineAddress string

	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

// resolveModule finds an entry point inside the @pulumi/pulumi package that the program itself depends on, so the
// SDK version that runs is always the program's own. It looks the file up as Node.js would (lookupModule), and asks
// Node.js itself only when that finds nothing: a `node -e require.resolve(...)` costs about 0.2 s of CPU, on the path
// of every preview, up and policy pack.
func (h *host) resolveModule(dir, module string) (string, error) {
	if path, ok := lookupModule(dir, module); ok {
		return path, nil
	}
	cmd := exec.Command(h.node, "-e", fmt.Sprintf("console.log(require.resolve(%q))", module))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s; run `npm install` there first", module, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

// lookupModule resolves "@scope/name/sub/path" from dir the way Node.js's require.resolve does for a package without
// an "exports" map: the nearest node_modules/@scope/name at or above dir, then sub/path.js or sub/path/index.js, with
// symbolic links resolved. It gives up (false) on anything else (an "exports" map, a missing file, Yarn PnP,
// NODE_PATH), and the caller then asks Node.js.
func lookupModule(dir, module string) (string, bool) {
	parts := strings.SplitN(module, "/", 3)
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "@") {
		return "", false
	}
	pkg, sub := parts[0]+"/"+parts[1], parts[2]
	for d := dir; ; d = filepath.Dir(d) {
		root := filepath.Join(d, "node_modules", filepath.FromSlash(pkg))
		if manifest, err := readPackageJSON(filepath.Join(root, "package.json")); err == nil {
			if manifest.Exports != nil {
				return "", false
			}
			for _, candidate := range []string{filepath.FromSlash(sub) + ".js", filepath.Join(filepath.FromSlash(sub), "index.js")} {
				if info, err := os.Stat(filepath.Join(root, candidate)); err == nil && info.Mode().IsRegular() {
					real, err := filepath.EvalSymlinks(filepath.Join(root, candidate))
					return real, err == nil
				}
			}
			return "", false
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return fallback
}

// packageRoot is the nearest directory at or above dir with a package.json: with `main: stacks/index.ts` the
// program directory is stacks/, but dependencies live with the project's package.json.
func packageRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func optionString(info *pulumirpc.ProgramInfo, key string) (string, bool) {
	if info == nil || info.GetOptions() == nil {
		return "", false
	}
	v, ok := info.GetOptions().GetFields()[key]
	if !ok {
		return "", false
	}
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return k.StringValue, true
	case *structpb.Value_BoolValue:
		return fmt.Sprint(k.BoolValue), true
	case *structpb.Value_NumberValue:
		return fmt.Sprint(k.NumberValue), true
	}
	return "", false
}

// runtimeEnv maps Pulumi.yaml runtime options to the environment variables that @pulumi/pulumi/cmd/run reads.
func runtimeEnv(info *pulumirpc.ProgramInfo) []string {
	typescript := "true"
	if v, ok := optionString(info, "typescript"); ok {
		typescript = v
	}
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + typescript}
	if v, ok := optionString(info, "tsconfig"); ok && v != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+v)
	}
	return env
}

func nodeArgs(info *pulumirpc.ProgramInfo) []string {
	if v, ok := optionString(info, "nodeargs"); ok && v != "" {
		return strings.Fields(v)
	}
	return nil
}

func (h *host) track(cmd *exec.Cmd, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running == nil {
		h.running = map[*exec.Cmd]struct{}{}
	}
	if add {
		h.running[cmd] = struct{}{}
	} else {
		delete(h.running, cmd)
	}
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	runPath, err := h.resolveModule(dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return nil, err
	}

	args := append(nodeArgs(req.GetInfo()), runPath)
	flagIf := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIf("monitor", req.GetMonitorAddress())
	flagIf("engine", h.engineAddress)
	flagIf("organization", req.GetOrganization())
	flagIf("project", req.GetProject())
	flagIf("stack", req.GetStack())
	flagIf("pwd", req.GetPwd())
	if req.GetInfo() != nil {
		flagIf("root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		flagIf("parallel", fmt.Sprint(req.GetParallel()))
	}
	entry := "."
	if req.GetInfo() != nil && req.GetInfo().GetEntryPoint() != "" {
		entry = req.GetInfo().GetEntryPoint()
	}
	args = append(args, filepath.Join(dir, entry))
	args = append(args, req.GetArgs()...)

	// A stack without config sends a nil map, which would marshal to "null" and crash the SDK's config parser
	// instead of giving the user its "missing required configuration variable" message.
	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{}
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}

	cmd := exec.Command(h.node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), runtimeEnv(req.GetInfo())...)
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("could not start node: %w", err)
	}
	h.track(cmd, true)
	err = cmd.Wait()
	h.track(cmd, false)

	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program: %v", err)}, nil
	}
}

// killAll ends every program and plugin this host started, at once.
func (h *host) killAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	}
}

// Cancel forwards the engine's cancellation to running programs as SIGINT, which the Node.js SDK handles gracefully.
func (h *host) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(syscall.SIGINT)
		}
	}
	return &emptypb.Empty{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	// Exports is only looked at for presence: a package with an "exports" map is resolved by Node.js itself.
	Exports json.RawMessage `json:"exports"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// installedPackages lists the packages directly under node_modules (scoped ones included), which is where npm puts
// every provider SDK a program can import.
func installedPackages(dir string) []*packageJSON {
	var out []*packageJSON
	root := filepath.Join(dir, "node_modules")
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		names := []string{e.Name()}
		if strings.HasPrefix(e.Name(), "@") {
			scoped, _ := os.ReadDir(filepath.Join(root, e.Name()))
			names = names[:0]
			for _, s := range scoped {
				names = append(names, filepath.Join(e.Name(), s.Name()))
			}
		}
		for _, n := range names {
			if p, err := readPackageJSON(filepath.Join(root, n, "package.json")); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// GetRequiredPlugins reports the resource plugins of the provider SDKs the program has installed, named and
// versioned the same way the official host does, so the engine can load them ahead of time.
func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var plugins []*pulumirpc.PluginDependency
	for _, p := range installedPackages(packageRoot(programDir(req.GetInfo(), req.GetProgram()))) {
		if !p.Pulumi.Resource {
			continue
		}
		name := p.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(strings.TrimPrefix(p.Name, "@pulumi/"), "@")
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		if v != "" && !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{Name: name, Kind: "resource", Version: v, Server: p.Pulumi.Server})
	}
	sort.Slice(plugins, func(i, j int) bool { return plugins[i].Name < plugins[j].Name })
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := packageRoot(programDir(req.GetInfo(), req.GetProgram()))
	manifest, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the program's package.json: %w", err)
	}
	installed := map[string]string{}
	for _, p := range installedPackages(dir) {
		installed[p.Name] = p.Version
	}
	var deps []*pulumirpc.DependencyInfo
	for name := range manifest.Dependencies {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: installed[name]})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command(h.node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: h.node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// streamWriter turns a child's stdout or stderr into RunPlugin/InstallDependencies stream messages.
type streamWriter struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.send(bytes.Clone(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// RunPlugin runs a plugin written in Node.js: a policy pack (kind "analyzer") or a component provider.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	dir := programDir(req.GetInfo(), req.GetProgram())
	var module string
	var args []string
	switch req.GetKind() {
	case "analyzer":
		module = "@pulumi/pulumi/cmd/run-policy-pack"
		args = append(args, req.GetArgs()...)
		args = append(args, dir)
	default:
		module = "@pulumi/pulumi/cmd/run-plugin"
		args = append(args, dir)
		args = append(args, req.GetArgs()...)
	}
	entry, err := h.resolveModule(dir, module)
	if err != nil {
		return err
	}

	cmd := exec.Command(h.node, append(append(nodeArgs(req.GetInfo()), entry), args...)...)
	// A policy pack runs in its own directory, as with the official host: @pulumi/policy reads the pack's version
	// from ./package.json, and ts-node finds the pack's tsconfig.json there. Other plugins run in the engine's pwd.
	cmd.Dir = req.GetPwd()
	if req.GetKind() == "analyzer" {
		cmd.Dir = dir
	}
	cmd.Env = append(append(os.Environ(), runtimeEnv(req.GetInfo())...), req.GetEnv()...)
	var mu sync.Mutex
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	h.track(cmd, true)
	defer h.track(cmd, false)
	// The engine ends a plugin by cancelling the stream; take the child down with it.
	go func() {
		<-server.Context().Done()
		if cmd.ProcessState == nil && cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	}()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// InstallDependencies runs `npm install` in the program directory (`pulumi install`, policy packs).
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	cmd := exec.Command("npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	var mu sync.Mutex
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	if err := cmd.Run(); err != nil {
		return status.Errorf(codes.Unknown, "npm install in %s failed: %v", dir, err)
	}
	return nil
}

var _ io.Writer = streamWriter{}
