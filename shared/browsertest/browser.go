package browsertest

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var screenshots = flag.String("screenshots", "", "save a screenshot of each page Check measures, in both versions, into `DIR`")

// ScreenshotDir is the directory -screenshots names, or "" when none is asked for.
func ScreenshotDir() string { return *screenshots }

// Chromium returns the browser to drive: $CHROMIUM, or chromium on PATH (Debian's
// /usr/bin/chromium). Without one the test is skipped, or fails when CI=true.
func Chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("browsertest: Chromium is missing, and CI=true: .ci/run installs Debian's chromium and fonts-noto-cjk")
	}
	tb.Skip("browsertest: Chromium is not installed (apt-get install chromium fonts-noto-cjk); skipping the browser test")
	return ""
}

// Phone is the viewport the pages are measured at: 375×667 CSS px, as a phone.
const (
	PhoneWidth  = 375
	PhoneHeight = 667
)

// Browser is one headless Chromium with a fresh profile, on a phone-sized viewport.
type Browser struct {
	tb   testing.TB
	ctx  context.Context
	base string // the platform's URL

	// OneColumn asks Measure for 长辈版 in one column too, as the residents' pages are
	// (the staff console, used at a desk, is not held to it).
	OneColumn bool

	mu       sync.Mutex
	offences []string        // requests to another host, loads the page blocked, dialogs: Check fails on them
	allowed  map[string]bool // hosts besides base's a page may load from: the media bucket, as S3 is in AWS
}

// Browser starts a headless Chromium for the test (closed when it ends), with a fresh
// --user-data-dir, so no cookie or cache of another test is there.
func (p *Platform) Browser(tb testing.TB) *Browser {
	tb.Helper()
	b := NewBrowser(tb, p.URL)
	b.Allow(p.mediaHost) // the library's media play from presigned URLs of the bucket
	return b
}

// Allow lets pages load from host too.
func (b *Browser) Allow(host string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.allowed == nil {
		b.allowed = map[string]bool{}
	}
	b.allowed[host] = true
}

func (b *Browser) isAllowed(host string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.allowed[host]
}

// NewBrowser starts a headless Chromium on base (a server's URL).
func NewBrowser(tb testing.TB, base string) *Browser {
	tb.Helper()
	path := Chromium(tb)
	ctx, cancel := context.WithCancel(context.Background())
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, Flags(path, tb.TempDir())...)
	ctx, cancelTab := chromedp.NewContext(ctx)
	tb.Cleanup(func() { cancelTab(); cancelAlloc(); cancel() })
	b := &Browser{tb: tb, ctx: ctx, base: base}
	// The first call starts the browser and binds its life to its context: b.ctx, not a
	// call's time limit.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("browser: start %s: %v", path, err)
	}
	b.do("emulate a phone", chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	b.watch(ctx)
	tb.Cleanup(func() {
		for _, o := range b.Offences() {
			tb.Errorf("browser: %s", o)
		}
	})
	return b
}

// watch records what no page may do: load anything from a host other than the
// platform's (a script, a stylesheet, an image, a fetch: following a link or a redirect
// to another site is not loading from it), have a load blocked (by the CSP or
// otherwise), or open a dialog
// (alert, confirm, prompt: a pop-up, which 长辈版 rules out; it is dismissed).
func (b *Browser) watch(ctx context.Context) {
	self, err := url.Parse(b.base)
	if err != nil {
		b.tb.Fatalf("browser: base %q: %v", b.base, err)
	}
	offend := func(o string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.offences = append(b.offences, o)
	}
	dialogs := make(chan struct{}, 8)
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			// Going to another site (WeChat's authorisation) is not loading from it.
			if ev.Type == network.ResourceTypeDocument || hostOf(ev.DocumentURL) != self.Host {
				break
			}
			if u, err := url.Parse(ev.Request.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != self.Host && !b.isAllowed(u.Host) {
				offend("a page loaded " + ev.Request.URL + " from another host (from " + ev.DocumentURL + ")")
			}
		case *network.EventLoadingFailed:
			if ev.BlockedReason != "" {
				offend(fmt.Sprintf("a load was blocked (%s): %s", ev.BlockedReason, ev.ErrorText))
			}
		case *page.EventJavascriptDialogOpening:
			offend(fmt.Sprintf("%s opened a %s dialog: %q", ev.URL, ev.Type, ev.Message))
			select {
			case dialogs <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		b.tb.Fatalf("browser: listen: %v", err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-dialogs:
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
			}
		}
	}()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// Offences returns, and forgets, what the pages did since the last call that no page
// may do (see watch).
func (b *Browser) Offences() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	o := b.offences
	b.offences = nil
	return o
}

