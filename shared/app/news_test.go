package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/beijing"
)

// A published item and an article about it reach the people who follow their topics
// in one digest each, once, after 18:00; consent is required and recorded; a second
// run of the job and a second article the same evening send nothing more that day.
func TestNewsDigestReachesSubscribersOnce(t *testing.T) {
	e := mustLibrary(t)
	ctx := context.Background()
	e.clock.Set(time.Date(2026, 11, 28, 9, 0, 0, 0, beijing.Zone)) // before the tokens: none is issued in the future
	staff, other := e.token("o-lib", "staff"), e.token("o-youxian", "staff")
	follower, heritageFan, nobody := e.token("o-follower"), e.token("o-heritage"), e.token("o-nobody")

	colID := e.must("POST", "/api/v1/admin/collections", `{"institutionId":"zz-library","name":"湖湘陶瓷数字资源库"}`, staff, 201)["id"].(string)
	topic := "collection:" + colID
	itemID := e.must("POST", "/api/v1/admin/collections/"+colID+"/items", porcelain, staff, 201)["id"].(string)
	photo := mustPNG(t, 64, 48)
	imageID := e.upload(staff, itemID, "瓶.png", "image/png", int64(len(photo)), photo)
	draftID := e.must("POST", "/api/v1/admin/collections/"+colID+"/items", strings.Replace(porcelain, "扁豆双禽瓶", "未发布", 1), staff, 201)["id"].(string)

	// Following a topic needs consent, which is recorded.
	if rec := e.do("PUT", "/api/v1/me/subscriptions/"+topic, `{"consent":false}`, follower); rec.Code != 400 || errorCode(rec) != "consent_required" {
		t.Errorf("subscribe without consent = %d %s, want 400 consent_required", rec.Code, rec.Body)
	}
	if rec := e.do("PUT", "/api/v1/me/subscriptions/collection:nope", `{"consent":true}`, follower); rec.Code != 404 || errorCode(rec) != "topic_not_found" {
		t.Errorf("subscribe to an unknown topic = %d %s, want 404 topic_not_found", rec.Code, rec.Body)
	}
	sub := e.must("PUT", "/api/v1/me/subscriptions/"+topic, `{"consent":true}`, follower, 200)
	if sub["consentVersion"] != "digest-v1" || sub["name"] != "湖湘陶瓷数字资源库" {
		t.Errorf("subscription = %v, want consent digest-v1 to 湖湘陶瓷数字资源库", sub)
	}
	e.must("PUT", "/api/v1/me/subscriptions/category:heritage", `{"consent":true}`, heritageFan, 200)
	e.must("PUT", "/api/v1/me/subscriptions/category:sports", `{"consent":true}`, nobody, 200)
	e.must("PUT", "/api/v1/me/subscriptions/category:heritage", `{"consent":true}`, nobody, 200)
	e.must("DELETE", "/api/v1/me/subscriptions/category:heritage", "", nobody, 204) // withdrawn: gets nothing
	if rec := e.do("DELETE", "/api/v1/me/subscriptions/category:heritage", "", nobody); rec.Code != 404 {
		t.Errorf("unsubscribe twice = %d, want 404", rec.Code)
	}
	mine := e.must("GET", "/api/v1/me/subscriptions", "", follower, 200)["subscriptions"].([]any)
	if len(mine) != 1 {
		t.Errorf("my subscriptions = %v, want 1", mine)
	}

	e.must("POST", "/api/v1/admin/items/"+itemID+"/publish", "", staff, 200)
	article := fmt.Sprintf(`{"institutionId":"zz-library","title":"醴陵釉下五彩瓷数字化成果上线","summary":"百年金奖瓷瓶可在线观看",
		"body":"株洲市图书馆完成醴陵釉下五彩瓷的高清数字化……","category":"heritage","itemIds":[%q],"coverItemId":%q,"coverMediaId":%q}`, itemID, itemID, imageID)
	bad := []struct {
		name, body, token string
		status            int
		code              string
	}{
		{"a draft linked", strings.Replace(article, `"itemIds":["`+itemID, `"itemIds":["`+itemID+`","`+draftID, 1), staff, 404, "news_link_not_found"},
		{"a cover that is not its item's image", strings.Replace(article, imageID, "m-nope", 1), staff, 400, "news_invalid_cover"},
		{"an unknown category", strings.Replace(article, `"heritage"`, `"gossip"`, 1), staff, 400, "news_invalid_category"},
		{"another institution's staff", article, other, 403, "institution_out_of_scope"},
	}
	for _, tt := range bad {
		if rec := e.do("POST", "/api/v1/admin/news", tt.body, tt.token); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: = %d %s, want %d %s", tt.name, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	newsID := e.must("POST", "/api/v1/admin/news", article, staff, 201)["id"].(string)
	if rec := e.do("GET", "/api/v1/news/"+newsID, "", ""); rec.Code != 404 {
		t.Errorf("a draft article is public: %d", rec.Code)
	}
	pub := e.must("POST", "/api/v1/admin/news/"+newsID+"/publish", "", staff, 200)
	if got := fmt.Sprint(pub["topics"]); got != "[category:heritage "+topic+"]" {
		t.Errorf("article topics = %s, want its category's and its item's collection's", got)
	}
	view := e.must("GET", "/api/v1/news/"+newsID, "", "", 200)
	if view["coverUrl"] == "" || view["categoryName"] != "非遗传承" || len(view["items"].([]any)) != 1 {
		t.Errorf("article view = %v, want a cover URL, 非遗传承 and its item", view)
	}
	if list := e.must("GET", "/api/v1/news?category=heritage", "", "", 200)["news"].([]any); len(list) != 1 {
		t.Errorf("heritage news = %d, want 1", len(list))
	}

	tick := e.a.Scheduler()
	deliver := func() {
		t.Helper()
		if _, err := e.a.Notify.DeliverDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
	}
	digests := func() map[string]string {
		out := map[string]string{}
		for _, m := range e.wx.Sent() {
			var body struct {
				Text struct{ Content string } `json:"text"`
			}
			_ = json.Unmarshal(m.Data, &body)
			if strings.Contains(body.Text.Content, "您关注的主题") {
				if _, dup := out[m.ToUser]; dup {
					t.Errorf("%s got a second digest: %s", m.ToUser, body.Text.Content)
				}
				out[m.ToUser] = body.Text.Content
			}
		}
		return out
	}
	e.clock.Set(time.Date(2026, 11, 28, 17, 59, 0, 0, beijing.Zone)) // before the hour: nothing
	if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
		t.Fatal(err)
	}
	deliver()
	if got := digests(); len(got) != 0 {
		t.Errorf("digests before 18:00 = %v, want none", got)
	}
	e.clock.Set(time.Date(2026, 11, 28, 18, 1, 0, 0, beijing.Zone))
	for range 2 { // the scheduler runs every minute; the second run sends nothing
		if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
		deliver()
	}
	// A second article published after 18:00 belongs to tomorrow's digest.
	late := strings.Replace(article, "醴陵釉下五彩瓷数字化成果上线", "晚间快讯", 1)
	lateID := e.must("POST", "/api/v1/admin/news", late, staff, 201)["id"].(string)
	e.must("POST", "/api/v1/admin/news/"+lateID+"/publish", "", staff, 200)
	e.clock.Advance(time.Minute)
	if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
		t.Fatal(err)
	}
	deliver()

	got := digests()
	if len(got) != 2 {
		t.Fatalf("digests = %v, want one each for o-follower and o-heritage", got)
	}
	if d := got["o-follower"]; !strings.Contains(d, "2 条新内容") || !strings.Contains(d, "扁豆双禽瓶") || !strings.Contains(d, "数字化成果上线") {
		t.Errorf("follower's digest = %q, want the item and the article (2)", d)
	}
	if d := got["o-heritage"]; !strings.Contains(d, "1 条新内容") || !strings.Contains(d, "/news/"+newsID) {
		t.Errorf("heritage fan's digest = %q, want the one article with its link", d)
	}

	// The next evening the late article goes out, to both again.
	e.clock.Set(time.Date(2026, 11, 29, 18, 0, 0, 0, beijing.Zone))
	if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
		t.Fatal(err)
	}
	deliver()
	n := 0
	for _, m := range e.wx.Sent() {
		if strings.Contains(string(m.Data), "晚间快讯") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the next day's digests naming the late article = %d, want 2", n)
	}
}
