package libpages_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/news"
)

// api calls the platform's JSON API as openid with roles and returns the decoded body.
type api struct {
	t     *testing.T
	p     *browsertest.Platform
	token string
}

func newAPI(t *testing.T, p *browsertest.Platform, openid string, roles ...string) *api {
	t.Helper()
	sessions, err := p.App.Auth()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sessions.Issue(context.Background(), openid, append([]string{"resident"}, roles...), p.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, p: p, token: s.Token}
}

func (a *api) do(method, path, body string, want int) map[string]any {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.p.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// upload announces a file and PUTs it to the presigned URL, as the staff page does.
func (a *api) upload(itemID, name, contentType string, body []byte) {
	a.t.Helper()
	up := a.do("POST", "/api/v1/admin/items/"+itemID+"/uploads", fmt.Sprintf(`{"filename":%q,"contentType":%q,"size":%d}`, name, contentType, len(body)), 201)
	put, _ := http.NewRequest(up["method"].(string), up["uploadUrl"].(string), bytes.NewReader(body))
	for k, v := range up["headers"].(map[string]any) {
		put.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(put)
	if err != nil || resp.StatusCode != 200 {
		a.t.Fatalf("PUT %s: %v %v", name, resp, err)
	}
	resp.Body.Close()
}

func picture(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{uint8(120 + x/4), uint8(60 + y/4), 40, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A staff member catalogues a porcelain vase with a photo and a video and publishes an
// article about it; a resident finds it from the library page's search in Chinese,
// opens the item (the photo shown, the video ready to play from the bucket with range
// requests), reads the article and follows the topic with consent. Every page is
// measured in both versions.
func TestLibraryInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	p := browsertest.Start(t, browsertest.Options{Seed: func(ctx context.Context, a *app.App) error {
		_, err := demo.SeedBase(ctx, a)
		return err
	}})
	admin := newAPI(t, p, "o-admin", "admin")
	admin.do("POST", "/api/v1/admin/institutions", `{"id":"zz-library","name":"株洲市图书馆","kind":"library","level":"city","districtId":"430211001"}`, 201)
	admin.do("PUT", "/api/v1/admin/institutions/zz-library/staff/o-lib", "", 200)
	staff := newAPI(t, p, "o-lib", "staff")
	col := staff.do("POST", "/api/v1/admin/collections", `{"institutionId":"zz-library","name":"湖湘陶瓷数字资源库","description":"醴陵釉下五彩瓷的器物、窑址与技艺"}`, 201)["id"].(string)
	item := staff.do("POST", "/api/v1/admin/collections/"+col+"/items", `{"title":"醴陵釉下五彩瓷《扁豆双禽瓶》","creators":["熊凯"],"date":"1915","dateText":"民国四年",
"subjects":["醴陵瓷器","釉下五彩"],"description":"1915 年巴拿马太平洋万国博览会金奖作品。","districtId":"430281","rights":"institution","licence":"CC-BY-NC-4.0"}`, 201)["id"].(string)
	staff.upload(item, "瓶.png", "image/png", picture(t))
	video := make([]byte, 64<<10)
	copy(video, "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41")
	staff.upload(item, "烧制.mp4", "video/mp4", video)
	staff.do("POST", "/api/v1/admin/items/"+item+"/publish", "", 200)
	article := staff.do("POST", "/api/v1/admin/news", fmt.Sprintf(`{"institutionId":"zz-library","title":"醴陵瓷器数字资源上线","summary":"百年金奖瓷瓶可在线观看",
"body":"株洲市图书馆完成醴陵釉下五彩瓷的高清数字化。\n市民可在数字资源库浏览图片、观看技艺视频。","category":"heritage","itemIds":[%q]}`, item), 201)["id"].(string)
	staff.do("POST", "/api/v1/admin/news/"+article+"/publish", "", 200)

	b := p.Browser(t)
	b.Open("/h5/library")
	b.Check("数字资源库")
	// The index follows the table within a poll of the feed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.Open("/h5/search?q=" + url.QueryEscape("醴陵瓷器"))
		if b.Has(`a[href="/h5/items/`+item+`"]`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Open("/h5/library")
	b.Fill("#q", "醴陵瓷器")
	b.Click(`form[role=search] button[type=submit]`)
	if !b.Has(`a[href="/h5/items/`+item+`"]`) || !b.Has(`a[href="/h5/news/`+article+`"]`) {
		t.Fatalf("searching 醴陵瓷器 from the library page at %s lists %q", b.Path(), b.Text("main"))
	}
	b.Check("搜索结果")
	b.Select("#media", "video")
	b.Click(`form[role=search] button[type=submit]`)
	if !b.Has(`a[href="/h5/items/`+item+`"]`) || b.Has(`a[href="/h5/news/`+article+`"]`) {
		t.Errorf("filtered by video at %s: %q", b.Path(), b.Text("main"))
	}

	b.Click(`a[href="/h5/items/` + item + `"]`)
	if !b.Has("video[controls]") || !b.Has("figure img") {
		t.Fatalf("the item page at %s has no player or image: %q", b.Path(), b.Text("main"))
	}
	// The photo was loaded and decoded from the bucket; the video's metadata is fetched
	// with a range request, which S3 (here the embedded server) answers 206.
	if w := browsertest.Eval[float64](b, `document.querySelector("figure img").naturalWidth`); w != 320 {
		t.Errorf("the photo's natural width = %v, want 320", w)
	}
	src := browsertest.Eval[string](b, `document.querySelector("video").src`)
	req, _ := http.NewRequest("GET", src, nil)
	req.Header.Set("Range", "bytes=0-1023")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || resp.ContentLength != 1024 {
		t.Errorf("a range request on the video's URL = %d with %d bytes, want 206 with 1024", resp.StatusCode, resp.ContentLength)
	}
	b.Check("馆藏资源")

	b.Open("/h5/news")
	b.Check("资讯")
	b.Click(`a[href="/h5/news/` + article + `"]`)
	if !strings.Contains(b.Text("main"), "高清数字化") || !b.Has(`a[href="/h5/items/`+item+`"]`) {
		t.Errorf("the article at %s: %q", b.Path(), b.Text("main"))
	}
	b.Check("资讯文章")

	// Following needs consent: without it the page says so and nothing is recorded.
	b.SignIn("o-resident-1", "/h5/me/subscriptions")
	b.Check("我的订阅")
	b.Click(`form[action="/h5/me/subscriptions"] button[type=submit]`)
	if !b.Has(".error") {
		t.Errorf("following without consent at %s: %q", b.Path(), b.Text("main"))
	}
	b.CheckShown("我的订阅（未同意）")
	b.Open("/h5/me/subscriptions")
	b.Tap(`input[value="category:heritage"]`)
	b.Tap(`input[name=consent]`)
	b.Click(`form[action="/h5/me/subscriptions"] button[type=submit]`)
	subs, err := mustNews(p).Subscriptions(context.Background(), "o-resident-1")
	if err != nil || len(subs) != 1 || subs[0].Topic != "category:heritage" || subs[0].Channel != "h5" {
		t.Errorf("subscriptions after following = %+v, %v; want category:heritage from h5", subs, err)
	}
	b.Check("我的订阅（已订阅）")
}

func mustNews(p *browsertest.Platform) interface {
	Subscriptions(ctx context.Context, openid string) ([]news.Subscription, error)
} {
	parts, err := p.App.Library()
	if err != nil {
		panic(err)
	}
	return parts.News
}