// Flags are the command line of the headless Chromium the tests and the benchmark
// drive: no sandbox (CI runs as root), no GPU, no QUIC, and nothing that calls home.
func Flags(path, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(userDataDir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserAgent("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"),
	}
}

// Patience is how long a step may wait for the page: long, because CI's race run
// shares two cores with the rest of the suite and a page then takes seconds to answer.
const Patience = 60 * time.Second

// Context is the browser's context, for chromedp actions the harness does not wrap.
func (b *Browser) Context() context.Context { return b.ctx }

// do runs actions with a time limit, failing the test on an error.
func (b *Browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Patience)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.tb.Fatalf("browser: %s: %v", what, err)
	}
}

// run runs one action with a value, with a time limit, failing the test on an error.
func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Patience)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.tb.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// Open loads a path of the platform ("/h5/") and waits for the page.
func (b *Browser) Open(path string) {
	b.tb.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// SignIn signs the browser in as openid through GET /_dev/login and lands on next.
func (b *Browser) SignIn(openid, next string) {
	b.tb.Helper()
	b.Open("/_dev/login?openid=" + url.QueryEscape(openid) + "&next=" + url.QueryEscape(next))
}

// Path is the current page's path and query.
func (b *Browser) Path() string {
	b.tb.Helper()
	loc := run(b, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.tb.Fatalf("browser: location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// Text is the visible text of the first element matching the CSS selector.
func (b *Browser) Text(css string) string {
	b.tb.Helper()
	return run(b, "text of "+css, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
}

// Has reports whether an element matches the CSS selector.
func (b *Browser) Has(css string) bool {
	b.tb.Helper()
	return run(b, "look for "+css, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", css)))
}

// Click clicks the first element matching the CSS selector, which leads to another
// page (a link, a form's button), and waits for that page to load. It returns the HTTP
// status of the page.
func (b *Browser) Click(css string) int64 {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Patience)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		b.tb.Fatalf("browser: click %s: %v", css, err)
	}
	if resp == nil {
		return 0
	}
	return resp.Status
}

// Tap clicks the first element matching the CSS selector, which changes the page
// without leaving it (a seat, a checkbox).
func (b *Browser) Tap(css string) {
	b.tb.Helper()
	// A page that redraws the element between the query and the click (a list filled
	// by a script) loses the node the click aimed at: look it up again.
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(b.ctx, Patience)
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		b.tb.Fatalf("browser: tap %s: %v", css, err)
	}
}

// Fill types value into the field matching the CSS selector (after clearing it), as
// a person types.
func (b *Browser) Fill(css, value string) {
	b.tb.Helper()
	b.do("clear "+css, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%q).value = ''", css)))
	b.do("fill "+css, chromedp.SendKeys(chromedp.CSS(css), value, chromedp.NodeVisible))
}

// Select chooses the option with value in the select matching the CSS selector.
func (b *Browser) Select(css, value string) {
	b.tb.Helper()
	b.do("select "+css, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		"(s => { s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })(document.querySelector(%q))", value, css)))
}

// Eval evaluates a JavaScript expression in the page and returns its value.
func Eval[T any](b *Browser, expr string) T {
	b.tb.Helper()
	return run(b, "evaluate", chromedp.Evaluate[T](expr))
}

// Await evaluates expr, a promise (a fetch of the page's own download), and returns
// what it resolves to.
func Await[T any](b *Browser, expr string) T {
	b.tb.Helper()
	return run(b, "await", chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// Screenshot returns a PNG of the element matching the CSS selector.
func (b *Browser) Screenshot(css string) []byte {
	b.tb.Helper()
	return run(b, "screenshot of "+css, chromedp.Screenshot(chromedp.CSS(css), chromedp.NodeVisible))
}

// FullScreenshot returns a PNG of the whole page, at the phone's width: the viewport is
// stretched to the page's height for the capture, then set back.
func (b *Browser) FullScreenshot() []byte {
	b.tb.Helper()
	height := Eval[int](b, "Math.ceil(document.documentElement.scrollHeight)")
	b.do("stretch the viewport", chromedp.EmulateViewport(PhoneWidth, int64(max(height, PhoneHeight)), chromedp.EmulateScale(1), chromedp.EmulateMobile))
	png := run(b, "screenshot", chromedp.CaptureScreenshot())
	b.do("restore the viewport", chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	return png
}

// Save writes a full-page screenshot as DIR/name.png when -screenshots DIR is set.
func (b *Browser) Save(name string) {
	b.tb.Helper()
	dir := ScreenshotDir()
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.tb.Fatal(err)
	}
	file := filepath.Join(dir, fileName(name)+".png")
	if err := os.WriteFile(file, b.FullScreenshot(), 0o644); err != nil {
		b.tb.Fatal(err)
	}
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

func fileName(s string) string {
	return strings.Trim(unsafeName.ReplaceAllString(s, "-"), "-")
}
