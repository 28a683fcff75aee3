package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/wentitong/wentitong/shared/wechattest"
)

// poster posts deliveries to the callback as WeChat does: signed, sealed in the
// account's message mode, and the answer opened.
type poster struct {
	url     string // the callback, http://…/wechat
	account wechattest.Account
	mode    string // wechattest.ModePlain, ModeCompat or ModeSafe
	client  *http.Client
	nonces  atomic.Int64
}

// Reply is a passive reply as the person sees it: a text, or article cards.
type Reply struct {
	MsgType  string    `xml:"MsgType"`
	To       string    `xml:"ToUserName"`
	Content  string    `xml:"Content"`
	Articles []Article `xml:"Articles>item"`
}

// Article is one card of a news reply.
type Article struct {
	Title       string `xml:"Title" json:"title"`
	Description string `xml:"Description" json:"description,omitempty"`
	PicURL      string `xml:"PicUrl" json:"picUrl,omitempty"`
	URL         string `xml:"Url" json:"url,omitempty"`
}

// refusal is the callback answering something other than a reply or "success".
type refusal struct {
	status int
	code   string // the JSON error's code, when there is one
}

func (r *refusal) Error() string { return fmt.Sprintf("callback answered %d %s", r.status, r.code) }

// post delivers msg and returns the passive reply; the zero Reply when the callback
// answered "success" (or nothing), as WeChat then shows nothing.
func (p *poster) post(ctx context.Context, msg Message, now time.Time) (Reply, error) {
	nonce := strconv.FormatInt(now.UnixNano()+p.nonces.Add(1), 36)
	sealed, err := p.account.Seal(p.mode, string(msg.FromUserName), msg.XML(), now, nonce)
	if err != nil {
		return Reply{}, err
	}
	req, err := sealed.Request(p.url)
	if err != nil {
		return Reply{}, err
	}
	resp, err := p.client.Do(req.WithContext(ctx))
	if err != nil {
		return Reply{}, fmt.Errorf("post to the callback: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Reply{}, fmt.Errorf("read the callback's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return Reply{}, &refusal{status: resp.StatusCode, code: e.Error.Code}
	}
	plain, err := p.account.Open(body)
	if err != nil {
		return Reply{}, err
	}
	if t := bytes.TrimSpace(plain); len(t) == 0 || string(t) == "success" {
		return Reply{}, nil
	}
	if p.mode == wechattest.ModeSafe && bytes.Equal(plain, body) {
		return Reply{}, fmt.Errorf("callback replied in plain text in safe mode: %.200s", body)
	}
	var r Reply
	if err := xml.Unmarshal(plain, &r); err != nil {
		return Reply{}, fmt.Errorf("reply %.200q: %w", plain, err)
	}
	if r.To != string(msg.FromUserName) {
		return Reply{}, errors.New("reply addressed to someone other than the sender")
	}
	return r, nil
}
