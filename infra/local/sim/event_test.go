package sim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/golden"
)

var eventTime = time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)

// Each action's XML is testdata/events.golden (the elements WeChat's documentation
// gives for it, in its order), and the SDK the callback uses reads back what was meant.
func TestEventXML(t *testing.T) {
	const me = "o-resident-1"
	tests := []struct {
		name  string
		msg   Message
		check func(m *message.MixMessage) bool
	}{
		{"text", TextMessage(me, "电影 & <活动>", eventTime, 7001),
			func(m *message.MixMessage) bool {
				return m.MsgType == "text" && m.Content == "电影 & <活动>" && m.MsgID == 7001
			}},
		{"location message", LocationMessage(me, 27.829, 113.083, "株洲市图书馆", eventTime, 7002),
			func(m *message.MixMessage) bool {
				return m.MsgType == "location" && m.LocationX == 27.829 && m.LocationY == 113.083 && m.Label == "株洲市图书馆" && m.Scale == 15
			}},
		{"LOCATION event", LocationEvent(me, 27.829, 113.083, 30, eventTime),
			func(m *message.MixMessage) bool {
				return m.Event == "LOCATION" && m.Latitude == "27.829" && m.Longitude == "113.083" && m.Precision == "30"
			}},
		{"follow", Follow(me, "", "", eventTime),
			func(m *message.MixMessage) bool { return m.Event == "subscribe" && m.EventKey == "" }},
		{"follow by scanning", Follow(me, "venue:v-city-library", "qr-ticket-1", eventTime),
			func(m *message.MixMessage) bool {
				return m.Event == "subscribe" && m.EventKey == "qrscene_venue:v-city-library" && m.Ticket == "qr-ticket-1"
			}},
		{"unfollow", Unfollow(me, eventTime),
			func(m *message.MixMessage) bool { return m.Event == "unsubscribe" }},
		{"scan", Scan(me, "shift:sh-1", "qr-ticket-2", eventTime),
			func(m *message.MixMessage) bool {
				return m.Event == "SCAN" && m.EventKey == "shift:sh-1" && m.Ticket == "qr-ticket-2"
			}},
		{"menu click", Click(me, "films", eventTime),
			func(m *message.MixMessage) bool { return m.Event == "CLICK" && m.EventKey == "films" }},
		{"menu view", View(me, "https://h5.wentitong.cn/activities", eventTime),
			func(m *message.MixMessage) bool {
				return m.Event == "VIEW" && m.EventKey == "https://h5.wentitong.cn/activities"
			}},
		{"scancode_push", ScanCode(me, message.EventScancodePush, "volunteer_scan", "http://weixin.qq.com/q/abc", eventTime),
			func(m *message.MixMessage) bool {
				return m.Event == "scancode_push" && m.EventKey == "volunteer_scan" && m.ScanCodeInfo.ScanResult == "http://weixin.qq.com/q/abc"
			}},
		{"scancode_waitmsg", ScanCode("o-staff-library", message.EventScancodeWaitmsg, "staff_checkin", "WT1.abc.def", eventTime),
			func(m *message.MixMessage) bool {
				return m.Event == "scancode_waitmsg" && m.EventKey == "staff_checkin" && m.ScanCodeInfo.ScanType == "qrcode" && m.ScanCodeInfo.ScanResult == "WT1.abc.def"
			}},
	}
	var got bytes.Buffer
	for _, tt := range tests {
		b := tt.msg.XML()
		fmt.Fprintf(&got, "# %s\n%s\n\n", tt.name, b)
		var m message.MixMessage
		if err := xml.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: the SDK cannot read %s: %v", tt.name, b, err)
			continue
		}
		if m.ToUserName != AccountName || string(m.FromUserName) != string(tt.msg.FromUserName) || m.CreateTime != eventTime.Unix() {
			t.Errorf("%s: read To %q From %q CreateTime %d, want %s, %s, %d", tt.name, m.ToUserName, m.FromUserName, m.CreateTime, AccountName, tt.msg.FromUserName, eventTime.Unix())
		}
		if !tt.check(&m) {
			t.Errorf("%s: the SDK read %+v from %s", tt.name, m, b)
		}
	}
	golden.Check(t, filepath.Join("testdata", "events.golden"), got.Bytes())
}
