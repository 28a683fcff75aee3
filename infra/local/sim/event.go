package sim

import (
	"encoding/xml"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// AccountName is the official account's original id (gh_…), the ToUserName of what
// WeChat posts.
const AccountName = "gh_wentitong"

// Message is the plaintext XML WeChat posts to the callback for a message or an event,
// with only the elements WeChat's documentation gives for its kind (消息管理 / 接收普通
// 消息 and 接收事件推送; 自定义菜单事件推送 for the menu).
type Message struct {
	XMLName      xml.Name      `xml:"xml"`
	ToUserName   message.CDATA `xml:"ToUserName"`
	FromUserName message.CDATA `xml:"FromUserName"`
	CreateTime   int64         `xml:"CreateTime"`
	MsgType      message.CDATA `xml:"MsgType"`
	Content      message.CDATA `xml:"Content,omitempty"`
	LocationX    float64       `xml:"Location_X,omitempty"`
	LocationY    float64       `xml:"Location_Y,omitempty"`
	Scale        int           `xml:"Scale,omitempty"`
	Label        message.CDATA `xml:"Label,omitempty"`
	Event        message.CDATA `xml:"Event,omitempty"`
	EventKey     message.CDATA `xml:"EventKey,omitempty"`
	Ticket       message.CDATA `xml:"Ticket,omitempty"`
	Latitude     float64       `xml:"Latitude,omitempty"`
	Longitude    float64       `xml:"Longitude,omitempty"`
	Precision    float64       `xml:"Precision,omitempty"`
	ScanCodeInfo *ScanCodeInfo `xml:"ScanCodeInfo,omitempty"`
	MsgID        int64         `xml:"MsgId,omitempty"`
}

// ScanCodeInfo is what the scan buttons (scancode_push, scancode_waitmsg) scanned.
type ScanCodeInfo struct {
	ScanType   message.CDATA `xml:"ScanType"`
	ScanResult message.CDATA `xml:"ScanResult"`
}

// XML returns the message as WeChat encodes it.
func (m Message) XML() []byte {
	b, _ := xml.Marshal(m) // strings, numbers and a struct of strings always marshal
	return b
}

func head(from string, at time.Time, msgType message.MsgType) Message {
	return Message{ToUserName: AccountName, FromUserName: message.CDATA(from), CreateTime: at.Unix(), MsgType: message.CDATA(msgType)}
}

func event(from string, at time.Time, ev message.EventType, key string) Message {
	m := head(from, at, message.MsgTypeEvent)
	m.Event, m.EventKey = message.CDATA(ev), message.CDATA(key)
	return m
}

// TextMessage is a text the person typed.
func TextMessage(from, content string, at time.Time, id int64) Message {
	m := head(from, at, message.MsgTypeText)
	m.Content, m.MsgID = message.CDATA(content), id
	return m
}

// LocationMessage is a location the person sent from the chat's 位置 panel: the point,
// the map's zoom and the place's label.
func LocationMessage(from string, lat, lng float64, label string, at time.Time, id int64) Message {
	m := head(from, at, message.MsgTypeLocation)
	m.LocationX, m.LocationY, m.Scale, m.Label, m.MsgID = lat, lng, 15, message.CDATA(label), id
	return m
}

// LocationEvent is the position WeChat reports by itself when the person opens the chat
// (上报地理位置, for accounts that ask for it), with its precision in metres.
func LocationEvent(from string, lat, lng, precision float64, at time.Time) Message {
	m := event(from, at, message.EventLocation, "")
	m.Latitude, m.Longitude, m.Precision = lat, lng, precision
	return m
}

// Follow is the subscribe event: from the account's page (scene empty), or by scanning
// a parametric QR code while not following (EventKey qrscene_<scene>, with the code's
// ticket).
func Follow(from, scene, qrTicket string, at time.Time) Message {
	if scene == "" {
		return event(from, at, message.EventSubscribe, "")
	}
	m := event(from, at, message.EventSubscribe, "qrscene_"+scene)
	m.Ticket = message.CDATA(qrTicket)
	return m
}

// Unfollow is the unsubscribe event.
func Unfollow(from string, at time.Time) Message {
	return event(from, at, message.EventUnsubscribe, "")
}

// Scan is a follower's scan of a parametric QR code: the SCAN event with the scene and
// the code's ticket.
func Scan(from, scene, qrTicket string, at time.Time) Message {
	m := event(from, at, message.EventScan, scene)
	m.Ticket = message.CDATA(qrTicket)
	return m
}

// Click is a tap on a menu click button.
func Click(from, key string, at time.Time) Message {
	return event(from, at, message.EventClick, key)
}

// View is a tap on a menu view button: WeChat opens the link and tells the account.
func View(from, link string, at time.Time) Message {
	return event(from, at, message.EventView, link)
}

// ScanCode is a menu scan button's result: scancode_push (WeChat handles the code
// itself) or scancode_waitmsg (the account answers), with what the camera read.
func ScanCode(from string, ev message.EventType, key, result string, at time.Time) Message {
	m := event(from, at, ev, key)
	m.ScanCodeInfo = &ScanCodeInfo{ScanType: "qrcode", ScanResult: message.CDATA(result)}
	return m
}
