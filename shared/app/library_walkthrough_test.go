package app_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/h5"
)

// The library's "done when", as a new user would go through it on the platform: a
// librarian uploads a picture and a video into a collection and publishes an article
// about them; a resident who follows the collection gets one message; they find the item
// by searching in Chinese from the chat and from the search page, and play the video
// (the player's range request answered with 206); the district report shows the
// storage used against the target.
func TestLibraryWalkthrough(t *testing.T) {
	e := mustLibrary(t)
	ctx := context.Background()
	e.clock.Set(time.Date(2026, 11, 28, 9, 0, 0, 0, beijing.Zone))
	staff, admin := e.token("o-lib", "staff"), e.token("o-admin", "admin")
	residentID := "o-walker"
	resident := e.token(residentID)

	// The librarian catalogues an item with a picture and a video, and publishes it.
	colID := e.must("POST", "/api/v1/admin/collections", `{"institutionId":"zz-library","name":"醴陵釉下五彩瓷"}`, staff, 201)["id"].(string)
	e.must("PUT", "/api/v1/me/subscriptions/collection:"+colID, `{"consent":true}`, resident, 200)
	itemID := e.must("POST", "/api/v1/admin/collections/"+colID+"/items", porcelain, staff, 201)["id"].(string)
	photo, video := mustPNG(t, 800, 600), fakeMP4(250_000)
	imageID := e.upload(staff, itemID, "扁豆双禽瓶.png", "image/png", int64(len(photo)), photo)
	e.upload(staff, itemID, "烧制技艺.mp4", "video/mp4", int64(len(video)), video)
	e.must("POST", "/api/v1/admin/items/"+itemID+"/publish", "", staff, 200)
	article := fmt.Sprintf(`{"institutionId":"zz-library","title":"醴陵釉下五彩瓷数字资源上线","summary":"金奖瓷瓶的影像和烧制技艺视频",
		"body":"株洲市图书馆上线醴陵釉下五彩瓷的高清影像和烧制技艺视频。","category":"heritage","itemIds":[%q],"coverItemId":%q,"coverMediaId":%q}`,
		itemID, itemID, imageID)
	newsID := e.must("POST", "/api/v1/admin/news", article, staff, 201)["id"].(string)
	e.must("POST", "/api/v1/admin/news/"+newsID+"/publish", "", staff, 200)

	// The evening's digest: one message to the follower, naming the item and the article;
	// the scheduler's next runs send nothing more.
	e.clock.Set(time.Date(2026, 11, 28, 18, 1, 0, 0, beijing.Zone))
	for range 3 {
		if err := e.a.Scheduler()(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Notify.DeliverDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
	}
	var toResident []string
	for _, m := range e.wx.Sent() {
		if m.ToUser == residentID {
			toResident = append(toResident, string(m.Data))
		}
	}
	if len(toResident) != 1 || !strings.Contains(toResident[0], "扁豆双禽瓶") || !strings.Contains(toResident[0], "数字资源上线") {
		t.Fatalf("messages to the follower = %q, want one digest naming the item and the article", toResident)
	}

	// 搜 in the chat, in Chinese: the item first, with its page's link.
	if _, err := e.feed.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	reply, err := e.a.Callback().Chat.Respond(ctx, &message.MixMessage{
		CommonToken: message.CommonToken{FromUserName: message.CDATA(residentID), MsgType: message.MsgTypeText, CreateTime: 1}, Content: "搜 醴陵瓷器"})
	if err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(reply.Text, "\n", 3); len(first) < 2 || !strings.Contains(first[1], "/items/"+itemID) {
		t.Errorf("搜 醴陵瓷器 = %q, want the item's page first", reply.Text)
	}

	// The search page, in Chinese, lists the item; its page has the video player.
	pages := apptest.HTTP(t, e.a, "PagesFunction")
	get := func(h http.Handler, path, token string) string {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.AddCookie(&http.Cookie{Name: h5.SessionCookie, Value: token})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	found := get(pages, "/h5/search?q="+url.QueryEscape("釉下五彩 醴陵"), resident)
	if !strings.Contains(found, `href="/h5/items/`+itemID+`"`) || !strings.Contains(found, "扁豆双禽瓶") {
		t.Errorf("the search page does not list the item: %s", found)
	}
	itemPage := get(pages, "/h5/items/"+itemID, resident)
	src := regexp.MustCompile(`<video [^>]*src="([^"]+)"`).FindStringSubmatch(itemPage)
	if src == nil {
		t.Fatalf("the item's page has no video player: %s", itemPage)
	}
	part := httpGet(t, html.UnescapeString(src[1]), "bytes=0-65535")
	if part.status != http.StatusPartialContent || len(part.body) != 65536 || part.header.Get("Content-Range") != "bytes 0-65535/250000" {
		t.Errorf("the player's range request = %d, %d bytes, %q; want 206, 65536 bytes of 250000", part.status, len(part.body), part.header.Get("Content-Range"))
	}

	// The district report shows what is stored against the city library's 25 TB.
	console := apptest.HTTP(t, e.a, "ConsoleFunction")
	report := get(console, "/h5/admin/reports", admin)
	stored := e.must("GET", "/api/v1/admin/library/storage", "", admin, 200)["city"].(map[string]any)["human"].(string)
	if !strings.Contains(report, "数字资源存储") || !strings.Contains(report, "株洲市图书馆") ||
		!strings.Contains(report, "已用 "+stored+"，3 个文件，为目标 25 TB 的") {
		t.Errorf("the report's storage (%s stored) is not shown: %s", stored, report)
	}
}
