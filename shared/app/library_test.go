package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/app/mediaapp"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// libraryEnv is the library function on a fresh table and bucket, with the demo's
// districts, two institutions and their staff, and the bucket's notifications handed to
// the MediaFunction's handler as S3 would send them.
type libraryEnv struct {
	t     *testing.T
	a     *app.App
	kit   *buckettest.Kit
	wx    *wechattest.Server
	do    func(method, path, body, token string) *httptest.ResponseRecorder
	token func(openid string, roles ...string) string
	clock *testClock
	// index is the search index the library's searches read; feed hands the table's
	// changes to the IndexerFunction's handler on it, as the stream would.
	index *search.Index
	feed  *dynamotest.Feed
	// notified counts the S3 events handled.
	notified int
}

func mustLibrary(t *testing.T) *libraryEnv {
	t.Helper()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	e := &libraryEnv{t: t, clock: &testClock{t: now}, kit: buckettest.New(t)}
	a, tbl, wx := mustAppWithBucket(t, now, e.kit)
	e.wx = wx
	idx, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	e.index, a.SearchIndex = idx, idx
	a.Now = func() time.Time { return e.clock.Now() }
	e.a = a
	if _, err := demo.SeedBase(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	parts, err := a.Library()
	if err != nil {
		t.Fatal(err)
	}
	indexer, _, err := a.LibraryIndexer()
	if err != nil {
		t.Fatal(err)
	}
	e.feed = tbl.MustFeed(t, "IndexerFunction", indexer)
	handle := mediaapp.Handler(parts.Library, slog.New(slog.DiscardHandler))
	e.kit.Server.Created = func(bucket, key string) {
		if !strings.HasPrefix(key, library.MediaPrefix) { // the notification's filter in template.yaml
			return
		}
		ev := events.S3Event{Records: []events.S3EventRecord{{EventSource: "aws:s3", EventName: "ObjectCreated:Put",
			S3: events.S3Entity{Bucket: events.S3Bucket{Name: bucket}, Object: events.S3Object{Key: url.QueryEscape(key)}}}}}
		raw, _ := json.Marshal(ev)
		e.clock.Advance(time.Second)
		if err := handle(context.Background(), raw); err != nil {
			t.Errorf("media handler on %s: %v", key, err)
		}
		e.clock.mu.Lock()
		e.notified++
		e.clock.mu.Unlock()
	}
	h := apptest.HTTP(t, a, "LibraryFunction")
	sessions, err := a.Auth()
	if err != nil {
		t.Fatal(err)
	}
	e.do = func(method, path, body, token string) *httptest.ResponseRecorder {
		e.clock.Advance(time.Second) // each request a second after the last: the audit trail's order
		return serve(h, method, path, body, token)
	}
	e.token = func(openid string, roles ...string) string {
		s, err := sessions.Issue(context.Background(), openid, append([]string{"resident"}, roles...), e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s.Token
	}
	admin := e.token("o-admin", "admin")
	for _, body := range []string{
		`{"id":"zz-library","name":"株洲市图书馆","kind":"library","level":"city","districtId":"430211001"}`,
		`{"id":"youxian-library","name":"攸县图书馆","kind":"library","level":"county","districtId":"430223001"}`,
	} {
		e.must("POST", "/api/v1/admin/institutions", body, admin, 201)
	}
	e.must("PUT", "/api/v1/admin/institutions/zz-library/staff/o-lib", "", admin, 200)
	e.must("PUT", "/api/v1/admin/institutions/youxian-library/staff/o-youxian", "", admin, 200)
	return e
}

// must does a request and fails the test unless it answers status; it returns the body.
func (e *libraryEnv) must(method, path, body, token string, status int) map[string]any {
	e.t.Helper()
	rec := e.do(method, path, body, token)
	if rec.Code != status {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, rec.Code, rec.Body, status)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// upload announces a file and PUTs body to the presigned URL as a browser would.
func (e *libraryEnv) upload(token, itemID, filename, contentType string, declared int64, body []byte) (mediaID string) {
	e.t.Helper()
	req := fmt.Sprintf(`{"filename":%q,"contentType":%q,"size":%d}`, filename, contentType, declared)
	up := e.must("POST", "/api/v1/admin/items/"+itemID+"/uploads", req, token, 201)
	put, err := http.NewRequest(up["method"].(string), up["uploadUrl"].(string), bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range up["headers"].(map[string]any) {
		put.Header.Set(k, v.(string))
	}
	put.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(put)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		e.t.Fatalf("PUT to the presigned URL = %d", resp.StatusCode)
	}
	return up["media"].(map[string]any)["id"].(string)
}

func mustPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fakeMP4 is n bytes that sniff as MP4: an ftyp box, then padding.
func fakeMP4(n int) []byte {
	b := make([]byte, n)
	copy(b, []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"))
	return b
}

const porcelain = `{"title":"醴陵釉下五彩瓷《扁豆双禽瓶》","creators":["熊凯"],"date":"1915","dateText":"民国四年",
"subjects":["醴陵瓷器","釉下五彩","非物质文化遗产"],"description":"1915 年巴拿马太平洋万国博览会金奖作品。",
"districtId":"430281","rights":"institution","licence":"CC-BY-NC-4.0"}`

func TestLibraryCatalogueUploadAndDelete(t *testing.T) {
	e := mustLibrary(t)
	staff, other := e.token("o-lib", "staff"), e.token("o-youxian", "staff")
	admin, resident := e.token("o-admin", "admin"), e.token("o-resident")

	col := e.must("POST", "/api/v1/admin/collections", `{"institutionId":"zz-library","name":"湖湘陶瓷数字资源库"}`, staff, 201)
	colID := col["id"].(string)
	created := e.must("POST", "/api/v1/admin/collections/"+colID+"/items", porcelain, staff, 201)
	itemID := created["id"].(string)
	if created["status"] != "draft" {
		t.Errorf("a new item is %v, want draft", created["status"])
	}

	bad := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"resident catalogues", "POST", "/api/v1/admin/collections/" + colID + "/items", porcelain, resident, 403, "institution_out_of_scope"},
		{"other institution's staff catalogues", "POST", "/api/v1/admin/collections/" + colID + "/items", porcelain, other, 403, "institution_out_of_scope"},
		{"other institution's staff publishes", "POST", "/api/v1/admin/items/" + itemID + "/publish", "", other, 403, "institution_out_of_scope"},
		{"other institution's staff uploads", "POST", "/api/v1/admin/items/" + itemID + "/uploads", `{"filename":"a.png","contentType":"image/png","size":10}`, other, 403, "institution_out_of_scope"},
		{"other institution's staff deletes", "DELETE", "/api/v1/admin/items/" + itemID, "", other, 403, "institution_out_of_scope"},
		{"collection for another institution", "POST", "/api/v1/admin/collections", `{"institutionId":"youxian-library","name":"x"}`, staff, 403, "institution_out_of_scope"},
		{"no title", "POST", "/api/v1/admin/collections/" + colID + "/items", strings.Replace(porcelain, "醴陵釉下五彩瓷《扁豆双禽瓶》", "", 1), staff, 400, "item_invalid_title"},
		{"a day that does not exist", "POST", "/api/v1/admin/collections/" + colID + "/items", strings.Replace(porcelain, `"1915"`, `"1915-02-30"`, 1), staff, 400, "item_invalid_date"},
		{"an unknown licence", "POST", "/api/v1/admin/collections/" + colID + "/items", strings.Replace(porcelain, "CC-BY-NC-4.0", "GPL", 1), staff, 400, "item_invalid_licence"},
		{"a repeated subject", "POST", "/api/v1/admin/collections/" + colID + "/items", strings.Replace(porcelain, `"釉下五彩"`, `"醴陵瓷器"`, 1), staff, 400, "item_invalid_subjects"},
		{"an unknown district", "POST", "/api/v1/admin/collections/" + colID + "/items", strings.Replace(porcelain, `"430281"`, `"999999"`, 1), staff, 404, "district_not_found"},
		{"a draft is not public", "GET", "/api/v1/items/" + itemID, "", "", 404, "item_not_found"},
		{"an executable", "POST", "/api/v1/admin/items/" + itemID + "/uploads", `{"filename":"a.exe","contentType":"application/x-msdownload","size":10}`, staff, 400, "media_type_not_allowed"},
		{"an image over 20 MB", "POST", "/api/v1/admin/items/" + itemID + "/uploads", `{"filename":"a.png","contentType":"image/png","size":20971521}`, staff, 400, "media_too_large"},
		{"a video over 2 GB", "POST", "/api/v1/admin/items/" + itemID + "/uploads", `{"filename":"a.mp4","contentType":"video/mp4","size":2147483649}`, staff, 400, "media_too_large"},
		{"a path for a name", "POST", "/api/v1/admin/items/" + itemID + "/uploads", `{"filename":"../../a.png","contentType":"image/png","size":10}`, staff, 400, "filename_invalid"},
		{"a stale version", "PUT", "/api/v1/admin/items/" + itemID, `{"version":7,` + porcelain[1:], staff, 409, "item_changed"},
	}
	for _, tt := range bad {
		if rec := e.do(tt.method, tt.path, tt.body, tt.token); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}

	// An image: stored, checked, given a thumbnail, counted.
	photo := mustPNG(t, 1200, 800)
	imageID := e.upload(staff, itemID, "扁豆双禽瓶.png", "image/png", int64(len(photo)), photo)
	video := fakeMP4(300_000)
	videoID := e.upload(staff, itemID, "工艺.mp4", "video/mp4", int64(len(video)), video)
	// A file larger than declared (S3 itself refuses such a PUT; the check after upload
	// catches what gets past), and one whose bytes are not what it claims.
	liarID := e.upload(staff, itemID, "large.png", "image/png", 100, photo)
	textID := e.upload(staff, itemID, "fake.png", "image/png", 11, []byte("hello world"))
	if n := e.handled(); n != 4 {
		t.Fatalf("S3 notifications handled = %d, want 4", n)
	}

	view := e.must("GET", "/api/v1/admin/items/"+itemID, "", staff, 200)
	media := map[string]map[string]any{}
	for _, m := range view["media"].([]any) {
		mm := m.(map[string]any)
		media[mm["id"].(string)] = mm
	}
	for id, want := range map[string]string{imageID: "ready", videoID: "ready", liarID: "rejected", textID: "rejected"} {
		if got := media[id]["status"]; got != want {
			t.Errorf("media %s (%s) is %v (%v), want %s", id, media[id]["filename"], got, media[id]["reason"], want)
		}
	}
	if r, _ := media[liarID]["reason"].(string); !strings.Contains(r, "申报") {
		t.Errorf("the oversized file's reason = %q, want it to name the declared size", r)
	}
	if r, _ := media[textID]["reason"].(string); !strings.Contains(r, "不是申报的图片类型") {
		t.Errorf("the text file's reason = %q, want a type mismatch", r)
	}
	for _, id := range []string{liarID, textID} {
		key := fmt.Sprintf("media/zz-library/%s/%s/file.png", itemID, id)
		if _, err := e.kit.Bucket.Head(context.Background(), key); err != library.ErrObjectMissing {
			t.Errorf("rejected file %s still stored (%v)", key, err)
		}
	}
	if w, h := media[imageID]["width"], media[imageID]["height"]; w != 1200.0 || h != 800.0 {
		t.Errorf("image size = %v×%v, want 1200×800", w, h)
	}

	// Published: the public page shows the ready files with URLs that read them.
	e.must("POST", "/api/v1/admin/items/"+itemID+"/publish", "", staff, 200)
	if rec := e.do("POST", "/api/v1/admin/items/"+itemID+"/publish", "", staff); rec.Code != 409 || errorCode(rec) != "item_published" {
		t.Errorf("publishing twice = %d %s, want 409 item_published", rec.Code, rec.Body)
	}
	pub := e.must("GET", "/api/v1/items/"+itemID, "", "", 200)
	if got := pub["mediaTypes"]; fmt.Sprint(got) != "[image video]" {
		t.Errorf("mediaTypes = %v, want [image video]", got)
	}
	pubMedia := pub["media"].([]any)
	if len(pubMedia) != 2 {
		t.Fatalf("public media = %d, want the 2 ready ones: %v", len(pubMedia), pubMedia)
	}
	for _, m := range pubMedia {
		mm := m.(map[string]any)
		if mm["type"] == "image" {
			thumb := httpGet(t, mm["thumbUrl"].(string), "")
			img, err := jpeg.Decode(bytes.NewReader(thumb.body))
			if err != nil || img.Bounds().Dx() != 480 || img.Bounds().Dy() != 320 {
				t.Errorf("thumbnail: %v, bounds %v, want a 480×320 JPEG", err, img)
			}
		}
		if mm["type"] == "video" {
			// The player's range requests: 206 with exactly the bytes asked for.
			part := httpGet(t, mm["url"].(string), "bytes=1000-1999")
			if part.status != http.StatusPartialContent || len(part.body) != 1000 || part.header.Get("Content-Range") != "bytes 1000-1999/300000" {
				t.Errorf("range GET = %d, %d bytes, Content-Range %q; want 206, 1000 bytes, bytes 1000-1999/300000",
					part.status, len(part.body), part.header.Get("Content-Range"))
			}
		}
	}
	list := e.must("GET", "/api/v1/collections/"+colID+"/items", "", "", 200)
	if items := list["items"].([]any); len(items) != 1 {
		t.Errorf("published items = %d, want 1", len(items))
	}

	// Storage: the file, the thumbnail and the video count for the institution and the
	// city; the county library's count is untouched.
	rep := e.must("GET", "/api/v1/admin/library/storage", "", admin, 200)
	stored := int64(len(photo) + len(video))
	instBytes := func(rep map[string]any, id string) int64 {
		for _, l := range rep["institutions"].([]any) {
			if lm := l.(map[string]any); lm["id"] == id {
				return int64(lm["bytes"].(float64))
			}
		}
		t.Fatalf("no storage line for %s: %v", id, rep)
		return 0
	}
	city := int64(rep["city"].(map[string]any)["bytes"].(float64))
	if got := instBytes(rep, "zz-library"); got <= stored || got > stored+100_000 || city != got {
		t.Errorf("stored = %d (city %d), want the files' %d plus a thumbnail", got, city, stored)
	}
	if got := instBytes(rep, "youxian-library"); got != 0 {
		t.Errorf("county library stored %d, want 0", got)
	}
	if own := e.must("GET", "/api/v1/admin/library/storage", "", other, 200); len(own["institutions"].([]any)) != 1 {
		t.Errorf("a county librarian sees %v, want only their own institution", own["institutions"])
	}

	// Delete: the records, the files and the count go.
	e.must("DELETE", "/api/v1/admin/items/"+itemID, "", staff, 204)
	if rec := e.do("GET", "/api/v1/items/"+itemID, "", ""); rec.Code != 404 {
		t.Errorf("deleted item = %d, want 404", rec.Code)
	}
	for _, key := range []string{
		fmt.Sprintf("media/zz-library/%s/%s/file.png", itemID, imageID),
		fmt.Sprintf("media/zz-library/%s/%s/file.mp4", itemID, videoID),
		"thumbs/" + imageID + ".jpg",
	} {
		if _, err := e.kit.Bucket.Head(context.Background(), key); err != library.ErrObjectMissing {
			t.Errorf("after delete, %s: %v, want missing", key, err)
		}
	}
	if got := instBytes(e.must("GET", "/api/v1/admin/library/storage", "", admin, 200), "zz-library"); got != 0 {
		t.Errorf("after delete, stored = %d, want 0", got)
	}
	trail := e.must("GET", "/api/v1/admin/library/audit?institution=zz-library", "", staff, 200)
	var actions []string
	for _, a := range trail["audit"].([]any) {
		actions = append(actions, a.(map[string]any)["action"].(string))
	}
	want := "item.delete item.publish media.reject media.upload media.reject media.upload media.ready media.upload media.ready media.upload item.create collection.create"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit trail, newest first = %q, want %q", got, want)
	}
	if rec := e.do("GET", "/api/v1/admin/library/audit?institution=zz-library", "", other); rec.Code != 403 {
		t.Errorf("another institution's audit trail = %d, want 403", rec.Code)
	}
}

type fetched struct {
	status int
	header http.Header
	body   []byte
}

func httpGet(t *testing.T, u, rng string) fetched {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fetched{resp.StatusCode, resp.Header, body}
}

// testClock is the tests' clock, moved by the test and by the fake S3 server's
// goroutine (its notifications), so it is read and moved under a lock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// handled is how many S3 notifications were handled (counted on the S3 server's goroutine).
func (e *libraryEnv) handled() int {
	e.clock.mu.Lock()
	defer e.clock.mu.Unlock()
	return e.notified
}
