package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// search asks GET /api/v1/search with params and returns the hits' ids.
func (e *libraryEnv) search(params string) []string {
	e.t.Helper()
	if _, err := e.feed.Poll(context.Background()); err != nil {
		e.t.Fatalf("indexer: %v", err)
	}
	rec := e.do("GET", "/api/v1/search?"+params, "", "")
	if rec.Code != 200 {
		e.t.Fatalf("search %s = %d %s", params, rec.Code, rec.Body)
	}
	var res struct {
		Hits []struct{ ID, URL string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// The index follows the table through the IndexerFunction's handler on the table's
// stream: a draft is not found, a published item is (with its media type and district
// as filters), an article about it too, and an unpublished or deleted item no longer
// is; records delivered again change nothing. Bad parameters are refused with a code.
func TestSearchFollowsTheTable(t *testing.T) {
	e := mustLibrary(t)
	staff := e.token("o-lib", "staff")
	colID := e.must("POST", "/api/v1/admin/collections", `{"institutionId":"zz-library","name":"湖湘陶瓷数字资源库"}`, staff, 201)["id"].(string)
	itemID := e.must("POST", "/api/v1/admin/collections/"+colID+"/items", porcelain, staff, 201)["id"].(string)
	e.upload(staff, itemID, "烧制.mp4", "video/mp4", 4096, fakeMP4(4096))
	q := "q=" + url.QueryEscape("醴陵瓷器")

	if got := e.search(q); len(got) != 0 {
		t.Errorf("a draft is found: %v", got)
	}
	e.must("POST", "/api/v1/admin/items/"+itemID+"/publish", "", staff, 200)
	want := "item:" + itemID
	if got := e.search(q); len(got) == 0 || got[0] != want {
		t.Errorf("醴陵瓷器 after publishing = %v, want %s first", got, want)
	}
	for params, found := range map[string]bool{
		q + "&media=video":               true,
		q + "&media=audio":               false,
		q + "&district=430281":           true, // 醴陵市
		q + "&district=430223":           false,
		q + "&collection=" + colID:       true,
		q + "&collection=other":          false,
		q + "&kind=item&from=1900-01-01": true,
		q + "&to=1900-01-01":             false,
		"q=" + url.QueryEscape("扁豆 熊凯"):  true, // title and creator
	} {
		if got := e.search(params); (len(got) > 0 && got[0] == want) != found {
			t.Errorf("search %s = %v, want found %v", params, got, found)
		}
	}

	article := fmt.Sprintf(`{"institutionId":"zz-library","title":"醴陵釉下五彩瓷数字化成果上线","summary":"百年金奖瓷瓶可在线观看",
		"body":"株洲市图书馆完成醴陵瓷器的高清数字化。","category":"heritage","itemIds":[%q]}`, itemID)
	newsID := e.must("POST", "/api/v1/admin/news", article, staff, 201)["id"].(string)
	if got := e.search(q + "&kind=news"); len(got) != 0 {
		t.Errorf("a draft article is found: %v", got)
	}
	e.must("POST", "/api/v1/admin/news/"+newsID+"/publish", "", staff, 200)
	if got := e.search(q + "&kind=news"); len(got) != 1 || got[0] != "news:"+newsID {
		t.Errorf("醴陵瓷器 in news = %v, want news:%s", got, newsID)
	}
	// The chat's 搜 reads the same index and links the item's page and the search page.
	reply, err := e.a.Callback().Chat.Respond(context.Background(), &message.MixMessage{
		CommonToken: message.CommonToken{FromUserName: "o-resident", MsgType: message.MsgTypeText, CreateTime: 1}, Content: "搜 醴陵瓷器"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"找到 2 条", "醴陵釉下五彩瓷《扁豆双禽瓶》", "/items/" + itemID, "/news/" + newsID, "/search?q="} {
		if !strings.Contains(reply.Text, want) {
			t.Errorf("搜 醴陵瓷器 = %q, want %q in it", reply.Text, want)
		}
	}
	if got := e.search("q=" + url.QueryEscape("图书馆") + "&kind=venue"); len(got) == 0 || !strings.HasPrefix(got[0], "venue:") {
		t.Errorf("图书馆 among venues = %v, want the demo's libraries", got)
	}

	e.must("POST", "/api/v1/admin/items/"+itemID+"/unpublish", "", staff, 200)
	if got := e.search(q + "&kind=item"); len(got) != 0 {
		t.Errorf("an unpublished item is found: %v", got)
	}
	e.must("POST", "/api/v1/admin/items/"+itemID+"/publish", "", staff, 200)
	if got := e.search(q + "&kind=item"); len(got) != 1 {
		t.Errorf("republished = %v, want it again", got)
	}
	e.must("DELETE", "/api/v1/admin/items/"+itemID, "", staff, 204)
	if got := e.search(q + "&kind=item"); len(got) != 0 {
		t.Errorf("a deleted item is found: %v", got)
	}

	for _, c := range []struct{ params, code string }{
		{"", "search_invalid"},
		{"q=" + url.QueryEscape(strings.Repeat("瓷", 51)), "search_invalid"},
		{q + "&kind=people", "search_kind_invalid"},
		{q + "&limit=0", "search_param_invalid"},
		{q + "&limit=51", "search_param_invalid"},
		{q + "&media=book", "search_param_invalid"},
		{q + "&from=2026-13-01", "search_param_invalid"},
	} {
		if rec := e.do("GET", "/api/v1/search?"+c.params, "", ""); rec.Code != 400 || errorCode(rec) != c.code {
			t.Errorf("search %q = %d %s, want 400 %s", c.params, rec.Code, rec.Body, c.code)
		}
	}
}
