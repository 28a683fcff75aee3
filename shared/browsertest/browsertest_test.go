package browsertest_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/browsertest"
)

// A page that breaks the 长辈版 rules in every way, and one that keeps them.
const badPage = `<!doctype html><html class="elder"><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;font:12px/1 sans-serif">
<p style="color:#999">灰色的小字</p><a href="/x" style="display:inline-block;width:30px;height:20px">小</a>
<div style="width:600px">太宽了</div>
<main><a href="/a" style="display:inline-block;width:80px;height:80px">甲</a><a href="/b" style="display:inline-block;width:80px;height:80px">乙</a></main></body></html>`

const goodPage = `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;font:16px/1.5 sans-serif;color:#1f1f1f">
<header class="top"><form class="mode" method="get" action="/elder"><button style="min-width:60px;min-height:60px;font:inherit">长辈版</button></form></header>
<p id="hello">你好</p>
<form method="get" action="/echo"><input id="name" name="name" style="width:200px;height:48px;font:inherit">
<select id="kind" name="kind" style="width:200px;height:48px;font:inherit"><option value="a">甲</option><option value="b">乙</option></select>
<label class="choice" style="display:block;min-height:48px;width:200px"><input id="agree" type="checkbox" name="agree" value="1">同意</label>
<button id="go" style="min-width:60px;min-height:48px;font:inherit">提交</button></form>
<img id="qr" alt="二维码" src="data:image/png;base64,QR" width="256" height="256"></body></html>`

func TestMeasureFindsEveryShortfall(t *testing.T) {
	browsertest.Chromium(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(badPage))
	}))
	defer srv.Close()
	b := browsertest.NewBrowser(t, srv.URL)
	b.Open("/")
	if !b.Elder() {
		t.Fatal("Elder() = false on a page with html.elder")
	}
	if f := strings.Join(b.Measure().Failures, "\n"); strings.Contains(f, "side by side") {
		t.Errorf("without OneColumn, Measure() holds 长辈版 to one column: %s", f)
	}
	b.OneColumn = true
	m := b.Measure()
	for _, want := range []string{"font size 12px < 18px", "line height 1.00 < 1.3", "contrast 2.85:1 < 4.5:1", "30×20 px < 60×60 px", "page scrolls sideways",
		`controls side by side (not one column): a "甲" and a "乙"`} {
		if !strings.Contains(strings.Join(m.Failures, "\n"), want) {
			t.Errorf("Measure() failures %q lack %q", m.Failures, want)
		}
	}
	if f := b.ZoomFailures(browsertest.TextZoom); len(f) == 0 {
		t.Error("ZoomFailures() = none on a page wider than the phone")
	}
}

// The harness drives a page as a person does: fields, selects, checkboxes, clicks that
// lead on, and reads a QR code from a screenshot.
func TestBrowserDrivesAPage(t *testing.T) {
	browsertest.Chromium(t)
	png, err := qrcode.Encode("WT1.harness-test", qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(goodPage, "QR", base64.StdEncoding.EncodeToString(png), 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/echo" {
			w.Write([]byte(`<p id="got">` + r.URL.Query().Get("name") + "," + r.URL.Query().Get("kind") + "," + r.URL.Query().Get("agree") + `</p>`))
			return
		}
		w.Write([]byte(page))
	}))
	defer srv.Close()
	b := browsertest.NewBrowser(t, srv.URL)
	b.Open("/")
	if !b.Has("#hello") || b.Has("#nothing") || b.Text("#hello") != "你好" {
		t.Fatalf("Has/Text do not read the page")
	}
	m := b.Measure()
	if len(m.Failures) > 0 || m.Elder || m.MinFont != 16 || m.MinContrast < 15 {
		t.Errorf("Measure() = %+v, want a standard page without failures, 16 px, contrast ≥ 15", m)
	}
	got, err := browsertest.DecodeQR(b.Screenshot("#qr"))
	if err != nil || got != "WT1.harness-test" {
		t.Errorf("DecodeQR(screenshot) = %q, %v, want WT1.harness-test", got, err)
	}
	b.Fill("#name", "张三")
	b.Select("#kind", "b")
	b.Tap("#agree")
	if status := b.Click("#go"); status != http.StatusOK {
		t.Errorf("Click(#go) = %d, want 200", status)
	}
	if got := b.Text("#got"); got != "张三,b,1" || !strings.HasPrefix(b.Path(), "/echo?") {
		t.Errorf("the form sent %q to %s, want 张三,b,1 to /echo", got, b.Path())
	}
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
	defer cancel()
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "" {
		t.Errorf("Title() through Context() = %q, %v", title, err)
	}
}

// The platform runs as the local runner composes it: /_dev/login signs a browser in
// to the pages, and the clock moves.
func TestPlatformSignsInAndMovesTheClock(t *testing.T) {
	browsertest.Chromium(t)
	p := browsertest.Start(t, browsertest.Options{Seed: func(context.Context, *app.App) error { return nil }})
	later := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	p.SetNow(later)
	if d := p.Now().Sub(later); d < 0 || d > time.Minute {
		t.Errorf("Now() after SetNow = %v, want about %v", p.Now(), later)
	}
	b := p.Browser(t)
	b.SignIn("o-harness", "/h5/")
	if b.Path() != "/h5/" || !b.Has("header.top form.mode button") {
		t.Errorf("after SignIn the browser is at %s, want the home page /h5/", b.Path())
	}
}

// What no page may do is caught as it happens: a load from another host (another port
// is another host) and a dialog, which is dismissed so the page goes on.
func TestBrowserCatchesOtherHostsAndDialogs(t *testing.T) {
	browsertest.Chromium(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/calm" {
			w.Write([]byte(`<!doctype html><p id="calm">安静的页面</p>`))
			return
		}
		w.Write([]byte(`<!doctype html><img src="` + other.URL + `/logo.svg"><p id="after">继续</p><script>confirm("确定吗？")</script>`))
	}))
	defer srv.Close()
	b := browsertest.NewBrowser(t, srv.URL)
	b.Open("/calm")
	if o := b.Offences(); len(o) != 0 {
		t.Errorf("a page of the platform only: offences %q, want none", o)
	}
	b.Open("/")
	var offences []string
	for deadline := time.Now().Add(10 * time.Second); len(offences) < 2 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		offences = append(offences, b.Offences()...)
	}
	b.Open("/calm") // the dialog was dismissed: the browser goes on
	got := strings.Join(append(offences, b.Offences()...), "\n")
	for _, want := range []string{other.URL + "/logo.svg from another host", `confirm dialog: "确定吗？"`} {
		if !strings.Contains(got, want) {
			t.Errorf("offences %q lack %q", got, want)
		}
	}
}
