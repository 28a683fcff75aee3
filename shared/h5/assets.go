package h5

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/wentitong/wentitong/shared/fault"
)

//go:embed assets
var assetsDir embed.FS

// assetFS is the foundation's own assets (site.css and the scripts every page may use).
var assetFS, _ = fs.Sub(assetsDir, "assets")

// Assets serves embedded files under fingerprinted names (site.3f2a9c1d.css): the name
// changes with the content, so a browser may keep each for a year without asking again,
// and a new build is fetched at once. Each is gzipped once, when added.
type Assets struct {
	mu     sync.RWMutex
	byName map[string]*asset // "site.css" → its asset
	byURL  map[string]*asset // "site.3f2a9c1d.css" → the same
}

type asset struct {
	url     string // Prefix + "/assets/" (or another function's) + the fingerprinted name
	ctype   string
	raw, gz []byte
	hash    string // base64 SHA-256 of raw: what a CSP names an inlined stylesheet by
}

// NewAssets returns an empty registry.
func NewAssets() *Assets {
	return &Assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
}

// ErrAssetNotFound answers a name no build ever served (or an old one).
var ErrAssetNotFound = fault.New(fault.NotFound, "asset_not_found", "找不到该文件，请刷新页面")

// Add registers every file at the root of fsys (a package of pages adds its own with
// site.Assets().Add), served at Prefix/assets/ by the pages function. A name registered
// already is an error: two packages would shadow each other.
func (a *Assets) Add(fsys fs.FS) error { return a.add(Prefix+"/assets/", fsys) }

// AddUnder is Add for a package served by a function of its own under Prefix+dir (the
// staff console's "/admin"): its files' URLs are Prefix+dir+"/assets/<name>", a route
// that function serves with ServeHTTP.
func (a *Assets) AddUnder(dir string, fsys fs.FS) error {
	return a.add(Prefix+dir+"/assets/", fsys)
}

func (a *Assets) add(at string, fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("h5 assets: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		if _, dup := a.byName[name]; dup {
			return fmt.Errorf("h5 assets: %s is registered twice", name)
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("h5 assets: %w", err)
		}
		sum := sha256.Sum256(raw)
		ext := path.Ext(name)
		fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		as := &asset{url: at + fp, ctype: ctype, raw: raw, gz: gzipBytes(raw), hash: base64.StdEncoding.EncodeToString(sum[:])}
		a.byName[name], a.byURL[fp] = as, as
	}
	return nil
}

// URL returns the fingerprinted URL of a registered asset; it panics on an unknown name,
// which a template would otherwise turn into a broken page (the tests render every page).
func (a *Assets) URL(name string) string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	as, ok := a.byName[name]
	if !ok {
		panic("h5: no asset " + name)
	}
	return as.url
}

// Inline returns a stylesheet's content for a page to embed in <style> (template
// function inline): the layout inlines site.css, so a first visit paints after one
// round trip instead of two. It panics on an unknown name, as URL does.
func (a *Assets) Inline(name string) template.CSS {
	a.mu.RLock()
	defer a.mu.RUnlock()
	as, ok := a.byName[name]
	if !ok || as.ctype != mime.TypeByExtension(".css") {
		panic("h5: no stylesheet " + name)
	}
	return template.CSS(as.raw) // our own embedded file
}

// styleHashes are the CSP sources of every stylesheet, which pages may inline.
func (a *Assets) styleHashes() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var hs []string
	for name, as := range a.byName {
		if strings.HasSuffix(name, ".css") {
			hs = append(hs, "'sha256-"+as.hash+"'")
		}
	}
	slices.Sort(hs)
	return strings.Join(hs, " ")
}

// ServeHTTP answers GET /h5/assets/{name} (and a function's own assets route): the file, gzipped when the browser takes it,
// cacheable for a year (immutable).
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.RLock()
	as, ok := a.byURL[r.PathValue("name")]
	a.mu.RUnlock()
	if !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, ErrAssetNotFound.Message, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.PathValue("name"), "sw.") {
		// The service worker lives with the assets but looks after every page.
		h.Set("Service-Worker-Allowed", Prefix+"/")
	}
	writeBody(w, r, http.StatusOK, as.ctype, as.raw, as.gz)
}

// writeBody sends raw, or gz (its gzip) when the browser accepts gzip and gz is smaller.
func writeBody(w http.ResponseWriter, r *http.Request, status int, ctype string, raw, gz []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Add("Vary", "Accept-Encoding")
	body := raw
	if gz != nil && len(gz) < len(raw) && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}
