package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func init() {
	register("pages", "the H5 pages' first visit in Chromium on slow 4G with a 4× slower CPU: FCP, bytes, requests, beside the same page served static", pagesBench)
}

// Slow 4G as Lighthouse applies it to a mobile run in DevTools (its simulated profile of
// 150 ms RTT and 1.6 Mbit/s, adjusted for applied throttling), and its CPU slowdown.
const (
	slowLatency  = 562.5         // ms of round trip added to each request
	slowDown     = 1474.56e3 / 8 // bytes per second
	slowUp       = 675e3 / 8
	cpuSlowdown  = 4
	budgetBytes  = 60 << 10
	budgetFCP    = 1500 // ms
	benchSession = "wentitong-bench-session-secret-0123456789"
)

// pageLoad is what one first visit of a page measured.
type pageLoad struct {
	FCP      float64 `json:"fcpMs"`
	Bytes    int     `json:"bytes"` // transferred: HTML + CSS + JS, compressed, with headers
	Requests int     `json:"requests"`
}

// pageResult is a page's median first visit beside its static twin's.
type pageResult struct {
	Name   string   `json:"page"`
	Path   string   `json:"path"`
	Page   pageLoad `json:"dynamic"`
	Static pageLoad `json:"static"`
	Within bool     `json:"withinBudget"`
}

// pagesBench serves the platform with the demo data, signs a browser in, and loads the
// home page, a film session's page and 我的预约 as a first visit (empty cache) on slow 4G
// with the CPU slowed 4×, each -runs times; then the same HTML, saved and served as a
// static file by the same server (its assets too), as the baseline: what remains is the
// cost of rendering on the server.
func pagesBench(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("pages", out)
	runs := fs.Int("runs", 3, "first visits of each page (the median is reported)")
	chromium := fs.String("chromium", "", "the browser (default: $CHROMIUM or chromium on PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	browser := *chromium
	if browser == "" {
		for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); name != "" && err == nil {
				browser = p
				break
			}
		}
	}
	if browser == "" {
		return errors.New("pages: Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
	}
	base, stop, err := servePlatform(ctx)
	if err != nil {
		return err
	}
	defer stop()

	dir, err := os.MkdirTemp("", "wentitong-bench-pages-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, browsertest.Flags(browser, dir)...)
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(browsertest.PhoneWidth, browsertest.PhoneHeight, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base.url+"/_dev/login?openid=o-resident-1&next=%2Fh5%2F")); err != nil {
		return fmt.Errorf("pages: sign in: %w", err)
	}
	pages := []struct{ name, path string }{
		{"home", "/h5/"},
		{"session (seat map)", "/h5/slots/a-film-wandering-earth-1"},
		{"我的预约", "/h5/me/bookings"},
	}
	var results []pageResult
	for _, pg := range pages {
		html, err := base.snapshot(bctx, pg.path)
		if err != nil {
			return err
		}
		static := base.serveStatic(pg.path, html)
		r := pageResult{Name: pg.name, Path: pg.path}
		if r.Page, err = medianLoad(bctx, base.url+pg.path, *runs); err != nil {
			return fmt.Errorf("pages: %s: %w", pg.path, err)
		}
		if r.Static, err = medianLoad(bctx, base.url+static, *runs); err != nil {
			return fmt.Errorf("pages: static %s: %w", pg.path, err)
		}
		r.Within = r.Page.Bytes <= budgetBytes && r.Page.FCP <= budgetFCP
		results = append(results, r)
	}

	fmt.Fprintf(out, "H5 pages, first visit: slow 4G (%.1f ms RTT, %.2f Mbit/s down, %.0f kbit/s up), CPU %d× slower, %d×%d phone, median of %d\n\n",
		slowLatency, slowDown*8/1e6, slowUp*8/1e3, cpuSlowdown, browsertest.PhoneWidth, browsertest.PhoneHeight, *runs)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PAGE\tFCP\tBYTES\tREQUESTS\tSTATIC FCP\tSTATIC BYTES\tSTATIC REQUESTS\tBUDGET (60 KB, 1.5 s)")
	ok := true
	for _, r := range results {
		verdict := "within"
		if !r.Within {
			verdict, ok = "OVER", false
		}
		fmt.Fprintf(tw, "%s\t%.0f ms\t%.1f KB\t%d\t%.0f ms\t%.1f KB\t%d\t%s\n", r.Name, r.Page.FCP, float64(r.Page.Bytes)/1024, r.Page.Requests,
			r.Static.FCP, float64(r.Static.Bytes)/1024, r.Static.Requests, verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	line, _ := json.Marshal(map[string]any{"scenario": "pages", "runs": *runs, "latencyMs": slowLatency, "downBytesPerSec": slowDown,
		"cpuSlowdown": cpuSlowdown, "pages": results, "withinBudget": ok})
	fmt.Fprintf(out, "\n%s\n", line)
	if !ok {
		return errors.New("pages: a page is over its budget")
	}
	return nil
}

// benchPlatform is the platform on a loopback port, with the static twins beside it.
type benchPlatform struct {
	url    string
	mu     sync.Mutex
	static map[string][]byte // path → a saved page
}

// servePlatform starts the embedded engine, the fake WeChat API and every function of
// template.yaml on one loopback address, as the local runner does, with the demo data.
func servePlatform(ctx context.Context) (*benchPlatform, func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	engine := httptest.NewServer(server.NewServer())
	stops = append(stops, engine.Close)
	fake := wechattest.NewFake("wx-dev-app", "dev-secret")
	wx := httptest.NewServer(fake)
	stops = append(stops, wx.Close)
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: engine.URL})
	if err != nil {
		stop()
		return nil, nil, err
	}
	const table = "wentitong-bench"
	if err := dynamodev.EnsureTable(ctx, db, table); err != nil {
		stop()
		return nil, nil, err
	}
	media := httptest.NewServer(buckettest.NewServer(s3mem.New())) // the library's bucket, made on first use
	stops = append(stops, media.Close)
	srv := httptest.NewUnstartedServer(nil)
	stops = append(stops, srv.Close)
	p := &benchPlatform{url: "http://" + srv.Listener.Addr().String(), static: map[string][]byte{}}
	cfg := config.Config{TableName: table, WeChatAppID: "wx-dev-app", WeChatAppSecret: "dev-secret", WeChatAPIBase: wx.URL,
		WeChatToken: "dev-token", SessionSecret: benchSession, TicketSigningKey: "d2VudGl0b25nLWxvY2FsLWRldi10aWNrZXQtc2VlZCE=",
		IDHashKey: "bench-id-number-hash-key-0123456789abcdef", H5BaseURL: p.url + "/h5", MediaBucket: buckettest.BucketName, S3Endpoint: media.URL}
	a, err := app.New(ctx, cfg, app.Options{DB: db, LogOutput: io.Discard})
	if err != nil {
		stop()
		return nil, nil, err
	}
	if _, err := demo.Seed(ctx, a); err != nil {
		stop()
		return nil, nil, err
	}
	tmpl, err := sam.LoadDefault()
	if err != nil {
		stop()
		return nil, nil, err
	}
	rt := web.NewRouter(nil)
	if err := a.Mount(rt, tmpl); err != nil {
		stop()
		return nil, nil, err
	}
	if err := a.MountDev(rt); err != nil {
		stop()
		return nil, nil, err
	}
	rt.Handle("GET /_bench/static/{name}", access.Public, p.serveSaved)
	srv.Config.Handler = rt
	srv.Start()
	return p, stop, nil
}

