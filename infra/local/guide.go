package main

import (
	"bytes"
	"io"
	"strings"
	"text/template"
)

// guide is what the runner prints on stdout when it is ready: where things are, the
// configuration, and how to act as a resident, an admin and WeChat with curl.
type guide struct {
	Base     string // http://127.0.0.1:8080
	Data     string // the data directory
	Pid      int
	Engine   string // the embedded DynamoDB engine's URL
	WeChat   string // the WeChat API's base URL
	FakeOn   bool   // WeChat is the runner's fake
	Settings *settings
	Origin   string // how the data came to be: loaded, seeded or empty
	Resident string // an openid to sign in as
	Admin    string
	WXToken  string // what to set WXTOKEN to in the shell
}

var guideTemplate = template.Must(template.New("guide").Parse(`
Wentitong, running locally.

  Pages (H5)     {{.Base}}/h5/                (what residents open in WeChat; 长辈版 switch at the top)
  Sign in        {{.Base}}/_dev/login?openid={{.Resident}}&next=/h5/me/bookings   (a browser, as that person)
  Staff console  {{.Base}}/_dev/login?openid={{.Admin}}&next=/h5/admin   (工作台, as the admin; or as a staff openid listed under Data)
  API base       {{.Base}}/api/v1/
  WeChat hook    {{.Base}}/wechat             (GET verifies, POST takes messages and events)
  Simulator      {{.Base}}/_dev/              (open in a browser: chat with the account as any openid)
  Sent messages  {{.Base}}/_dev/wechat/sent   (what the fake WeChat API was asked to send, newest last)
  Health         {{.Base}}/_dev/health
  DynamoDB       {{.Engine}}   (embedded engine)
  WeChat API     {{.WeChat}}{{if .FakeOn}}   (fake: the code dev:<openid> signs in as <openid>){{else}}   (from WECHAT_API_BASE){{end}}
  Data           {{.Origin}}
  Kept in        {{.Data}}
                 every write is in its journal on disk before it is answered, so a crash
                 or kill -9 loses nothing answered; compacted into table.json at each start and stop
  Process        pid {{.Pid}}

Configuration (dev defaults unless marked):
{{.Config}}
Act as a resident: sign in, then call the API with the token.
  TOKEN=$(curl -s -X POST {{.Base}}/api/v1/auth/wechat -H 'Content-Type: application/json' \
    -d '{"code":"dev:{{.Resident}}"}' | sed -E 's/.*"token":"([^"]*)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" {{.Base}}/api/v1/me

Act as an admin: the same with the code dev:{{.Admin}} (ADMIN_OPENIDS).

Act as WeChat verifying the server (signature = sha1 of token, timestamp, nonce sorted and joined):
  WXTOKEN={{.WXToken}} TS=$(date +%s) NONCE=$RANDOM
  SIG=$(printf '%s\n' "$WXTOKEN" "$TS" "$NONCE" | LC_ALL=C sort | tr -d '\n' | sha1sum | cut -d' ' -f1)
  curl -s "{{.Base}}/wechat?signature=$SIG&timestamp=$TS&nonce=$NONCE&echostr=hello"

Stop with Ctrl-C or SIGTERM (also through go run): the journal is compacted into the snapshot,
and everything is there at the next start. A second Ctrl-C stops at once, losing nothing answered.
`))

// Config renders the settings for the template.
func (g guide) Config() string {
	var b strings.Builder
	g.Settings.print(&b)
	return b.String()
}

func (g guide) print(w io.Writer) error {
	var b bytes.Buffer
	if err := guideTemplate.Execute(&b, g); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
