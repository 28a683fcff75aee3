// Command smoke runs each function's Lambda bootstrap under the AWS Lambda Runtime
// Interface Emulator (aws-lambda-rie), against an embedded DynamoDB and a fake WeChat
// API in this process, sends it the sample events of events/ and checks the answers.
// It prints, per function, the bootstrap's size and its cold start: the time from
// starting the emulator to the first answer.
//
//	go run ./infra/smoke -build -bin bin/amd64     build for this machine, then run
//	go run ./infra/smoke -bin bin/amd64            run bootstraps built before
//	go run ./infra/smoke -build-only -goarch arm64 -bin bin/arm64
//	                                               build for deployment, run nothing
//	go run ./infra/smoke -sign events/wechat/verify.json
//	                                               print the event freshly signed
//
// The functions get the environment events/env.json gives them (SAM's --env-vars
// format), with DYNAMODB_ENDPOINT and WECHAT_API_BASE pointing at this process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("smoke: ")
	if err := run(); err != nil {
		log.Printf("FAIL: %v", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		bin       = flag.String("bin", "", "the bootstraps are `DIR`/<function>/bootstrap")
		build     = flag.Bool("build", false, "build the bootstraps into -bin first")
		buildOnly = flag.Bool("build-only", false, "build the bootstraps into -bin, and run nothing")
		goarch    = flag.String("goarch", runtime.GOARCH, "GOARCH of the builds; the smoke test runs this machine's own")
		sign      = flag.String("sign", "", "print the sample event `FILE` with a fresh WeChat signature, and run nothing")
		timeout   = flag.Duration("timeout", 2*time.Minute, "time allowed for the smoke run, building not included")
		verbose   = flag.Bool("v", false, "show the emulators' and functions' logs as they run")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	p, err := loadProject()
	if err != nil {
		return err
	}
	if *sign != "" {
		return printSigned(os.Stdout, p, *sign, time.Now())
	}
	if *bin == "" {
		return errors.New("-bin DIR is required (see -h)")
	}
	if *build || *buildOnly {
		bctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		err := buildAll(bctx, p.Root, *bin, *goarch)
		cancel()
		if err != nil || *buildOnly {
			return err
		}
	}
	if runtime.GOOS != "linux" || *goarch != runtime.GOARCH {
		return fmt.Errorf("the emulator runs linux/%s bootstraps on linux/%s only, not %s/%s", *goarch, *goarch, runtime.GOOS, runtime.GOARCH)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	return smoke(ctx, p, *bin, *verbose)
}

// result is what the smoke test measured of one function.
type result struct {
	Function  string
	Bootstrap string
	Size      int64
	ColdStart time.Duration // from starting the emulator to the first answer
	Init      time.Duration // the bootstrap's init phase, as the emulator logged it
	Passed    int
	Events    int
	Packages  int // packages linked, the standard library's not counted
	Own       int // of which this repository's
}

func smoke(ctx context.Context, p *project, bin string, verbose bool) error {
	rie, err := findRIE(ctx)
	if err != nil {
		return err
	}
	for _, fn := range p.Functions {
		if _, err := os.Stat(filepath.Join(bin, fn.Dir, "bootstrap")); err != nil {
			return fmt.Errorf("%s: %w; build the bootstraps with -build", fn.LogicalID, err)
		}
	}
	table, err := p.Common("TABLE_NAME")
	if err != nil {
		return err
	}
	appID, err := p.Common("WECHAT_APP_ID")
	if err != nil {
		return err
	}
	appSecret, err := p.Common("WECHAT_APP_SECRET")
	if err != nil {
		return err
	}
	w, err := startWorld(ctx, table, appID, appSecret)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Printf("embedded DynamoDB at %s (table %s), fake WeChat API at %s\n", w.DynamoURL, table, w.WeChatURL)

	var results []result
	var failed []string
	for _, fn := range p.Functions {
		r, err := smokeFunction(ctx, p, w, rie, bin, fn, verbose)
		results = append(results, r)
		if err != nil {
			failed = append(failed, fn.LogicalID)
			fmt.Printf("%s: %v\n", fn.LogicalID, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Println()
	printResults(os.Stdout, results)
	if ctx.Err() != nil {
		return fmt.Errorf("smoke test did not finish: %w", ctx.Err())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d functions failed: %v", len(failed), len(p.Functions), failed)
	}
	fmt.Printf("\nsmoke: all %d functions answered every sample event as expected\n", len(results))
	return nil
}

// smokeFunction runs one function's bootstrap under the emulator and sends it each of
// its sample events; the emulator is stopped before it returns.
func smokeFunction(ctx context.Context, p *project, w *world, rie, bin string, fn function, verbose bool) (result, error) {
	bootstrap, err := filepath.Abs(filepath.Join(bin, fn.Dir, "bootstrap"))
	if err != nil {
		return result{}, err
	}
	r := result{Function: fn.LogicalID, Bootstrap: filepath.Join(bin, fn.Dir, "bootstrap")}
	if fi, err := os.Stat(bootstrap); err == nil {
		r.Size = fi.Size()
	}
	if pkgs, err := linkedPackages(ctx, p.Root, fn.Dir); err == nil {
		r.Packages, r.Own = len(pkgs), ownPackages(pkgs)
	}
	samples, err := p.samples(fn)
	if err != nil {
		return r, err
	}
	r.Events = len(samples)
	if len(samples) == 0 {
		return r, fmt.Errorf("no sample events in %s/%s", EventsDir, fn.Dir)
	}
	fmt.Printf("\n%s (%s)\n", fn.LogicalID, r.Bootstrap)

	vars := p.Env.For(fn.LogicalID)
	var logw io.Writer
	if verbose {
		logw = &prefixWriter{w: os.Stderr, prefix: "  | "}
	}
	em, err := startEmulator(rie, bootstrap, functionEnv(fn, vars, w), logw)
	if err != nil {
		return r, err
	}
	defer em.Stop()
	if err := em.WaitReady(ctx); err != nil {
		return r, fmt.Errorf("%w\n%s", err, em.Log.Tail(40))
	}

	var failures int
	for _, s := range samples {
		note, err := invokeSample(ctx, w, em, vars, s)
		if err != nil {
			failures++
			fmt.Printf("  FAIL %-34s %v\n", s.Name, err)
			continue
		}
		r.Passed++
		fmt.Printf("  ok   %-34s %s\n", s.Name, note)
	}
	em.Stop()  // so that its output is complete
	r.Events++ // the secrets it read count as one more check
	if err := checkSecretsRead(fn, w); err != nil {
		failures++
		fmt.Printf("  FAIL %-34s %v\n", "secrets read", err)
	} else {
		r.Passed++
		fmt.Printf("  ok   %-34s %d\n", "secrets read", len(w.Secrets.ReadBy(fn.LogicalID)))
	}
	if !em.FirstAnswer.IsZero() {
		r.ColdStart = em.FirstAnswer.Sub(em.Started)
	}
	r.Init, _ = em.InitDuration()
	if failures > 0 {
		return r, fmt.Errorf("%d of %d sample events failed; the emulator's log ends:\n%s", failures, len(samples), indent(em.Log.Tail(40)))
	}
	return r, nil
}

// invokeSample sends one sample event, freshened, and checks the answer.
func invokeSample(ctx context.Context, w *world, em *emulator, vars map[string]string, s sample) (string, error) {
	chk, ok := checks[s.Name]
	if !ok {
		return "", fmt.Errorf("no check for this event in infra/smoke's checks")
	}
	event, err := freshen(s.Body, vars["WECHAT_TOKEN"], time.Now())
	if err != nil {
		return "", err
	}
	if err := w.writeStreamImages(ctx, event); err != nil {
		return "", err
	}
	before := w.snapshot()
	start := time.Now()
	answer, err := em.Invoke(ctx, event)
	if err != nil {
		return "", err
	}
	took := time.Since(start)
	if fe := functionError(answer); fe != "" {
		return "", fmt.Errorf("the function failed: %s", fe)
	}
	note, err := chk(ctx, w, invocation{Event: event, Answer: answer, Before: before, Env: vars})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (%d ms)", note, took.Milliseconds()), nil
}

// functionEnv is the whole environment of the emulator, which passes it on to the
// function: the env.json values of the variables template.yaml declares for it (as SAM
// local passes them, so a function missing a variable it needs fails here as it would
// deployed), with DYNAMODB_ENDPOINT, WECHAT_API_BASE and S3_ENDPOINT pointing at the servers of w, and
// the variables Lambda itself sets. Nothing of this process's environment gets through
// but PATH.
func functionEnv(fn function, vars map[string]string, w *world) []string {
	env := map[string]string{}
	for _, k := range fn.Variables {
		if v, ok := vars[k]; ok {
			env[k] = v
		}
		// A secret's reference: the secret, with env.json's value, in the fake Secrets
		// Manager, which the function may read (and only it, as its IAM policy says)
		// at its cold start, as it would deployed.
		if s, ok := secretOf(k); ok {
			env[k] = secretName(s)
			w.Secrets.Put(env[k], vars[s])
			w.Secrets.Allow(fn.LogicalID, env[k])
		}
	}
	env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = w.SecretsURL
	env["DYNAMODB_ENDPOINT"] = w.DynamoURL
	if slices.Contains(fn.Variables, "WECHAT_API_BASE") {
		env["WECHAT_API_BASE"] = w.WeChatURL
	}
	if slices.Contains(fn.Variables, "S3_ENDPOINT") {
		env["S3_ENDPOINT"] = w.S3URL
	}
	// Lambda's own, which a function's configuration cannot override.
	env["PATH"] = os.Getenv("PATH")
	env["TZ"] = ":UTC"
	env["AWS_REGION"] = region
	env["AWS_DEFAULT_REGION"] = region
	env["AWS_ACCESS_KEY_ID"] = fn.LogicalID // the fake Secrets Manager tells the functions apart by it
	env["AWS_SECRET_ACCESS_KEY"] = "local"
	env["AWS_LAMBDA_FUNCTION_NAME"] = fn.LogicalID
	if fn.MemorySize > 0 {
		env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(fn.MemorySize)
	}
	if fn.Timeout > 0 {
		env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = strconv.Itoa(fn.Timeout)
	}
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// secretOf returns the secret variable a variable is the reference of (config.SecretRef).
func secretOf(variable string) (string, bool) {
	s, ok := strings.CutSuffix(variable, "_ARN")
	return s, ok && slices.Contains(config.Secrets, s)
}

// secretName is the name the smoke test gives a secret in its fake Secrets Manager.
func secretName(variable string) string { return "wentitong/local/" + variable }

// checkSecretsRead returns an error unless the function read from Secrets Manager
// exactly the secrets template.yaml gives it: what its code asked for, derived from
// the running bootstrap, against its references (and its policy, which grants exactly
// those: TestEachFunctionReadsOnlyItsSecrets).
func checkSecretsRead(fn function, w *world) error {
	var given []string
	for _, k := range fn.Variables {
		if s, ok := secretOf(k); ok {
			given = append(given, secretName(s))
		}
	}
	slices.Sort(given)
	read := w.Secrets.ReadBy(fn.LogicalID)
	if !slices.Equal(read, given) {
		return fmt.Errorf("it read the secrets %q, template.yaml gives it %q: a secret it is given and never reads is one it should not have", read, given)
	}
	return nil
}

// region is the AWS region the functions are told they run in, as in the sample events.
const region = "cn-northwest-1"

func printResults(out io.Writer, results []result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FUNCTION\tBOOTSTRAP BYTES\t\tPACKAGES (OURS)\tCOLD START\tOF WHICH INIT\tEVENTS OK")
	for _, r := range results {
		init := "-"
		if r.Init > 0 {
			init = fmt.Sprintf("%.1f ms", float64(r.Init.Microseconds())/1000)
		}
		fmt.Fprintf(tw, "%s\t%d\t(%.1f MiB)\t%d (%d)\t%d ms\t%s\t%d/%d\n",
			r.Function, r.Size, float64(r.Size)/(1<<20), r.Packages, r.Own, r.ColdStart.Milliseconds(), init, r.Passed, r.Events)
	}
	tw.Flush()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