// snapshot returns the HTML the browser gets for path (signed in as it is), to serve as
// the static twin.
func (p *benchPlatform) snapshot(ctx context.Context, path string) ([]byte, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+path)); err != nil {
		return nil, fmt.Errorf("pages: open %s: %w", path, err)
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(location.href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("pages: save %s: %w", path, err)
	}
	return []byte(html), nil
}

// serveStatic keeps html as the static twin of path and returns its URL path.
func (p *benchPlatform) serveStatic(path string, html []byte) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	name := fmt.Sprintf("page%d.html", len(p.static)+1)
	p.static[name] = html
	return "/_bench/static/" + name
}

// serveSaved serves a saved page as a static file: gzipped when the browser takes it,
// as the pages are, with nothing rendered.
func (p *benchPlatform) serveSaved(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	html, ok := p.static[r.PathValue("name")]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(html)
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		html = buf.Bytes()
	}
	_, _ = w.Write(html)
}

// medianLoad loads url as a first visit runs times and returns the median of each figure.
func medianLoad(ctx context.Context, pageURL string, runs int) (pageLoad, error) {
	var loads []pageLoad
	for range runs {
		l, err := firstVisit(ctx, pageURL)
		if err != nil {
			return pageLoad{}, err
		}
		loads = append(loads, l)
	}
	mid := func(f func(pageLoad) float64) float64 {
		v := make([]float64, len(loads))
		for i, l := range loads {
			v[i] = f(l)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return pageLoad{
		FCP:      mid(func(l pageLoad) float64 { return l.FCP }),
		Bytes:    int(mid(func(l pageLoad) float64 { return float64(l.Bytes) })),
		Requests: int(mid(func(l pageLoad) float64 { return float64(l.Requests) })),
	}, nil
}

// firstVisit empties the cache (the session cookie stays), throttles network and CPU,
// loads the page and reads the Paint Timing and Resource Timing entries.
func firstVisit(ctx context.Context, pageURL string) (pageLoad, error) {
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		return pageLoad{}, err
	}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		return pageLoad{}, err
	}
	if _, err := chromedp.Call(tctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		return pageLoad{}, err
	}
	if _, err := chromedp.Call(tctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: slowLatency, DownloadThroughput: slowDown, UploadThroughput: slowUp, ConnectionType: network.ConnectionTypeCellular4g}},
	}); err != nil {
		return pageLoad{}, err
	}
	if _, err := chromedp.Call(tctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: cpuSlowdown}); err != nil {
		return pageLoad{}, err
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil {
		return pageLoad{}, err
	}
	var l pageLoad
	var err error
	// Paint entries may come a moment after the load event.
	for range 50 {
		l, err = chromedp.Run(tctx, chromedp.Evaluate[pageLoad](`(() => {
			const fcp = performance.getEntriesByName('first-contentful-paint')[0];
			const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
			return {fcpMs: fcp ? fcp.startTime : 0, bytes: all.reduce((n, e) => n + (e.transferSize || 0), 0), requests: all.length};
		})()`))
		if err != nil || l.FCP > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return pageLoad{}, err
	}
	if l.FCP == 0 {
		return pageLoad{}, fmt.Errorf("no first contentful paint for %s", pageURL)
	}
	// Back to full speed for what comes next.
	_, _ = chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 1})
	_, _ = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: 0, DownloadThroughput: -1, UploadThroughput: -1}}})
	return l, nil
}
