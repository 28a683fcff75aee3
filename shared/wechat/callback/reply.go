package callback

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// Reply is the passive reply to a message: a text, or articles (图文). The zero Reply
// means no reply: the callback answers "success". It is what the dedup record stores,
// in plain text, so a retry gets the same reply, encrypted afresh for its request.
type Reply struct {
	Text     string    `json:"text,omitempty"`
	Articles []Article `json:"articles,omitempty"`
}

// Article is one entry of an articles reply.
type Article struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	PicURL      string `json:"picUrl,omitempty"`
	URL         string `json:"url,omitempty"`
}

// Text returns a text reply.
func Text(s string) Reply { return Reply{Text: s} }

// Busy is the reply when a dependency fails: the resident may simply try again.
var Busy = Text("系统繁忙，请稍后再试。")

// IsZero reports whether r is no reply.
func (r Reply) IsZero() bool { return r.Text == "" && len(r.Articles) == 0 }

// sdk converts r to the SDK's reply, or nil for no reply.
func (r Reply) sdk() *message.Reply {
	switch {
	case len(r.Articles) > 0:
		arts := make([]*message.Article, len(r.Articles))
		for i, a := range r.Articles {
			arts[i] = message.NewArticle(a.Title, a.Description, a.PicURL, a.URL)
		}
		return &message.Reply{MsgType: message.MsgTypeNews, MsgData: message.NewNews(arts)}
	case r.Text != "":
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(clip(r.Text, maxTextBytes))}
	}
	return nil
}

func (r Reply) encode() []byte {
	b, _ := json.Marshal(r) // strings and slices of strings always marshal
	return b
}

func decodeReply(b []byte) (Reply, error) {
	var r Reply
	err := json.Unmarshal(b, &r)
	return r, err
}

// maxTextBytes is WeChat's limit on a passive text reply (2048 bytes), less room for
// the ellipsis.
const maxTextBytes = 2040

// clip cuts s to at most n bytes on a rune boundary, ending with "…" when cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
